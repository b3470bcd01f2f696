"""GIFT, Moodle's text format for questions: read and written with Moodle's whole syntax.

Questions are separated by blank lines; ``//`` starts a comment line (``http://`` inside a text stays);
``::name::``; ``$CATEGORY: $course$/top/…``; ``[html]`` ``[markdown]`` ``[plain]`` ``[moodle]`` before a text;
``\\~ \\= \\# \\{ \\} \\:`` escape the special characters, ``\\n`` is a new line and ``\\\\`` a backslash;
weights ``%50%`` (exact decimals); feedback ``#``, general feedback ``####``; ``{T}``/``{FALSE#if wrong#if
right}``; ``{#1822:5}``, ``{#3.141..3.142}``, ``{#=1822:0 =%50%1822:2}``; text after ``}`` makes a
missing-word question; ``{}`` an essay; no braces a description. The question types follow Moodle's
reading order (``qformat_gift``): empty → essay, ``#`` → numerical, ``~`` → multiple choice, ``=`` with
``->`` → matching, ``T``/``F`` → true/false, else short answer.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from cartable.learning import formats as f
from cartable.learning.formats import Choice, Item, Pair, Parsed, Refused

# Escaped characters become private-use characters while the structure is read, then come back.
ESCAPES = {":": "\ue000", "#": "\ue001", "=": "\ue002", "{": "\ue003", "}": "\ue004", "~": "\ue005", "n": "\n"}
BACKSLASH = "\ue006"
RESTORE = str.maketrans({v: k for k, v in ESCAPES.items() if k != "n"} | {BACKSLASH: "\\"})
WEIGHT = re.compile(r"^%(-?\d{1,3}(?:\.\d+)?)%")
FORMAT_PREFIX = re.compile(r"^\[(html|markdown|plain|moodle)\]")
TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


class _Error(Exception):
    pass


def _protect(text: str) -> str:
    text = text.replace("\\\\", BACKSLASH)
    return re.sub(r"\\([:#={}~n])", lambda m: ESCAPES[m.group(1)], text)


def _restore(text: str) -> str:
    return text.translate(RESTORE)


def _text(raw: str, default_format: str) -> tuple[str, str]:
    """A text part with its optional ``[format]`` prefix, unescaped and trimmed."""
    raw = raw.strip()
    found = FORMAT_PREFIX.match(raw)
    if found:
        return _restore(raw[found.end() :]).strip(), found.group(1)
    return _restore(raw).strip(), default_format


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """The questions of the file: runs of lines between blank lines, comment lines left out."""
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if current:
                blocks.append((start, current))
            current = []
            continue
        if line.lstrip().startswith("//"):
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append((start, current))
    return blocks


def read(text: str) -> Parsed:
    """Every question of a GIFT text, or :class:`Refused` with every error and its line."""
    items: list[Item] = []
    categories: list[tuple[str, ...]] = []
    errors: list[tuple[int, str]] = []
    category: tuple[str, ...] | None = None
    for line, lines in _blocks(text):
        block = _protect("\n".join(lines).strip())
        if block.startswith("$CATEGORY:"):
            category = f.category_names(_restore(block[len("$CATEGORY:") :]))
            categories.append(category)
            continue
        try:
            item = _question(block)
        except _Error as error:
            errors.append((line, str(error)))
            continue
        item.line, item.category = line, category
        errors.extend((line, message) for message in f.check(item))
        items.append(item)
    if errors:
        raise Refused(errors)
    return Parsed(items=items, categories=categories)


def _question(block: str) -> Item:
    name = ""
    if block.startswith("::"):
        end = block.find("::", 2)
        if end < 0:
            raise _Error(_("le nom de la question n'est pas fermé par « :: »."))
        name = " ".join(_restore(block[2:end]).split())
        block = block[end + 2 :].strip()
    start, finish = block.find("{"), block.find("}")
    if start < 0 and finish < 0:
        text, text_format = _text(block, "moodle")
        return Item(qtype=f.DESCRIPTION, name=name or f.default_name(text), text=text, text_format=text_format)
    label = name or f.default_name(_restore(block[: max(start, 0)]))
    if start < 0 or finish < start:
        raise _Error(_("la question « %(name)s » a une accolade non fermée ou mal placée.") % {"name": label})
    after = block[finish + 1 :]
    if "{" in after or "}" in after or "{" in block[start + 1 : finish]:
        raise _Error(_("la question « %(name)s » a plusieurs accolades ; échappez-les (\\{ \\}).") % {"name": label})
    answer_text = block[start + 1 : finish].strip()
    before = block[:start]
    raw_text = before + (f.BLANK + after if after.strip() else "")
    general = ""
    if "####" in answer_text:
        answer_text, general = answer_text.rsplit("####", 1)
        answer_text = answer_text.strip()
    text, text_format = _text(raw_text, "moodle")
    item = Item(qtype="", name=name or f.default_name(text), text=text, text_format=text_format)
    item.general_feedback = _text(general, text_format)[0]
    _answers(item, answer_text)
    return item


def _answers(item: Item, answers: str) -> None:
    fmt = item.text_format
    if not answers:
        item.qtype = f.ESSAY
    elif answers.startswith("#"):
        item.qtype = f.NUMERICAL
        item.answers = _numerical(item, answers[1:])
    elif "~" in answers:
        item.qtype = f.MULTICHOICE
        item.single = "=" in answers
        parts = [p for p in answers.replace("=", "~=").split("~")]
        if not parts[0].strip():
            parts = parts[1:]
        item.answers = [_choice(p, fmt, right=p.lstrip().startswith("=")) for p in parts]
    elif "=" in answers and "->" in answers:
        item.qtype = f.MATCHING
        item.pairs = [_pair(item, p) for p in _split(answers, "=")]
    elif answers.split("#", 1)[0].strip() in TRUE_FALSE:
        item.qtype = f.TRUEFALSE
        bits = [*answers.split("#", 2), "", ""]
        right = TRUE_FALSE[bits[0].strip()]
        wrong_feedback, right_feedback = _text(bits[1], fmt)[0], _text(bits[2], fmt)[0]
        item.answers = [
            Choice("true", f.HUNDRED if right else Decimal(0), right_feedback if right else wrong_feedback),
            Choice("false", Decimal(0) if right else f.HUNDRED, wrong_feedback if right else right_feedback),
        ]
        item.penalty = Decimal(1)
    else:
        item.qtype = f.SHORTANSWER
        item.answers = [_choice(p, fmt, right=True) for p in _split(answers, "=")]


def _split(answers: str, marker: str) -> list[str]:
    parts = answers.split(marker)
    return parts[1:] if not parts[0].strip() else parts


def _weight(part: str, default: Decimal) -> tuple[Decimal, str]:
    found = WEIGHT.match(part)
    if not found:
        return default, part
    return Decimal(found.group(1)), part[found.end() :]


def _choice(part: str, fmt: str, *, right: bool) -> Choice:
    part = part.strip().removeprefix("=") if right else part.strip()
    fraction, part = _weight(part, f.HUNDRED if right else Decimal(0))
    text, _sep, feedback = part.partition("#")
    return Choice(_text(text, fmt)[0], fraction, _text(feedback, fmt)[0])


def _pair(item: Item, part: str) -> Pair:
    text, arrow, answer = part.partition("->")
    if not arrow:
        raise _Error(_("la question d'appariement « %(name)s » a une ligne sans « -> ».") % {"name": item.name})
    return Pair(_text(text, item.text_format)[0], _restore(answer).strip())


def _numerical(item: Item, answers: str) -> list[Choice]:
    wrong = ""
    if "~" in answers:
        answers, wrong = answers.split("~", 1)
    choices = []
    for part in _split(answers, "="):
        fraction, part = _weight(part.strip(), f.HUNDRED)
        value, _sep, feedback = part.partition("#")
        value = _restore(value).strip()
        if ".." in value:
            low, high = (f.number(v) for v in value.split("..", 1))
            if low is None or high is None or low > high:
                raise _Error(
                    _("la question « %(name)s » a un intervalle illisible : %(value)s.")
                    % {"name": item.name, "value": value}
                )
            centre = (low + high) / 2
            choices.append(Choice(f.plain(centre), fraction, _text(feedback, item.text_format)[0], high - centre))
            continue
        number, _colon, tolerance = value.partition(":")
        answer, margin = f.number(number), f.number(tolerance or "0")
        if answer is None or margin is None:
            raise _Error(
                _("la question « %(name)s » attend un nombre, pas « %(value)s ».") % {"name": item.name, "value": value}
            )
        choices.append(Choice(f.plain(answer), fraction, _text(feedback, item.text_format)[0], margin))
    if wrong:
        choices.append(Choice(f.ANY_OTHER, Decimal(0), _text(wrong.partition("#")[2], item.text_format)[0]))
    return choices


# --- writing ------------------------------------------------------------------------------------------------
def escape(text: str) -> str:
    """A text as GIFT writes it: special characters escaped, new lines as ``\\n``."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([~=#{}:])", r"\\\1", text)
    return text.replace("\n", "\\n")


