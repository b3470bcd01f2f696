"""Discipline models: incidents and the people involved, punishments (punitions scolaires) and sanctions
(article R. 511-13 of the Code de l'éducation) with the steps of their contradictory procedure."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import EstablishmentScoped, User


class Incident(EstablishmentScoped):
    """Something that happened: the facts, when and where, reported by a member of staff."""

    occurred_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=120)
    facts = models.TextField(_("faits"))
    reported_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("signalé par")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["establishment", "occurred_at"], name="incident_estab_at"),
            models.Index(fields=["establishment", "reported_by"], name="incident_estab_reporter"),
        ]

    def __str__(self) -> str:
        return f"{self.place} — {self.occurred_at:%Y-%m-%d}"


class Involvement(EstablishmentScoped):
    """A person involved in an incident: a student as author, victim or otherwise involved, or a witness."""

    class Role(models.TextChoices):
        AUTHOR = "author", _("Auteur")
        VICTIM = "victim", _("Victime")
        OTHER = "other", _("Autre élève concerné")
        WITNESS = "witness", _("Témoin")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("personne"))
    role = models.CharField(_("rôle"), max_length=8, choices=Role.choices)

    class Meta:
        verbose_name = _("personne impliquée")
        verbose_name_plural = _("personnes impliquées")
        constraints = [
            models.UniqueConstraint(fields=["incident", "person", "role"], name="involvement_unique"),
        ]
        indexes = [models.Index(fields=["establishment", "person"], name="involvement_estab_person")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Punishment(EstablishmentScoped):
    """A punition scolaire given by a teacher or a member of staff, and its follow-up."""

    class Kind(models.TextChoices):
        OBSERVATION = "observation", _("Observation écrite")
        ORAL_APOLOGY = "oral_apology", _("Excuse orale")
        WRITTEN_APOLOGY = "written_apology", _("Excuse écrite")
        EXTRA_WORK = "extra_work", _("Devoir supplémentaire")
        DETENTION = "detention", _("Retenue")
        CLASS_EXCLUSION = "class_exclusion", _("Exclusion ponctuelle de cours")

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("élève"))
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="punishments")
    kind = models.CharField(_("punition"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("motif"))
    given_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("donnée par")
    )
    given_on = models.DateField(_("donnée le"))
    detention_at = models.DateTimeField(_("retenue le"), null=True, blank=True)
    detention_place = models.CharField(_("lieu de la retenue"), max_length=120, blank=True)
    report = models.TextField(
        _("rapport écrit"),
        blank=True,
        help_text=_("Obligatoire pour une exclusion de cours : adressé au CPE et au chef d'établissement."),
    )
    due_on = models.DateField(_("à faire pour le"), null=True, blank=True)
    done_on = models.DateField(_("faite le"), null=True, blank=True)
    follow_up_note = models.CharField(_("suivi"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("punition")
        verbose_name_plural = _("punitions")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="class_exclusion") | ~Q(report=""), name="punishment_exclusion_report"
            ),
            models.CheckConstraint(
                condition=~Q(kind="detention") | Q(detention_at__isnull=False), name="punishment_detention_when"
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "student", "given_on"], name="punishment_estab_student"),
            models.Index(fields=["establishment", "done_on", "given_on"], name="punishment_estab_todo"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.student}"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class Sanction(EstablishmentScoped):
    """A sanction of article R. 511-13, decided by the principal or the disciplinary council after the
    contradictory procedure: the family is informed of the facts and of its right to a defence, has a time
    to present it, then the decision is taken and notified."""

    class Kind(models.TextChoices):
        WARNING = "warning", _("Avertissement")
        REPRIMAND = "reprimand", _("Blâme")
        RESPONSIBILITY = "responsibility", _("Mesure de responsabilisation")
        CLASS_EXCLUSION = "class_exclusion", _("Exclusion temporaire de la classe")
        SCHOOL_EXCLUSION = "school_exclusion", _("Exclusion temporaire de l'établissement ou d'un service annexe")
        PERMANENT_EXCLUSION = "permanent_exclusion", _("Exclusion définitive")

    class Authority(models.TextChoices):
        PRINCIPAL = "principal", _("Chef d'établissement")
        COUNCIL = "council", _("Conseil de discipline")

    class Suspension(models.TextChoices):
        NONE = "none", _("Sans sursis")
        FULL = "full", _("Sursis total")
        PARTIAL = "partial", _("Sursis partiel")

    class Step(models.TextChoices):
        OPENED = "opened", _("Procédure engagée")
        INFORMED = "informed", _("Famille informée")
        DEFENCE = "defence", _("Défense entendue")
        DECIDED = "decided", _("Décision prise")
        NOTIFIED = "notified", _("Décision notifiée")

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("élève"))
    incident = models.ForeignKey(Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="sanctions")
    authority = models.CharField(_("autorité"), max_length=10, choices=Authority.choices)
    facts = models.TextField(_("faits reprochés"))
    opened_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("engagée par")
    )
    opened_on = models.DateField(_("engagée le"))
    informed_on = models.DateField(_("famille informée le"), null=True, blank=True)
    defence_deadline = models.DateField(_("défense possible jusqu'au"), null=True, blank=True)
    defence_heard_on = models.DateField(_("défense entendue le"), null=True, blank=True)
    defence_summary = models.TextField(_("observations de la défense"), blank=True)
    kind = models.CharField(_("sanction"), max_length=20, choices=Kind.choices, blank=True)
    days = models.PositiveSmallIntegerField(_("jours d'exclusion"), null=True, blank=True)
    suspension = models.CharField(_("sursis"), max_length=8, choices=Suspension.choices, default=Suspension.NONE)
    suspended_days = models.PositiveSmallIntegerField(_("jours avec sursis"), null=True, blank=True)
    decided_on = models.DateField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("décidée par")
    )
    notified_on = models.DateField(_("notifiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(decided_on__isnull=True) | ~Q(kind=""), name="sanction_decided_kind"),
            models.CheckConstraint(
                condition=Q(days__isnull=True) | Q(days__gte=1, days__lte=8) | Q(kind="permanent_exclusion"),
                name="sanction_days_max_8",
            ),
            models.CheckConstraint(
                condition=~Q(kind="permanent_exclusion") | Q(authority="council"), name="sanction_permanent_council"
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(informed_on__isnull=False), name="sanction_informed_first"
            ),
            models.CheckConstraint(
                condition=Q(notified_on__isnull=True) | Q(decided_on__isnull=False), name="sanction_decided_first"
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "student", "decided_on"], name="sanction_estab_student"),
            models.Index(fields=["establishment", "notified_on"], name="sanction_estab_open"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display() or self.get_step_display()} — {self.student}"

    @property
    def step(self) -> str:
        """The last step reached."""
        if self.notified_on:
            return self.Step.NOTIFIED
        if self.decided_on:
            return self.Step.DECIDED
        if self.defence_heard_on:
            return self.Step.DEFENCE
        if self.informed_on:
            return self.Step.INFORMED
        return self.Step.OPENED

    def get_step_display(self) -> str:
        return str(self.Step(self.step).label)

    @property
    def is_exclusion(self) -> bool:
        return self.kind in (self.Kind.CLASS_EXCLUSION, self.Kind.SCHOOL_EXCLUSION)
