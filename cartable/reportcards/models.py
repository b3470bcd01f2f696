"""Bulletins (report cards): what the class council writes, and the PDFs it produces.

* ``SubjectAppreciation``: a subject teacher's appreciation of one student for one period.
* ``GeneralAppreciation``: the head teacher's (professeur principal) appreciation of one student.
* ``CouncilDecision``: the class council's decision and mention for one student, recorded by the direction.
* ``ReportCard``: one generated PDF, versioned. Once published it is never changed: a correction is a new
  version; the family sees the latest published one and reaches the earlier ones, marked "remplacé".
  ``data`` keeps what the PDF shows (numbers as strings), so the page and the PDF say the same thing.
* ``GenerationRun``: one background generation of a class's report cards, with its progress (done/total).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import EstablishmentScoped, Period, SchoolClass, Subject, User

# The longest subject appreciation that keeps a report card of ten subjects, each with an appreciation that
# long, on one A4 page with a general appreciation and a decision at their own limits (measured with
# ``pdf.render``: 254 characters of ordinary French; tests/test_reportcards_publish.py renders it).
MAX_APPRECIATION = 250
MAX_GENERAL = 1000
MAX_DECISION = 600


class SubjectAppreciation(EstablishmentScoped):
    """A subject teacher's appreciation of a student's work over a period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("appréciation"), max_length=600, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appréciation de discipline")
        verbose_name_plural = _("appréciations de discipline")
        constraints = [
            models.UniqueConstraint(fields=["period", "student", "subject"], name="subject_appreciation_unique")
        ]
        indexes = [
            models.Index(fields=["establishment", "school_class", "period"], name="subj_apprec_estab_class"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.subject} — {self.period}"


class GeneralAppreciation(EstablishmentScoped):
    """The head teacher's general appreciation of a student for a period."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("appréciation générale"), max_length=1000, blank=True)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("appréciation générale")
        verbose_name_plural = _("appréciations générales")
        constraints = [models.UniqueConstraint(fields=["period", "student"], name="general_appreciation_unique")]
        indexes = [
            models.Index(fields=["establishment", "school_class", "period"], name="gen_apprec_estab_class"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.period}"


class CouncilDecision(EstablishmentScoped):
    """What the class council decided for a student: a mention (or a warning) and its words."""

    class Mention(models.TextChoices):
        NONE = "", _("Aucune")
        CONGRATULATIONS = "felicitations", _("Félicitations")
        COMPLIMENTS = "compliments", _("Compliments")
        ENCOURAGEMENTS = "encouragements", _("Encouragements")
        WARNING_WORK = "avertissement_travail", _("Avertissement travail")
        WARNING_CONDUCT = "avertissement_conduite", _("Avertissement conduite")
        WARNING_BOTH = "avertissement_travail_conduite", _("Avertissement travail et conduite")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    mention = models.CharField(_("mention"), max_length=32, choices=Mention.choices, blank=True)
    decision = models.TextField(_("décision du conseil"), max_length=600, blank=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("décision du conseil de classe")
        verbose_name_plural = _("décisions du conseil de classe")
        constraints = [models.UniqueConstraint(fields=["period", "student"], name="council_decision_unique")]
        indexes = [
            models.Index(fields=["establishment", "school_class", "period"], name="council_estab_class"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.period}"


class ReportCard(EstablishmentScoped):
    """One version of a student's report card for a period: a stored PDF and the data it shows.

    A version with ``published_at`` set is immutable; families see it from that moment on.
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1)
    data = models.JSONField(_("contenu"), default=dict)
    content_hash = models.CharField(max_length=64)
    file = models.FileField(_("fichier"), upload_to="reportcards/%Y/%m/", max_length=200)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    generated_at = models.DateTimeField(_("produit le"), default=timezone.now)
    generated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    published_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["period__position", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["period", "student", "version"], name="reportcard_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="reportcard_version_positive"),
        ]
        indexes = [
            models.Index(fields=["establishment", "school_class", "period"], name="reportcard_estab_class"),
            models.Index(fields=["establishment", "student", "period"], name="reportcard_estab_student"),
        ]

    def __str__(self) -> str:
        return f"{self.student} — {self.period} — v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_visible_to_families(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()

    def filename(self) -> str:
        return f"bulletin-{self.student.last_name}-{self.student.first_name}-{self.period.name}-v{self.version}.pdf"


class GenerationRun(EstablishmentScoped):
    """The background generation of one class's report cards for a period, and how far it has gone."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        FAILED = "failed", _("Échouée")

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0, help_text=_("Bulletins nouveaux ou remplacés."))
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("production de bulletins")
        verbose_name_plural = _("productions de bulletins")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["establishment", "school_class", "period"], name="genrun_estab_class")]

    def __str__(self) -> str:
        return f"{self.school_class} — {self.period} — {self.done}/{self.total}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