def _part(text: str, fmt: str) -> str:
    """A text of the question (answer, feedback) in its format: a leading ``[word]`` kept literal."""
    return (f"[{fmt}]" if FORMAT_PREFIX.match(text) else "") + escape(text)


def _weight_mark(fraction: Decimal) -> str:
    return f"%{f.plain(fraction)}%"


def write(items: list[Item]) -> str:
    """A GIFT text of the questions, a ``$CATEGORY:`` line before each category's."""
    out: list[str] = []
    category: tuple[str, ...] | None = None
    for item in items:
        if item.category is not None and item.category != category:
            category = item.category
            out.append("$CATEGORY: " + "/".join(("$course$", "top", *[f.path_of((n,)) for n in category])) + "\n")
        out.append(write_question(item))
    return "\n".join(out)


def write_question(item: Item) -> str:
    fmt = item.text_format
    head = "::" + escape(item.name) + "::" + (f"[{fmt}]" if fmt != "moodle" or item.text.startswith("[") else "")
    if item.qtype == f.DESCRIPTION:
        return head + escape(item.text) + "\n"
    body = _body(item)
    general = ("####" + _part(item.general_feedback, fmt)) if item.general_feedback else ""
    if general and body.endswith("\n"):
        general = "\t" + general + "\n"
    text = item.text
    before, _blank, after = text.partition(f.BLANK)
    if item.is_missing_word and after.strip():
        return head + escape(before) + "{" + body + general + "}" + escape(after) + "\n"
    return head + escape(text) + "{" + body + general + "}\n"


