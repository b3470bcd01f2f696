"""Homework log models.

* ``LogEntry``: what was done in one lesson (an official class document since 2011).
* ``Homework``: work set for a later date — exercise, reading, revision for a test, work to hand in, or an
  announced test — with an estimated time; the workload guard sums them per class and day.
* ``HomeworkDone``: a student's private tick.
* ``Submission``, ``SubmissionFile`` and ``Feedback``: work handed in online and the teacher's return.
* ``WorkloadThresholds``: the establishment's limits, set by the direction.

Entries and homework are prepared ahead and become visible at ``published_at``. Rich text is stored
sanitized (``cartable.core.richtext``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import Establishment, EstablishmentScoped, TeachingAssignment, User


class LogEntry(EstablishmentScoped):
    """The content of one lesson, written by its teacher."""

    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.CASCADE, related_name="log_entries")
    date = models.DateField(_("date de la séance"))
    start_time = models.TimeField(_("heure de la séance"), null=True, blank=True)
    lesson_key = models.CharField(
        _("séance"), max_length=40, blank=True, help_text=_("Clé de la séance (emploi du temps).")
    )
    title = models.CharField(_("titre"), max_length=200)
    content = models.TextField(_("contenu"), blank=True)
    published_at = models.DateTimeField(_("visible à partir du"))
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("séance du cahier de textes")
        verbose_name_plural = _("séances du cahier de textes")
        ordering = ["-date", "-start_time"]
        indexes = [models.Index(fields=["establishment", "assignment", "date"], name="logentry_estab_assign_date")]

    def __str__(self) -> str:
        return self.title


class Homework(EstablishmentScoped):
    """Work set for a class or group, due on a date (optionally at a lesson)."""

    class Kind(models.TextChoices):
        EXERCISE = "exercise", _("Exercices")
        READING = "reading", _("Lecture")
        REVISION = "revision", _("Réviser un contrôle")
        HAND_IN = "hand_in", _("Travail à rendre")
        TEST = "test", _("Contrôle annoncé")

    class LatePolicy(models.TextChoices):
        ACCEPT = "accept", _("Accepté, signalé en retard")
        REFUSE = "refuse", _("Refusé après l'échéance")

    assignment = models.ForeignKey(TeachingAssignment, on_delete=models.CASCADE, related_name="homework")
    log_entry = models.ForeignKey(
        LogEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="homework",
        verbose_name=_("donné lors de la séance"),
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.EXERCISE)
    title = models.CharField(_("intitulé"), max_length=200)
    instructions = models.TextField(_("consignes"), blank=True)
    due_date = models.DateField(_("pour le"))
    due_time = models.TimeField(_("à l'heure"), null=True, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(_("durée estimée (minutes)"), default=0)
    published_at = models.DateTimeField(_("visible à partir du"))
    accepts_submissions = models.BooleanField(_("dépôt en ligne"), default=False)
    submission_deadline = models.DateTimeField(_("à déposer avant le"), null=True, blank=True)
    late_policy = models.CharField(_("retard"), max_length=8, choices=LatePolicy.choices, default=LatePolicy.ACCEPT)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, help_text=_("Augmente à chaque modification publiée."))
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Quand les élèves et les familles ont été prévenus de sa publication.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("devoir")
        verbose_name_plural = _("devoirs")
        ordering = ["due_date", "due_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepts_submissions=False) | Q(submission_deadline__isnull=False),
                name="homework_submission_deadline",
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "due_date"], name="homework_estab_due"),
            models.Index(fields=["establishment", "assignment", "due_date"], name="homework_estab_assign_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_test(self) -> bool:
        return self.kind == self.Kind.TEST


class Attachment(EstablishmentScoped):
    """A file attached by a teacher to a log entry or a homework (checked by content, stored under a
    generated name, served only through an authorized view)."""

    log_entry = models.ForeignKey(LogEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    homework = models.ForeignKey(Homework, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to="homework/%Y/%m/")
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        constraints = [
            models.CheckConstraint(
                condition=(Q(log_entry__isnull=False) & Q(homework__isnull=True))
                | (Q(log_entry__isnull=True) & Q(homework__isnull=False)),
                name="attachment_one_parent",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


class Link(EstablishmentScoped):
    """A web link attached to a log entry or a homework."""

    log_entry = models.ForeignKey(LogEntry, null=True, blank=True, on_delete=models.CASCADE, related_name="links")
    homework = models.ForeignKey(Homework, null=True, blank=True, on_delete=models.CASCADE, related_name="links")
    url = models.URLField(_("adresse"), max_length=500)
    label = models.CharField(_("libellé"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("lien")
        verbose_name_plural = _("liens")
        constraints = [
            models.CheckConstraint(
                condition=(Q(log_entry__isnull=False) & Q(homework__isnull=True))
                | (Q(log_entry__isnull=True) & Q(homework__isnull=False)),
                name="link_one_parent",
            )
        ]

    def __str__(self) -> str:
        return self.label or self.url


class HomeworkDone(models.Model):
    """A student ticked a homework as done (private to the student and their guardians)."""

    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="done_marks")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="homework_done")
    done_at = models.DateTimeField(auto_now_add=True, verbose_name=_("coché le"))

    class Meta:
        verbose_name = _("devoir fait")
        verbose_name_plural = _("devoirs faits")
        constraints = [models.UniqueConstraint(fields=["homework", "student"], name="homeworkdone_unique")]

    def __str__(self) -> str:
        return f"{self.student} ✓ {self.homework}"


class Submission(EstablishmentScoped):
    """A student's work handed in online; replaceable until the deadline (one row per student)."""

    homework = models.ForeignKey(Homework, on_delete=models.CASCADE, related_name="submissions")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="submissions")
    text = models.TextField(_("réponse"), blank=True)
    submitted_at = models.DateTimeField(_("déposé le"))
    is_late = models.BooleanField(_("en retard"), default=False)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("dépôt")
        verbose_name_plural = _("dépôts")
        constraints = [models.UniqueConstraint(fields=["homework", "student"], name="submission_unique")]
        indexes = [models.Index(fields=["establishment", "homework"], name="submission_estab_homework")]

    def __str__(self) -> str:
        return f"{self.student} — {self.homework}"


