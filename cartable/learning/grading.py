"""Which answer a response matches, for short-answer and numerical questions (exact decimals).

Short answers use Moodle's ``*`` wildcard (``\\*`` is a literal star). Matching is linear in the length of
the response: the pattern is cut at its stars and each piece is looked for after the previous one, leftmost
first, which is exact for patterns that only have ``*`` — no regular expression, so no pattern built to
backtrack (``*a*a*a*a*b``) can make it slow.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from cartable.learning import formats
from cartable.learning.formats import Choice

STAR = "\ue010"


def _pieces(pattern: str) -> list[str]:
    return [p.replace(STAR, "*") for p in pattern.replace("\\*", STAR).split("*")]


def wildcard_match(pattern: str, response: str, *, case_sensitive: bool = False) -> bool:
    """Whether ``response`` matches ``pattern`` as a whole (surrounding spaces ignored)."""
    pattern, response = pattern.strip(), response.strip()
    if not case_sensitive:
        pattern, response = pattern.casefold(), response.casefold()
    pieces = _pieces(pattern)
    if len(pieces) == 1:
        return pieces[0] == response
    first, *middle, last = pieces
    if not response.startswith(first) or len(response) < len(first) + len(last):
        return False
    position, end = len(first), len(response) - len(last)
    if not response.endswith(last):
        return False
    for piece in middle:
        found = response.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def short_answer(answers: Sequence[Choice], response: str, *, case_sensitive: bool = False) -> Choice | None:
    """The first answer the response matches (Moodle's order), or None."""
    return next((a for a in answers if wildcard_match(a.text, response, case_sensitive=case_sensitive)), None)


def numerical(answers: Sequence[Choice], response: str) -> Choice | None:
    """The first answer whose value ± tolerance holds the response (``*`` matches any number), or None."""
    value = formats.number(response.replace(",", "."))
    if value is None:
        return None
    for answer in answers:
        if answer.text == formats.ANY_OTHER:
            return answer
        target = Decimal(answer.text)
        if abs(value - target) <= (answer.tolerance or Decimal(0)):
            return answer
    return None


# --- the share of a question's mark a response earns ---------------------------------------------------------
# Responses: a choice's index (one answer), a set of indices (several), True/False, a text (short answer,
# numerical), a mapping pair index -> answer (matching).
ZERO, ONE = Decimal(0), Decimal(1)


def _clamp(value: Decimal) -> Decimal:
    """A question never gives less than nothing nor more than its mark."""
    return min(max(value, ZERO), ONE)


def fraction(item: formats.Item, response: object) -> Decimal | None:
    """The share of the question's mark (0 to 1, exact) the response earns; None when a person grades it
    (an essay) or it has no mark (a description). A response of the wrong shape earns nothing."""
    hundred = formats.HUNDRED
    kind = item.qtype
    if kind in (formats.ESSAY, formats.DESCRIPTION):
        return None
    if kind == formats.MULTICHOICE and item.single:
        if isinstance(response, bool) or not isinstance(response, int) or not 0 <= response < len(item.answers):
            return ZERO
        return _clamp(item.answers[response].fraction / hundred)
    if kind == formats.MULTICHOICE:
        chosen = response if isinstance(response, (set, frozenset)) else set()
        valid = [i for i in chosen if isinstance(i, int) and 0 <= i < len(item.answers)]
        return _clamp(sum((item.answers[i].fraction for i in valid), ZERO) / hundred)
    if kind == formats.TRUEFALSE:
        if not isinstance(response, bool):
            return ZERO
        answer = next(a for a in item.answers if a.text == ("true" if response else "false"))
        return answer.fraction / hundred
    if kind in (formats.SHORTANSWER, formats.NUMERICAL):
        if not isinstance(response, str):
            return ZERO
        found = (
            short_answer(item.answers, response, case_sensitive=item.case_sensitive)
            if kind == formats.SHORTANSWER
            else numerical(item.answers, response)
        )
        return _clamp(found.fraction / hundred) if found else ZERO
    if kind == formats.MATCHING:
        pairs = [(i, p) for i, p in enumerate(item.pairs) if p.text.strip()]
        given = response if isinstance(response, dict) else {}
        right = sum(1 for i, p in pairs if given.get(i) == p.answer)
        return Decimal(right) / Decimal(len(pairs)) if pairs else ZERO
    return ZERO


def mark(item: formats.Item, response: object) -> Decimal | None:
    """The mark earned, exact: the question's default mark times the share (rounded only when shown)."""
    share = fraction(item, response)
    return None if share is None else item.default_mark * share


def counted(scores: Sequence[Decimal], method: str) -> Decimal | None:
    """The score that counts among a student's submitted attempts, in the order they were taken: the best,
    the last, the first, or their average (exact; None without any)."""
    if not scores:
        return None
    if method == "last":
        return scores[-1]
    if method == "first":
        return scores[0]
    if method == "average":
        return sum(scores, Decimal(0)) / len(scores)
    return max(scores)


# --- what a review shows ------------------------------------------------------------------------------------
def matched(item: formats.Item, response: object) -> list[Choice]:
    """The answers a response picked or matched, whose feedback a review shows (Moodle's order)."""
    kind = item.qtype
    if kind == formats.MULTICHOICE:
        chosen = {response} if item.single else (response if isinstance(response, (set, frozenset)) else set())
        return [a for i, a in enumerate(item.answers) if i in chosen]
    if kind == formats.TRUEFALSE and isinstance(response, bool):
        return [a for a in item.answers if a.text == ("true" if response else "false")]
    if kind in (formats.SHORTANSWER, formats.NUMERICAL) and isinstance(response, str) and response.strip():
        found = (
            short_answer(item.answers, response, case_sensitive=item.case_sensitive)
            if kind == formats.SHORTANSWER
            else numerical(item.answers, response)
        )
        return [found] if found else []
    return []


def right_answers(item: formats.Item) -> list[Choice]:
    """The answers worth full marks (for several answers: every one worth something)."""
    if item.qtype == formats.MULTICHOICE and not item.single:
        return [a for a in item.answers if a.fraction > 0]
    return [a for a in item.answers if a.fraction == formats.HUNDRED and a.text != formats.ANY_OTHER]
