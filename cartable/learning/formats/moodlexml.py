"""Moodle XML (``<quiz>``), read and written for the types of the bank: categories, penalties, default
marks, tolerances, subquestions, shuffling, case, and images embedded as base64 ``<file>``.

Parsed with lxml without a DTD, entities or network (``core.xml.safe_parser``); a file declaring a DTD or an
entity is refused before parsing.
"""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree

from cartable.core.xml import safe_parser
from cartable.learning import formats as f
from cartable.learning.formats import Attachment, Choice, Item, Pair, Parsed, Refused

TYPES = {
    "multichoice": f.MULTICHOICE,
    "truefalse": f.TRUEFALSE,
    "shortanswer": f.SHORTANSWER,
    "numerical": f.NUMERICAL,
    "matching": f.MATCHING,
    "essay": f.ESSAY,
    "description": f.DESCRIPTION,
}
WRITTEN = {v: k for k, v in TYPES.items()}
DOCTYPE = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def read(text: str) -> Parsed:
    """Every question of a Moodle XML text, or :class:`Refused` with every error and its line."""
    # A DTD (and so an entity declaration) can only come before the root element: look there, so that a
    # question about HTML may still mention <!DOCTYPE> in its text.
    root_at = text.find("<quiz")
    found = DOCTYPE.search(text, 0, root_at if root_at >= 0 else len(text))
    if found:
        line = text[: found.start()].count("\n") + 1
        raise Refused([(line, _("les déclarations DTD et les entités ne sont pas acceptées dans un fichier XML."))])
    try:
        root = etree.fromstring(text.encode("utf-8"), parser=safe_parser())
    except etree.XMLSyntaxError as error:
        raise Refused(
            [(error.lineno or 0, _("le fichier XML est mal formé (%(why)s).") % {"why": error.msg})]
        ) from None
    if root.tag != "quiz":
        raise Refused([(root.sourceline or 1, _("un fichier Moodle XML commence par <quiz>."))])
    items: list[Item] = []
    categories: list[tuple[str, ...]] = []
    errors: list[tuple[int, str]] = []
    category: tuple[str, ...] | None = None
    for node in root.iterchildren("question"):
        line = node.sourceline or 0
        kind = node.get("type", "")
        if kind == "category":
            category = f.category_names(_inner(node, "category"))
            categories.append(category)
            continue
        if kind not in TYPES:
            errors.append((line, _("le type de question « %(type)s » est inconnu.") % {"type": kind[:40]}))
            continue
        try:
            item = _question(node, TYPES[kind])
        except ValueError as error:
            errors.append((line, str(error)))
            continue
        item.line, item.category = line, category
        errors.extend((line, message) for message in f.check(item))
        items.append(item)
    if errors:
        raise Refused(errors)
    return Parsed(items=items, categories=categories)


def _inner(node: etree._Element, tag: str) -> str:
    """The ``<text>`` of a child element (``<name><text>…</text></name>``), or ""."""
    child = node.find(tag)
    if child is None:
        return ""
    text = child.find("text")
    return (text.text or "") if text is not None else (child.text or "")


def _value(node: etree._Element, tag: str, default: str = "") -> str:
    child = node.find(tag)
    return (child.text or "").strip() if child is not None and child.text is not None else default


def _flag(node: etree._Element, tag: str, default: bool) -> bool:
    raw = _value(node, tag, "").lower()
    return default if not raw else raw in ("1", "true")


def _decimal(raw: str, what: str, name: str) -> Decimal:
    value = f.number(raw)
    if value is None:
        raise ValueError(
            _("la question « %(name)s » a %(what)s illisible : « %(value)s ».")
            % {"name": name, "what": what, "value": raw[:40]}
        )
    return value


