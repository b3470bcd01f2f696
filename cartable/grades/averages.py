"""The averaging rule, in one place (pure functions: the reference for the SQL and the hypothesis tests).

The rule, as shown to families (page footers, help, report cards):

1. A mark counts when it has a value, or when it is "non rendu" (NR) and its evaluation says NR counts as
   zero. Absent (Abs), exempted (Disp), not graded (NN) — and NR when the evaluation leaves it out — never
   count.
2. Each counted mark is brought to /20 (``value × 20 / scale``) and weighted by its evaluation's coefficient.
   A student's **subject average** for a period is the weighted mean, computed exactly (fractions), then
   rounded **once**, half up (``ROUND_HALF_UP``), to 2 decimals: 12.345 -> 12.35, 12.3449 -> 12.34. No
   counted mark, or only coefficients 0: no average (``None``), never 0.
3. The **overall average** is the weighted mean of the student's *rounded* subject averages, weighted by the
   subject coefficients of the student's level (1 by default), rounded the same way. Anyone can check it
   from the numbers on the page with a calculator.
4. The **class average** of a subject (or of an evaluation, or of the overall averages) is the plain mean of
   the students' rounded averages (of their marks on the evaluation's own scale, for an evaluation),
   rounded the same way; minimum and maximum are those of the same numbers.

No float is ever involved: the database sums exact integers (hundredths, see ``grades.queries``) and the
one division per average happens here, on :class:`fractions.Fraction`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

TWENTY = Decimal(20)
CENTS = Decimal("0.01")
ROUNDING = ROUND_HALF_UP
PLACES = 2

Number = Decimal | Fraction | int


def quantize(value: Number | None) -> Decimal | None:
    """Round an exact number half up to 2 decimals (``None`` stays ``None``)."""
    if value is None:
        return None
    fraction = Fraction(value)
    sign = -1 if fraction < 0 else 1
    fraction = abs(fraction)
    # floor(x * 100 + 1/2), in integers: exact whatever the denominator.
    hundredths = (fraction.numerator * 200 + fraction.denominator) // (2 * fraction.denominator)
    return (Decimal(sign * hundredths) / 100).quantize(CENTS)


def to_twenty(value: Decimal, scale: Decimal) -> Fraction:
    """A value out of ``scale`` brought to /20, exactly."""
    return Fraction(value) * 20 / Fraction(scale)


@dataclass(frozen=True)
class MarkInput:
    """What the rule needs of a mark: its value or code, and its evaluation's coefficient, scale and NR rule."""

    value: Decimal | None
    code: str = ""
    coefficient: Decimal = Decimal(1)
    scale: Decimal = TWENTY
    not_handed_in_counts_zero: bool = True

    def counted_value(self) -> Decimal | None:
        """The value that counts (0 for a counted NR), or ``None`` when the mark is left out."""
        if self.code == "":
            return self.value
        if self.code == "NR" and self.not_handed_in_counts_zero:
            return Decimal(0)
        return None


def exact_subject_average(marks: Iterable[MarkInput]) -> Fraction | None:
    """The exact weighted mean /20 of the counted marks (rule 2, before rounding)."""
    numerator, weights = Fraction(0), Fraction(0)
    for mark in marks:
        value = mark.counted_value()
        if value is None:
            continue
        weight = Fraction(mark.coefficient)
        numerator += to_twenty(value, mark.scale) * weight
        weights += weight
    if weights == 0:
        return None
    return numerator / weights


def subject_average(marks: Iterable[MarkInput]) -> Decimal | None:
    """A student's subject average for a period (rule 2)."""
    return quantize(exact_subject_average(marks))


def weighted_mean(pairs: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    """Rounded weighted mean of ``(value, weight)`` pairs, skipping ``None`` values (rule 3)."""
    numerator, weights = Fraction(0), Fraction(0)
    for value, weight in pairs:
        if value is None:
            continue
        numerator += Fraction(value) * Fraction(weight)
        weights += Fraction(weight)
    if weights == 0:
        return None
    return quantize(numerator / weights)


def overall_average(subjects: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    """The overall average from ``(rounded subject average, subject coefficient)`` pairs (rule 3)."""
    return weighted_mean(subjects)


@dataclass(frozen=True)
class Stats:
    """Class average, minimum and maximum of a list of averages, and how many there were."""

    average: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    count: int = 0


def stats(values: Iterable[Decimal | None]) -> Stats:
    """Mean (rounded, rule 4), minimum and maximum of the values that are not ``None``."""
    present = [v for v in values if v is not None]
    if not present:
        return Stats()
    mean = quantize(sum((Fraction(v) for v in present), Fraction(0)) / len(present))
    return Stats(average=mean, minimum=min(present), maximum=max(present), count=len(present))


def from_hundredths_sums(parts: Iterable[tuple[int, int, int]]) -> Fraction | None:
    """The exact subject average from the database's integer sums, one part per scale.

    Each part is ``(scale × 100, Σ (value × 100)(coefficient × 100), Σ coefficient × 100)`` over the counted
    marks of that scale. Since ``value × 20 / scale × coefficient = 20 · V · C / (S · 100)`` and
    ``Σ coefficient = Σ C / 100``, the average is ``Σ_parts (20 · ΣVC / S) / Σ_parts ΣC``.
    """
    numerator, weights = Fraction(0), 0
    for scale_h, sum_vc, sum_c in parts:
        if not sum_c:
            continue
        numerator += Fraction(20 * sum_vc, scale_h)
        weights += sum_c
    if weights == 0:
        return None
    return numerator / weights
