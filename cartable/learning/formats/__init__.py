"""Question files: what the GIFT and Moodle XML readers produce and the writers take, and the rules both check.

A file is read whole into :class:`Item` values (plain data, no database) or refused whole with every error
and its line (:class:`Refused`); nothing is written until the whole file is valid. Fractions are exact
percentages (``Decimal("-33.33333")``), as both formats write them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.core import french

MULTICHOICE = "multichoice"
TRUEFALSE = "truefalse"
SHORTANSWER = "shortanswer"
NUMERICAL = "numerical"
MATCHING = "matching"
ESSAY = "essay"
DESCRIPTION = "description"
QTYPES = (MULTICHOICE, TRUEFALSE, SHORTANSWER, NUMERICAL, MATCHING, ESSAY, DESCRIPTION)
FORMATS = ("html", "markdown", "plain", "moodle")
BLANK = "_____"  # where the answer goes in a missing-word question, as Moodle writes it
ANY_OTHER = "*"  # a numerical answer matching any other response (its feedback: "wrong")
DEFAULT_PENALTY = Decimal("0.3333333")
FRACTION_PLACES = 5  # both formats write percentages such as -33.33333
HUNDRED = Decimal(100)
SUM_SLACK = Decimal("0.001")  # three answers of 33.33333 % make a whole


@dataclass
class Choice:
    """An answer: its text (a number for numerical questions), its weight in percent, its feedback."""

    text: str
    fraction: Decimal
    feedback: str = ""
    tolerance: Decimal | None = None


@dataclass
class Pair:
    """A matching question's line: the subquestion and its answer."""

    text: str
    answer: str


@dataclass
class Attachment:
    """A file embedded in a question's text (Moodle XML's base64 ``<file>``), referred to as
    ``@@PLUGINFILE@@/name``."""

    name: str
    content: bytes = field(repr=False)


@dataclass
class Item:
    """One question as a file holds it. ``category`` is the path under the bank's top (``()`` the top
    itself, ``None`` wherever the import is told to put it)."""

    qtype: str
    name: str
    text: str
    text_format: str = "moodle"
    general_feedback: str = ""
    category: tuple[str, ...] | None = None
    answers: list[Choice] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    single: bool = True
    shuffle: bool = True
    case_sensitive: bool = False
    penalty: Decimal = DEFAULT_PENALTY
    default_mark: Decimal = Decimal(1)
    files: list[Attachment] = field(default_factory=list)
    line: int = field(default=0, compare=False)

    @property
    def is_missing_word(self) -> bool:
        return self.qtype in (MULTICHOICE, SHORTANSWER) and BLANK in self.text


@dataclass
class Parsed:
    """What a file holds: its questions, and the categories it names (even empty ones)."""

    items: list[Item]
    categories: list[tuple[str, ...]] = field(default_factory=list)


class Refused(Exception):
    """The file is refused whole: every error found, as (line, French message)."""

    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(errors)
        self.errors = errors

    def messages(self, limit: int = 50) -> list[str]:
        """The errors in French with their line, the first ``limit`` of them and how many more there are."""
        shown = [
            _("Ligne %(line)d : %(message)s") % {"line": line, "message": message} if line else message
            for line, message in self.errors[:limit]
        ]
        more = len(self.errors) - limit
        if more > 0:
            shown.append(ngettext("… et %(n)d autre erreur.", "… et %(n)d autres erreurs.", more) % {"n": more})
        return shown


