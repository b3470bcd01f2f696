"""Timetable models: the weekly pattern of lessons (slots), its exceptions (changes), rooms, non-school days.

A lesson on a given date is not stored: it is computed from the slots that apply that week (every week,
or only A or B weeks) minus the non-school days, then the changes of that date are applied (cancelled,
room changed, substitute teacher, moved) and exceptional lessons are added. See ``queries.py``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, EstablishmentScoped, Fed, TeachingAssignment, User

# A room named by a bare code (« B12 », « 105 », « A-204 », « 12b ») is shown as « salle B12 »; a room whose
# name already says what it is (« Salle 105 », « Gymnase », « Labo 1 », « CDI ») is shown as it is named.
ROOM_CODE = re.compile(r"^[A-Za-z]{0,3}[- ]?\d+[A-Za-z]?$")


def room_label(name: str) -> str:
    """How a room is written beside a lesson: « salle B12 », but « Salle 105 » or « Gymnase » as named."""
    name = (name or "").strip()
    if not name:
        return ""
    return gettext("salle %(room)s") % {"room": name} if ROOM_CODE.match(name) else name


class Room(EstablishmentScoped):
    name = models.CharField(_("nom"), max_length=60)
    capacity = models.PositiveSmallIntegerField(_("capacité"), null=True, blank=True)

    class Meta:
        verbose_name = _("salle")
        verbose_name_plural = _("salles")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["establishment", "name"], name="room_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return room_label(self.name)


class TimetableSettings(models.Model):
    """Per establishment: which Monday starts a week A (weeks then alternate A, B, A...)."""

    establishment = models.OneToOneField(Establishment, on_delete=models.CASCADE, related_name="timetable_settings")
    week_a_monday = models.DateField(_("un lundi de semaine A"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("réglages de l'emploi du temps")
        verbose_name_plural = _("réglages de l'emploi du temps")

    def __str__(self) -> str:
        return str(self.establishment)

    def week_of(self, day: dt.date) -> str:
        """'A' or 'B' for the week containing ``day``."""
        monday = day - dt.timedelta(days=day.weekday())
        return "A" if ((monday - self.week_a_monday).days // 7) % 2 == 0 else "B"


class NonSchoolDay(EstablishmentScoped):
    """Holidays and other days without lessons (a span of dates, both ends included)."""

    label = models.CharField(_("libellé"), max_length=120)
    start_date = models.DateField(_("du"))
    end_date = models.DateField(_("au"))

    class Meta:
        verbose_name = _("jour sans cours")
        verbose_name_plural = _("jours sans cours")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="nonschoolday_dates")
        ]
        indexes = [models.Index(fields=["establishment", "start_date"], name="nonschoolday_estab_start")]

    def __str__(self) -> str:
        return self.label


class Weeks(models.TextChoices):
    ALL = "all", _("Toutes les semaines")
    A = "A", _("Semaine A")
    B = "B", _("Semaine B")


class Slot(EstablishmentScoped, Fed):
    """A weekly lesson: a teaching assignment (teacher, subject, class or group) on a weekday and time.

    ``fed_by`` says who owns it: empty when made by hand (or by the CSV import), ``edt`` or ``udt`` when a
    timetable software's export wrote it; the next export import replaces those and no others."""

    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("jour"), help_text=_("0 = lundi … 5 = samedi"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="slots")
    weeks = models.CharField(_("semaines"), max_length=3, choices=Weeks.choices, default=Weeks.ALL)
    valid_from = models.DateField(_("à partir du"))
    valid_until = models.DateField(_("jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("cours hebdomadaire")
        verbose_name_plural = _("cours hebdomadaires")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="slot_times"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=5), name="slot_weekday"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="slot_validity",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "weekday"], name="slot_estab_weekday")]

    def __str__(self) -> str:
        return f"{self.assignment} {self.weekday} {self.start_time:%H:%M}"


class LessonChange(EstablishmentScoped):
    """An exception to the timetable on one date: a lesson cancelled, moved to another room, taught by a
    substitute, or an exceptional lesson added (then ``slot`` is empty and ``assignment`` is set)."""

    class Kind(models.TextChoices):
        CANCELLED = "cancelled", _("Cours annulé")
        ROOM = "room", _("Changement de salle")
        SUBSTITUTE = "substitute", _("Remplacement")
        EXCEPTIONAL = "exceptional", _("Cours exceptionnel")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    slot = models.ForeignKey(Slot, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    assignment = models.ForeignKey(
        TeachingAssignment, null=True, blank=True, on_delete=models.CASCADE, related_name="lesson_changes"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("début"), null=True, blank=True)
    end_time = models.TimeField(_("fin"), null=True, blank=True)
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    substitute = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="substitutions",
        verbose_name=_("remplaçant"),
    )
    note = models.CharField(_("précision"), max_length=200, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("modification de l'emploi du temps")
        verbose_name_plural = _("modifications de l'emploi du temps")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="exceptional")
                    & Q(slot__isnull=True)
                    & Q(assignment__isnull=False)
                    & Q(start_time__isnull=False)
                    & Q(end_time__isnull=False)
                )
                | (~Q(kind="exceptional") & Q(slot__isnull=False)),
                name="lessonchange_target",
            ),
            models.UniqueConstraint(
                fields=["slot", "date"], condition=Q(slot__isnull=False), name="lessonchange_one_per_lesson"
            ),
        ]
        indexes = [models.Index(fields=["establishment", "date"], name="lessonchange_estab_date")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class TimetableImport(EstablishmentScoped):
    """One import of a timetable software's export (EDT, UDT): who, when, which file (SHA-256), from which
    date, simulated or written, and what it changed or would change, with its warnings and errors by line."""

    class Format(models.TextChoices):
        EDT = "edt", _("EDT (Index Éducation)")
        UDT = "udt", _("UDT (UnDeuxTEMPS)")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Appliqué")
        DRY_RUN = "dry_run", _("Simulé (rien d'écrit)")
        REFUSED = "refused", _("Refusé")

    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("demandé par")
    )
    started_at = models.DateTimeField(_("date"), auto_now_add=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices, blank=True)
    file_name = models.CharField(_("fichier"), max_length=200)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    valid_from = models.DateField(_("applicable à partir du"))
    dry_run = models.BooleanField(_("simulation"), default=False)
    outcome = models.CharField(_("issue"), max_length=8, choices=Outcome.choices)
    # {"slots": {"created": n, "changed": n, "ended": n, "unchanged": n}, "rooms": {...}, "assignments": {...}}
    counts = models.JSONField(_("décomptes"), default=dict)
    # [{"line": n, "message": "..."}], in the file's order
    warnings = models.JSONField(_("avertissements"), default=list)
    errors = models.JSONField(_("erreurs"), default=list)
    # The difference in words, one line per lesson (« + », « ~ » old → new, « - »), the first thousand
    changes = models.JSONField(_("différence"), default=list)

    class Meta:
        verbose_name = _("import d'emploi du temps")
        verbose_name_plural = _("imports d'emploi du temps")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["establishment", "-started_at"], name="ttimport_estab_started")]

    def __str__(self) -> str:
        return f"{self.file_name} — {self.get_outcome_display()}"

    def count(self, kind: str, outcome: str) -> int:
        return int(self.counts.get(kind, {}).get(outcome, 0))
