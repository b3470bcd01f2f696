"""School life (vie scolaire) models: roll calls, absences, lateness, justifications.

* ``RollCall``: the call of one lesson (a timetable lesson, by its stable ``lesson_key``), with one
  ``Mark`` per student; corrections after validation leave a ``MarkChange`` (the visible history).
* ``Absence``: a span of time a student missed, made from consecutive absent marks of one day, declared
  ahead by a guardian, or entered by the vie scolaire. Counted in half-days (morning, afternoon).
* ``Lateness``: a student came in late, by so many minutes.
* ``Justification``: a family's explanation of an absence or a lateness (reason, comment, document),
  accepted or refused by the vie scolaire.
* ``AbsenceReason``: the establishment's list of motifs; ``AttendanceSettings``: its alert thresholds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import EstablishmentScoped, TeachingAssignment, User

# A lesson starting before noon is in the morning; the afternoon starts at noon.
NOON = dt.time(12, 0)
DEFAULT_REASONS = [
    _("Maladie"),
    _("Rendez-vous médical"),
    _("Raison familiale"),
    _("Transport"),
    _("Convocation"),
    _("Autre"),
]
# The value a form gives a default motif the establishment has not written yet (``defaut-0``...).
BUILT_IN_PREFIX = "defaut-"


@dataclass(frozen=True)
class BuiltInReason:
    """A default motif shown while the establishment has no motif of its own: reading never writes; the
    first write that uses one (``actions.ensure_default_reasons``) gives the establishment the whole list."""

    index: int
    is_active = True

    @property
    def pk(self) -> str:
        return f"{BUILT_IN_PREFIX}{self.index}"

    @property
    def label(self) -> str:
        return str(DEFAULT_REASONS[self.index])

    def __str__(self) -> str:
        return self.label

    @classmethod
    def from_value(cls, value: str) -> BuiltInReason | None:
        """The default motif a form value names (``defaut-<n>``), or None."""
        if not value.startswith(BUILT_IN_PREFIX):
            return None
        try:
            index = int(value.removeprefix(BUILT_IN_PREFIX))
        except ValueError:
            return None
        return cls(index) if 0 <= index < len(DEFAULT_REASONS) else None


def built_in_reasons() -> list[BuiltInReason]:
    return [BuiltInReason(index) for index in range(len(DEFAULT_REASONS))]


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def half_days(
    start: dt.datetime,
    end: dt.datetime,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    skip: Callable[[dt.date], bool] | None = is_weekend,
) -> set[tuple[dt.date, int]]:
    """The half-days ``(date, 0 for morning or 1 for afternoon)`` that ``[start, end)`` touches on school
    days, optionally only those from ``first`` to ``last``. A day is left out when ``skip(day)``: by default
    Saturdays and Sundays; the counts also leave out the establishment's non-school days, and count every
    day for an absence taken at a roll call (a lesson was held then)."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    found: set[tuple[dt.date, int]] = set()
    if end <= start:
        return found
    day = start.date()
    while day <= end.date():
        if (skip is None or not skip(day)) and (first is None or day >= first) and (last is None or day <= last):
            tz = start.tzinfo
            morning = (dt.datetime.combine(day, dt.time(0), tz), dt.datetime.combine(day, NOON, tz))
            afternoon = (morning[1], dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tz))
            for index, (lo, hi) in enumerate((morning, afternoon)):
                if start < hi and end > lo:
                    found.add((day, index))
        day += dt.timedelta(days=1)
    return found


class Status(models.TextChoices):
    """Whether an absence or a lateness is explained."""

    PENDING = "pending", _("À justifier")
    JUSTIFIED = "justified", _("Justifiée")
    UNJUSTIFIED = "unjustified", _("Non justifiée")


class AttendanceSettings(EstablishmentScoped):
    """An establishment's alert thresholds (defaults when it has none)."""

    lateness_threshold = models.PositiveSmallIntegerField(
        _("retards avant alerte"),
        default=3,
        help_text=_("Nombre de retards sur la période qui alerte la vie scolaire."),
    )
    lateness_window_days = models.PositiveSmallIntegerField(_("période des retards (jours)"), default=30)
    half_day_threshold = models.PositiveSmallIntegerField(
        _("demi-journées non justifiées avant signalement"), default=4
    )

    class Meta:
        verbose_name = _("réglages de la vie scolaire")
        verbose_name_plural = _("réglages de la vie scolaire")
        constraints = [models.UniqueConstraint(fields=["establishment"], name="attendance_settings_unique")]

    def __str__(self) -> str:
        return str(self.establishment_id)


class AbsenceReason(EstablishmentScoped):
    """A motif of absence, from the establishment's own list."""

    label = models.CharField(_("motif"), max_length=80)
    position = models.PositiveSmallIntegerField(_("rang"), default=0)
    is_active = models.BooleanField(_("proposé"), default=True)

    class Meta:
        verbose_name = _("motif d'absence")
        verbose_name_plural = _("motifs d'absence")
        ordering = ["position", "label"]
        constraints = [models.UniqueConstraint(fields=["establishment", "label"], name="absence_reason_unique")]

    def __str__(self) -> str:
        return self.label


class State(models.TextChoices):
    """What the roll call says of a student in one lesson."""

    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")
    LATE = "late", _("En retard")
    DISPENSED = "dispensed", _("Dispensé")
    INFIRMARY = "infirmary", _("À l'infirmerie")
    OUTING = "outing", _("En sortie scolaire")


