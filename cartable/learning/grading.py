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