def _files(node: etree._Element | None, name: str) -> list[Attachment]:
    files = []
    for element in node.iterfind("file") if node is not None else ():
        try:
            content = base64.b64decode((element.text or "").strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(_("la question « %(name)s » a un fichier illisible.") % {"name": name}) from None
        files.append(Attachment((element.get("name") or "").strip(), content))
    return files


def _question(node: etree._Element, qtype: str) -> Item:
    name = " ".join(_inner(node, "name").split())
    text_node = node.find("questiontext")
    text = _inner(node, "questiontext").strip()
    item = Item(
        qtype=qtype,
        name=name or f.default_name(text),
        text=text,
        text_format=(text_node.get("format") if text_node is not None else None) or "html",
        general_feedback=_inner(node, "generalfeedback").strip(),
        files=_files(text_node, name),
    )
    label = item.name
    item.penalty = _decimal(_value(node, "penalty", str(f.DEFAULT_PENALTY)), _("une pénalité"), label)
    item.default_mark = _decimal(_value(node, "defaultgrade", "1"), _("une note par défaut"), label)
    item.single = _flag(node, "single", True)
    item.shuffle = _flag(node, "shuffleanswers", True)
    item.case_sensitive = _flag(node, "usecase", False)
    if qtype == f.MATCHING:
        item.pairs = [
            Pair((sub.findtext("text") or "").strip(), _inner(sub, "answer").strip())
            for sub in node.iterfind("subquestion")
        ]
    for answer in node.iterfind("answer"):
        fraction = _decimal(answer.get("fraction", "0"), _("un poids"), label)
        choice = Choice((answer.findtext("text") or "").strip(), fraction, _inner(answer, "feedback").strip())
        if qtype == f.NUMERICAL and choice.text != f.ANY_OTHER:
            choice.text = f.plain(_decimal(choice.text, _("une réponse numérique"), label))
            choice.tolerance = _decimal(_value(answer, "tolerance", "0"), _("une tolérance"), label)
        if qtype == f.TRUEFALSE:
            choice.text = choice.text.lower()
        item.answers.append(choice)
    return item


# --- writing ------------------------------------------------------------------------------------------------
def _text_element(parent: etree._Element, tag: str, text: str, fmt: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag)
    if fmt is not None:
        element.set("format", fmt)
    inner = etree.SubElement(element, "text")
    inner.text = etree.CDATA(text) if text else ""
    return element


def _simple(parent: etree._Element, tag: str, value: str) -> None:
    etree.SubElement(parent, tag).text = value


def write(items: list[Item]) -> str:
    """A Moodle XML text of the questions, a category question before each category's."""
    root = etree.Element("quiz")
    category: tuple[str, ...] | None = None
    for item in items:
        if item.category is not None and item.category != category:
            category = item.category
            node = etree.SubElement(root, "question", type="category")
            _text_element(node, "category", "/".join(("$course$", "top", *[f.path_of((n,)) for n in category])))
        _write_question(root, item)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True).decode("utf-8")


def _write_question(root: etree._Element, item: Item) -> None:
    node = etree.SubElement(root, "question", type=WRITTEN[item.qtype])
    _text_element(node, "name", item.name)
    text = _text_element(node, "questiontext", item.text, item.text_format)
    for attachment in item.files:
        file = etree.SubElement(text, "file", name=attachment.name, path="/", encoding="base64")
        file.text = base64.b64encode(attachment.content).decode("ascii")
    _text_element(node, "generalfeedback", item.general_feedback, item.text_format)
    _simple(node, "defaultgrade", f.plain(item.default_mark))
    _simple(node, "penalty", f.plain(item.penalty))
    _simple(node, "hidden", "0")
    if item.qtype == f.MULTICHOICE:
        _simple(node, "single", "true" if item.single else "false")
    if item.qtype in (f.MULTICHOICE, f.MATCHING):
        _simple(node, "shuffleanswers", "true" if item.shuffle else "false")
    if item.qtype == f.SHORTANSWER:
        _simple(node, "usecase", "1" if item.case_sensitive else "0")
    for pair in item.pairs:
        sub = _text_element(node, "subquestion", pair.text, item.text_format)
        _text_element(sub, "answer", pair.answer)
    for choice in item.answers:
        answer = _text_element(node, "answer", choice.text, item.text_format)
        answer.set("fraction", f.plain(choice.fraction))
        if item.qtype == f.NUMERICAL and choice.tolerance is not None:
            _simple(answer, "tolerance", f.plain(choice.tolerance))
        _text_element(answer, "feedback", choice.feedback, item.text_format)