class RollCall(EstablishmentScoped):
    """The roll call of one lesson, identified by the timetable's lesson key."""

    lesson_key = models.CharField(_("séance"), max_length=40)
    date = models.DateField(_("date"))
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.CASCADE, related_name="+")
    called_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("fait par"))
    validated_at = models.DateTimeField(_("validé le"))
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        ordering = ["-start"]
        constraints = [models.UniqueConstraint(fields=["establishment", "lesson_key"], name="rollcall_unique_lesson")]
        indexes = [models.Index(fields=["establishment", "date"], name="rollcall_estab_date")]

    def __str__(self) -> str:
        return self.lesson_key


class Absence(EstablishmentScoped):
    """A span of time a student missed."""

    class Source(models.TextChoices):
        ROLL_CALL = "roll_call", _("Appel")
        DECLARED = "declared", _("Déclarée par la famille")
        STAFF = "staff", _("Saisie par la vie scolaire")

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("élève"))
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    reason = models.ForeignKey(
        AbsenceReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("motif")
    )
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(_("commentaire"), blank=True)
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(_("famille prévenue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["-start"]
        constraints = [models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="absence_end_after_start")]
        indexes = [
            models.Index(fields=["establishment", "student", "start"], name="absence_estab_student"),
            models.Index(fields=["establishment", "start"], name="absence_estab_start"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.start:%Y-%m-%d %H:%M}"

    @property
    def half_day_count(self) -> int:
        """The half-days it spans (weekends left out, unless a roll call saw it; see ``half_days``)."""
        return len(half_days(self.start, self.end, skip=None if self.source == self.Source.ROLL_CALL else is_weekend))


class Lateness(EstablishmentScoped):
    """A student came in late."""

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("élève"))
    at = models.DateTimeField(_("heure du cours"))
    minutes = models.PositiveSmallIntegerField(_("minutes de retard"))
    reason = models.ForeignKey(
        AbsenceReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("motif")
    )
    status = models.CharField(_("état"), max_length=12, choices=Status.choices, default=Status.PENDING)
    comment = models.TextField(_("commentaire"), blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("retard")
        verbose_name_plural = _("retards")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["establishment", "student", "at"], name="lateness_estab_student"),
            models.Index(fields=["establishment", "at"], name="lateness_estab_at"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.at:%Y-%m-%d %H:%M} +{self.minutes}"


class Mark(EstablishmentScoped):
    """What the roll call says of one student in one lesson."""

    roll_call = models.ForeignKey(RollCall, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("élève"))
    state = models.CharField(_("état"), max_length=12, choices=State.choices, default=State.PRESENT)
    minutes = models.PositiveSmallIntegerField(_("minutes de retard"), null=True, blank=True)
    absence = models.ForeignKey(Absence, null=True, blank=True, on_delete=models.SET_NULL, related_name="marks")
    lateness = models.ForeignKey(Lateness, null=True, blank=True, on_delete=models.SET_NULL, related_name="marks")

    class Meta:
        verbose_name = _("état à l'appel")
        verbose_name_plural = _("états à l'appel")
        constraints = [models.UniqueConstraint(fields=["roll_call", "student"], name="mark_unique_student")]
        indexes = [models.Index(fields=["establishment", "student"], name="mark_estab_student")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.state}"


class MarkChange(EstablishmentScoped):
    """A correction of a mark after the roll call was validated (the visible history)."""

    roll_call = models.ForeignKey(RollCall, on_delete=models.CASCADE, related_name="changes")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    before = models.CharField(_("avant"), max_length=12, choices=State.choices)
    after = models.CharField(_("après"), max_length=12, choices=State.choices)
    before_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    after_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("correction d'appel")
        verbose_name_plural = _("corrections d'appel")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["establishment", "roll_call"], name="markchange_estab_rollcall")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.before} -> {self.after}"


class Justification(EstablishmentScoped):
    """A family's explanation of an absence or a lateness, decided by the vie scolaire."""

    class Decision(models.TextChoices):
        SUBMITTED = "submitted", _("En attente de décision")
        ACCEPTED = "accepted", _("Acceptée")
        REFUSED = "refused", _("Refusée")

    absence = models.ForeignKey(Absence, null=True, blank=True, on_delete=models.CASCADE, related_name="justifications")
    lateness = models.ForeignKey(
        Lateness, null=True, blank=True, on_delete=models.CASCADE, related_name="justifications"
    )
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.ForeignKey(AbsenceReason, on_delete=models.PROTECT, related_name="+", verbose_name=_("motif"))
    comment = models.TextField(_("commentaire"), blank=True)
    document = models.FileField(_("justificatif"), upload_to="attendance/%Y/%m/", blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    decision = models.CharField(_("décision"), max_length=12, choices=Decision.choices, default=Decision.SUBMITTED)
    decision_message = models.TextField(_("message de la vie scolaire"), blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("envoyée le"))

    class Meta:
        verbose_name = _("justification")
        verbose_name_plural = _("justifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(absence__isnull=False) & Q(lateness__isnull=True))
                | (Q(absence__isnull=True) & Q(lateness__isnull=False)),
                name="justification_one_target",
            )
        ]
        indexes = [models.Index(fields=["establishment", "decision"], name="justification_estab_decision")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.decision}"