class SubmissionFile(EstablishmentScoped):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="submissions/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fichier déposé")
        verbose_name_plural = _("fichiers déposés")

    def __str__(self) -> str:
        return self.original_name


class Feedback(EstablishmentScoped):
    """The teacher's return on a submission: comments, an optional corrected file and mark."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="feedback")
    text = models.TextField(_("commentaire"), blank=True)
    corrected_file = models.FileField(_("copie corrigée"), upload_to="feedback/%Y/%m/", blank=True)
    corrected_name = models.CharField(max_length=200, blank=True)
    mark = models.DecimalField(_("note"), max_digits=5, decimal_places=2, null=True, blank=True)
    mark_out_of = models.PositiveSmallIntegerField(_("sur"), default=20)
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    returned_at = models.DateTimeField(_("rendu le"))

    class Meta:
        verbose_name = _("retour")
        verbose_name_plural = _("retours")
        constraints = [
            models.CheckConstraint(
                condition=Q(mark__isnull=True) | (Q(mark__gte=0) & Q(mark__lte=models.F("mark_out_of"))),
                name="feedback_mark_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.submission}"


class WorkloadThresholds(models.Model):
    """The establishment's limits for one class, set by the direction."""

    establishment = models.OneToOneField(Establishment, on_delete=models.CASCADE, related_name="workload_thresholds")
    max_tests_per_day = models.PositiveSmallIntegerField(_("contrôles par jour"), default=1)
    max_minutes_per_day = models.PositiveSmallIntegerField(_("minutes de devoirs par jour"), default=90)
    max_tests_per_week = models.PositiveSmallIntegerField(_("contrôles par semaine"), default=3)

    class Meta:
        verbose_name = _("seuils de charge de travail")
        verbose_name_plural = _("seuils de charge de travail")

    def __str__(self) -> str:
        return str(self.establishment)