def max_bytes() -> int:
    return getattr(settings, "LEARNING_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (an initial BOM dropped), line ends made ``\\n``; refused when too large or not
    UTF-8 — before any parsing."""
    if len(data) > max_bytes():
        raise Refused([(0, _("Le fichier est trop volumineux (%(max)s au plus).") % {"max": french.size(max_bytes())})])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise Refused([(line, _("le fichier n'est pas en UTF-8 ; enregistrez-le en UTF-8 puis réessayez."))]) from None
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def detect(text: str) -> str:
    """``moodlexml`` when the text is XML, else ``gift`` (told from the content, never from a name)."""
    head = text.lstrip()[:200]
    return "moodlexml" if head.startswith("<") else "gift"


def parse(data: bytes) -> Parsed:
    """Read a question file of either format (told from its content)."""
    text = decode(data)
    if detect(text) == "moodlexml":
        from cartable.learning.formats import moodlexml

        return moodlexml.read(text)
    from cartable.learning.formats import gift

    return gift.read(text)


# --- numbers -------------------------------------------------------------------------------------------------
def number(text: str) -> Decimal | None:
    """An exact decimal written with a dot (``3.1415``, ``-2``, ``1e3``), or None."""
    text = text.strip()
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern above admits only numbers
        return None
    return value if value.is_finite() else None


def plain(value: Decimal) -> str:
    """A decimal as both formats write it: no exponent, no trailing zeros (``3.1415``, ``1822``)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def path_of(names: tuple[str, ...]) -> str:
    """A category path as Moodle writes it: names joined by ``/``, a ``/`` in a name doubled."""
    return "/".join(n.replace("/", "//") for n in names)


def names_of(path: str) -> tuple[str, ...]:
    """The names of a category path (the inverse of :func:`path_of`)."""
    parts = re.split(r"(?<!/)/(?!/)", path.strip())
    return tuple(p.replace("//", "/").strip() for p in parts if p.strip())


def category_names(path: str) -> tuple[str, ...]:
    """The names under the bank's top of a path such as ``$course$/top/Algèbre`` (Moodle's contexts dropped)."""
    names = names_of(path)
    if names and re.fullmatch(r"\$\w+\$", names[0]):
        names = names[1:]
    if names and names[0] == "top":
        names = names[1:]
    return names


# --- the rules every question keeps -------------------------------------------------------------------------
def check(item: Item) -> list[str]:
    """What is wrong with a question, in French (empty when it may be imported)."""
    name = item.name
    errors: list[str] = []
    if item.qtype not in QTYPES:
        return [_("la question « %(name)s » est d'un type inconnu.") % {"name": name}]
    if item.text_format not in FORMATS:
        errors.append(_("la question « %(name)s » a un format de texte inconnu.") % {"name": name})
    if not item.text.strip():
        errors.append(_("la question « %(name)s » n'a pas de texte.") % {"name": name})
    if len(item.name) > 255:
        errors.append(_("le nom de la question « %(name)s… » dépasse 255 caractères.") % {"name": name[:40]})
    for choice in item.answers:
        places = -int(choice.fraction.as_tuple().exponent) if choice.fraction.is_finite() else 99
        if not (-HUNDRED <= choice.fraction <= HUNDRED) or places > FRACTION_PLACES:
            errors.append(
                _("la question « %(name)s » a un poids impossible : %(weight)s %%.")
                % {"name": name, "weight": choice.fraction}
            )
    if errors:
        return errors
    return _check_answers(item)


def _check_answers(item: Item) -> list[str]:
    name = {"name": item.name}
    no_right = [_("la question « %(name)s » n'a aucune bonne réponse.") % name]
    fractions = [c.fraction for c in item.answers]
    if item.qtype == MULTICHOICE:
        if len(item.answers) < 2:
            return [_("la question « %(name)s » doit proposer au moins deux choix.") % name]
        positive = [f for f in fractions if f > 0]
        if not positive:
            return no_right
        if item.single and max(fractions) != HUNDRED:
            return [_("la question « %(name)s » n'a aucune réponse valant 100 %%.") % name]
        if not item.single and abs(sum(positive) - HUNDRED) > SUM_SLACK:
            return [_("les bonnes réponses de la question « %(name)s » ne totalisent pas 100 %%.") % name]
    elif item.qtype in (SHORTANSWER, NUMERICAL):
        answers = [c for c in item.answers if c.text != ANY_OTHER or item.qtype == SHORTANSWER]
        if not answers or max(c.fraction for c in answers) != HUNDRED:
            return no_right
        if any(c.fraction < 0 for c in item.answers):
            return [_("la question « %(name)s » a un poids négatif, impossible pour ce type.") % name]
        if item.qtype == NUMERICAL and any(c.tolerance is not None and c.tolerance < 0 for c in item.answers):
            return [_("la question « %(name)s » a une tolérance négative.") % name]
        if item.qtype == SHORTANSWER and any(not c.text.strip() for c in item.answers):
            return [_("la question « %(name)s » a une réponse vide.") % name]
    elif item.qtype == TRUEFALSE:
        if sorted(c.text for c in item.answers) != ["false", "true"] or HUNDRED not in fractions:
            return no_right
    elif item.qtype == MATCHING:
        if len([p for p in item.pairs if p.text.strip()]) < 2:
            return [_("la question d'appariement « %(name)s » doit avoir au moins deux paires.") % name]
        if any(not p.answer.strip() for p in item.pairs):
            return [_("la question d'appariement « %(name)s » a une paire sans réponse.") % name]
    return []


def default_name(text: str) -> str:
    """A name for a question that has none: the start of its text, as Moodle makes it."""
    from cartable.core import richtext

    words = " ".join(richtext.to_text(text).split())
    return (words[:80].rstrip() + ("…" if len(words) > 80 else "")) or _("Question")