def _body(item: Item) -> str:
    fmt = item.text_format
    if item.qtype == f.ESSAY:
        return ""
    if item.qtype == f.TRUEFALSE:
        true = next(c for c in item.answers if c.text == "true")
        false = next(c for c in item.answers if c.text == "false")
        right, wrong = (true, false) if true.fraction == f.HUNDRED else (false, true)
        body = "TRUE" if right is true else "FALSE"
        if wrong.feedback or right.feedback:
            body += "#" + _part(wrong.feedback, fmt)
        if right.feedback:
            body += "#" + _part(right.feedback, fmt)
        return body
    if item.qtype == f.MATCHING:
        return "\n" + "".join(f"\t={_part(p.text, fmt)} -> {escape(p.answer)}\n" for p in item.pairs)
    lines = []
    for choice in item.answers:
        feedback = ("#" + _part(choice.feedback, fmt)) if choice.feedback else ""
        lines.append("\t" + _mark(item, choice) + feedback + "\n")
    return ("#\n" if item.qtype == f.NUMERICAL else "\n") + "".join(lines)


def _mark(item: Item, choice: Choice) -> str:
    fmt = item.text_format
    if item.qtype == f.NUMERICAL:
        if choice.text == f.ANY_OTHER:
            return "~"
        weight = "" if choice.fraction == f.HUNDRED else _weight_mark(choice.fraction)
        return f"={weight}{choice.text}:{f.plain(choice.tolerance or Decimal(0))}"
    if item.qtype == f.SHORTANSWER:
        weight = "" if choice.fraction == f.HUNDRED else _weight_mark(choice.fraction)
        return "=" + weight + _part(choice.text, fmt)
    if item.single and choice.fraction == f.HUNDRED:
        return "=" + _part(choice.text, fmt)
    weight = "" if choice.fraction == 0 else _weight_mark(choice.fraction)
    return "~" + weight + _part(choice.text, fmt)
