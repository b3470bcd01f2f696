"""Notes et compétences: models.

* ``Evaluation``: a teacher's test for a class or a group, in one subject and one period, with its
  coefficient, its scale (out of 20 or another maximum), the competencies it assesses, how a "not handed
  in" counts, and when its marks become visible to families (``publish_at``).
* ``Mark``: one student's result in an evaluation: a value (Decimal, 2 places, within the scale) or a code
  families know (Abs, Disp, NN, NR). At most one per student and evaluation.
* ``SubjectCoefficient``: the weight of a subject in the overall average, per establishment and level
  (``5e``, ``2nde``...); a subject without a row weighs 1.
* ``CompetencyAssessment``: a level of mastery (1 to 4) of one component of the socle commun, reached in an
  evaluation or assessed directly.

Averages are not stored: they are computed by ``grades.queries`` with the rule of ``grades.averages``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import EstablishmentScoped, Group, Period, SchoolClass, Subject, User


class Component(models.TextChoices):
    """The eight components of the five domains of the socle commun (collège)."""

    D1_1 = "D1.1", _("D1.1 Langue française à l'oral et à l'écrit")
    D1_2 = "D1.2", _("D1.2 Langues étrangères et régionales")
    D1_3 = "D1.3", _("D1.3 Langages mathématiques, scientifiques et informatiques")
    D1_4 = "D1.4", _("D1.4 Langages des arts et du corps")
    D2 = "D2", _("D2 Méthodes et outils pour apprendre")
    D3 = "D3", _("D3 Formation de la personne et du citoyen")
    D4 = "D4", _("D4 Systèmes naturels et systèmes techniques")
    D5 = "D5", _("D5 Représentations du monde et activité humaine")


class MasteryLevel(models.IntegerChoices):
    """The four levels of mastery of the socle commun (the points of the brevet: 10, 25, 40, 50)."""

    INSUFFICIENT = 1, _("Maîtrise insuffisante")
    FRAGILE = 2, _("Maîtrise fragile")
    SATISFACTORY = 3, _("Maîtrise satisfaisante")
    VERY_GOOD = 4, _("Très bonne maîtrise")


class Evaluation(EstablishmentScoped):
    """A test given to a class or a group, whose marks count in the period's averages."""

    teacher = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("enseignant"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+", verbose_name=_("matière"))
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("classe")
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("groupe")
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("période"))
    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date"))
    coefficient = models.DecimalField(
        _("coefficient"), max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )
    scale = models.DecimalField(
        _("noté sur"), max_digits=5, decimal_places=2, default=Decimal(20), validators=[MinValueValidator(1)]
    )
    not_handed_in_counts_zero = models.BooleanField(
        _("« non rendu » compte zéro"),
        default=True,
        help_text=_("Sinon, un devoir non rendu est laissé hors de la moyenne."),
    )
    competencies = models.JSONField(_("compétences évaluées"), default=list, blank=True)
    publish_at = models.DateTimeField(_("visible par les familles à partir du"))
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Quand les élèves et les familles ont été prévenus de la publication.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(school_class__isnull=False) & Q(group__isnull=True))
                | (Q(school_class__isnull=True) & Q(group__isnull=False)),
                name="evaluation_class_or_group",
            ),
            models.CheckConstraint(condition=Q(coefficient__gte=0), name="evaluation_coefficient_positive"),
            models.CheckConstraint(condition=Q(scale__gte=1), name="evaluation_scale_positive"),
        ]
        indexes = [
            models.Index(fields=["establishment", "period", "school_class"], name="evaluation_estab_period_class"),
            models.Index(fields=["establishment", "period", "group"], name="evaluation_estab_period_group"),
            models.Index(fields=["establishment", "publish_at"], name="evaluation_estab_publish"),
        ]

    def __str__(self) -> str:
        return self.title


class Mark(EstablishmentScoped):
    """One student's result in one evaluation: a value within the scale, or a code."""

    class Code(models.TextChoices):
        NONE = "", _("Note")
        ABSENT = "ABS", _("Absent")
        EXEMPTED = "DISP", _("Dispensé")
        NOT_GRADED = "NN", _("Non noté")
        NOT_HANDED_IN = "NR", _("Non rendu")

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("élève"))
    value = models.DecimalField(_("note"), max_digits=5, decimal_places=2, null=True, blank=True)
    code = models.CharField(_("code"), max_length=4, choices=Code.choices, blank=True, default="")
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "student"], name="mark_unique"),
            models.CheckConstraint(
                condition=(Q(code="") & Q(value__isnull=False) & Q(value__gte=0))
                | (~Q(code="") & Q(value__isnull=True)),
                name="mark_value_or_code",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "student"], name="grade_estab_student")]

    def __str__(self) -> str:
        return self.code or str(self.value)


class SubjectCoefficient(EstablishmentScoped):
    """How much a subject weighs in the overall average of one level (1 when no row says otherwise)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="+", verbose_name=_("matière"))
    level = models.CharField(_("niveau"), max_length=40)
    coefficient = models.DecimalField(
        _("coefficient"), max_digits=5, decimal_places=2, default=Decimal(1), validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("coefficient de matière")
        verbose_name_plural = _("coefficients de matière")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "level", "subject"], name="subject_coefficient_unique"),
            models.CheckConstraint(condition=Q(coefficient__gte=0), name="subject_coefficient_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.level}: {self.coefficient}"


class CompetencyAssessment(EstablishmentScoped):
    """A student's level of mastery of one component, in an evaluation or assessed directly."""

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("élève"))
    component = models.CharField(_("composante"), max_length=4, choices=Component.choices)
    level = models.PositiveSmallIntegerField(_("niveau de maîtrise"), choices=MasteryLevel.choices)
    evaluation = models.ForeignKey(
        Evaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="competency_assessments"
    )
    subject = models.ForeignKey(Subject, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+", verbose_name=_("période"))
    assessed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    publish_at = models.DateTimeField(_("visible par les familles à partir du"))

    class Meta:
        verbose_name = _("positionnement sur une compétence")
        verbose_name_plural = _("positionnements sur les compétences")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "student", "component"],
                condition=Q(evaluation__isnull=False),
                name="competency_one_per_evaluation",
            ),
            models.CheckConstraint(condition=Q(level__gte=1) & Q(level__lte=4), name="competency_level_range"),
        ]
        indexes = [models.Index(fields=["establishment", "student", "period"], name="competency_estab_student")]

    def __str__(self) -> str:
        return f"{self.component}: {self.level}"
