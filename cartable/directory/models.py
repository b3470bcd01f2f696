"""The directory (annuaire) of a region: who is who, where, and in which role.

Roles are relationships, not flags: a person holds memberships (establishment, role, dates),
enrolments, teaching assignments and guardianships.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cartable.core.authz import ScopedManager, ScopedQuerySet


class PersonQuerySet(ScopedQuerySet):
    pass


class PersonManager(UserManager.from_queryset(PersonQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """One person, whether or not their account is activated yet."""

    class Title(models.TextChoices):
        NONE = "", _("—")
        MME = "mme", _("Mme")
        M = "m", _("M.")

    # The interface says « identifiant », and so do the messages that name the field (password rules...).
    username = models.CharField(
        _("identifiant"),
        max_length=150,
        unique=True,
        help_text=_("150 caractères au plus : lettres, chiffres et @ . + - _ seulement."),
        validators=[AbstractUser.username_validator],
        error_messages={"unique": _("Une personne a déjà cet identifiant.")},
    )
    title = models.CharField(_("civilité"), max_length=4, choices=Title.choices, blank=True)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activé le"), null=True, blank=True)

    objects: ClassVar[PersonManager] = PersonManager()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="user_name")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        """The name staff and families see: civility and name for adults, first and last for students."""
        title = self.get_title_display() if self.title else ""
        return f"{title} {self.get_full_name()}".strip() if title else self.get_full_name()

    @property
    def is_activated(self) -> bool:
        return self.activated_at is not None


class ExternalIdentifier(models.Model):
    """An identifier of the person in another system: AAF jointure, EduConnect, the ministry's."""

    class Source(models.TextChoices):
        AAF = "aaf", _("Annuaire académique fédérateur (AAF)")
        EDUCONNECT = "educonnect", _("ÉduConnect")
        INE = "ine", _("Identifiant national élève (INE)")
        OTHER = "other", _("Autre")

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_ids")
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # Who issued the value within the source: the académie for an AAF jointure (an adult known to two
    # académies has one jointure in each), empty where the source is national.
    issuer = models.CharField(_("émetteur"), max_length=32, blank=True, default="")
    value = models.CharField(_("identifiant"), max_length=128)

    class Meta:
        verbose_name = _("identifiant externe")
        verbose_name_plural = _("identifiants externes")
        constraints = [
            models.UniqueConstraint(fields=["source", "issuer", "value"], name="external_id_unique"),
            models.UniqueConstraint(fields=["person", "source", "issuer"], name="external_id_one_per_source"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.value}"


class Academy(models.Model):
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("nom"), max_length=120)

    class Meta:
        verbose_name = _("académie")
        verbose_name_plural = _("académies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Establishment(models.Model):
    """A collège, lycée or EREA, known by its UAI (the national establishment code)."""

    class Kind(models.TextChoices):
        COLLEGE = "college", _("Collège")
        LYCEE_GT = "lycee_gt", _("Lycée général et technologique")
        LYCEE_PRO = "lycee_pro", _("Lycée professionnel")
        LYCEE_POLY = "lycee_poly", _("Lycée polyvalent")
        LYCEE_AGRI = "lycee_agri", _("Lycée agricole")
        EREA = "erea", _("EREA")

    class Ministry(models.TextChoices):
        EDUCATION = "education", _("Éducation nationale")
        AGRICULTURE = "agriculture", _("Agriculture")

    academy = models.ForeignKey(Academy, on_delete=models.PROTECT, related_name="establishments")
    uai = models.CharField(
        _("UAI"), max_length=8, unique=True, help_text=_("Code national : sept chiffres et une lettre.")
    )
    name = models.CharField(_("nom"), max_length=160)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    ministry = models.CharField(_("ministère"), max_length=16, choices=Ministry.choices, default=Ministry.EDUCATION)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    module_settings = models.JSONField(
        _("modules"), default=dict, blank=True, help_text=_("Modules activés ou non, par clé de module.")
    )

    objects = ScopedManager()

    class Meta:
        verbose_name = _("établissement")
        verbose_name_plural = _("établissements")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(uai__regex=r"^[0-9]{7}[A-Z]$"), name="establishment_uai_format"),
        ]

    def __str__(self) -> str:
        return self.name


class EstablishmentScoped(models.Model):
    """Base of every establishment-scoped table: ``establishment_id`` comes first in its indexes."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager()

    class Meta:
        abstract = True


class SchoolYear(EstablishmentScoped):
    label = models.CharField(_("année scolaire"), max_length=9, help_text=_("Par exemple 2026-2027."))
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))

    class Meta:
        verbose_name = _("année scolaire")
        verbose_name_plural = _("années scolaires")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "label"], name="school_year_unique"),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="school_year_dates"),
        ]

    def __str__(self) -> str:
        return self.label


class Period(EstablishmentScoped):
    """A trimester or semester of a school year."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("nom"), max_length=40)
    position = models.PositiveSmallIntegerField(_("rang"))
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))

    class Meta:
        verbose_name = _("période")
        verbose_name_plural = _("périodes")
        ordering = ["school_year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["school_year", "position"], name="period_unique_position"),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="period_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(EstablishmentScoped):
    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("nom"), max_length=80)

    class Meta:
        verbose_name = _("matière")
        verbose_name_plural = _("matières")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["establishment", "code"], name="subject_unique_code")]

    def __str__(self) -> str:
        return self.name


class SchoolClass(EstablishmentScoped):
    """A class (division) such as 5e A, for one school year."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("nom"), max_length=40)
    level = models.CharField(_("niveau"), max_length=40, help_text=_("6e, 5e, 2nde, Terminale..."))
    head_teacher = models.ForeignKey(
        User,
        verbose_name=_("professeur principal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_classes",
    )

    class Meta:
        verbose_name = _("classe")
        verbose_name_plural = _("classes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "school_year", "name"], name="class_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Group(EstablishmentScoped):
    """A teaching group (options, half-classes, languages) drawn from one or more classes."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("nom"), max_length=80)
    classes = models.ManyToManyField(SchoolClass, blank=True, related_name="groups", verbose_name=_("classes"))

    class Meta:
        verbose_name = _("groupe")
        verbose_name_plural = _("groupes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "school_year", "name"], name="group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Fed(models.Model):
    """Where a relation comes from: made by hand (empty), or fed by a directory import (``aaf``), which
    then owns it: a complete import ends the fed rows it no longer lists and leaves hand-made ones alone."""

    fed_by = models.CharField(_("alimenté par"), max_length=16, blank=True, default="", editable=False)

    class Meta:
        abstract = True


class Dated(models.Model):
    start_date = models.DateField(_("début"), default=timezone.localdate)
    end_date = models.DateField(_("fin"), null=True, blank=True)

    class Meta:
        abstract = True

    def is_current(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or on <= self.end_date)


class Role(models.TextChoices):
    STUDENT = "student", _("Élève")
    GUARDIAN = "guardian", _("Responsable légal")
    TEACHER = "teacher", _("Enseignant")
    EDUCATION = "education", _("Vie scolaire")
    ADMINISTRATIVE = "administrative", _("Personnel administratif")
    DIRECTION = "direction", _("Direction")
    ESTABLISHMENT_ADMIN = "establishment_admin", _("Administrateur ENT")
    REGIONAL_ADMIN = "regional_admin", _("Administrateur régional")


# The role sets every policy asks about, defined once. An app that needs another set composes these.
STAFF_ROLES = frozenset({Role.TEACHER, Role.EDUCATION, Role.ADMINISTRATIVE, Role.DIRECTION, Role.ESTABLISHMENT_ADMIN})
FAMILY_ROLES = frozenset({Role.STUDENT, Role.GUARDIAN})
# Direction, vie scolaire and ENT administrators see the whole establishment's life.
MANAGER_ROLES = frozenset({Role.DIRECTION, Role.ESTABLISHMENT_ADMIN, Role.EDUCATION})
# Those who follow school life (attendance, discipline, report cards): the vie scolaire and the direction.
SCHOOL_LIFE_ROLES = frozenset({Role.EDUCATION, Role.DIRECTION})
# Those who report incidents and give punishments: the teachers and those who follow school life.
PUNISHER_ROLES = SCHOOL_LIFE_ROLES | {Role.TEACHER}
# Those who administer the establishment's settings: the direction and the ENT administrator.
ADMIN_ROLES = frozenset({Role.DIRECTION, Role.ESTABLISHMENT_ADMIN})
# Those who have a week of their own lessons (timetable, homework, agenda).
OWN_LESSON_ROLES = frozenset({Role.STUDENT, Role.GUARDIAN, Role.TEACHER})


def orders_for(*placements: tuple[Iterable[str], int]) -> dict[str, int]:
    """A dashboard widget's place per role (``registry.Widget.orders``), from role sets: what matters most
    today to a role comes first on its dashboard. ``orders_for((SCHOOL_LIFE_ROLES, 1), ({Role.TEACHER}, 5))``;
    a role named twice keeps its first place."""
    orders: dict[str, int] = {}
    for roles, order in placements:
        for role in roles:
            orders.setdefault(str(role), order)
    return orders


class Membership(Dated, Fed):
    """A person's role in an establishment, for a span of dates; regional roles have no establishment."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=24, choices=Role.choices)
    job_title = models.CharField(_("fonction"), max_length=80, blank=True, help_text=_("CPE, principal..."))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("rattachement")
        verbose_name_plural = _("rattachements")
        ordering = ["establishment__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["person", "establishment", "role"], name="membership_unique"),
            # NULLs are distinct in a unique index: regional memberships (no establishment) need their own.
            models.UniqueConstraint(
                fields=["person", "role"], condition=Q(establishment__isnull=True), name="membership_unique_regional"
            ),
            models.CheckConstraint(
                condition=(Q(role="regional_admin") & Q(establishment__isnull=True))
                | (~Q(role="regional_admin") & Q(establishment__isnull=False)),
                name="membership_regional_has_no_establishment",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_dates",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "role"], name="membership_estab_role")]

    def __str__(self) -> str:
        where = self.establishment or _("Région")
        return f"{self.person} — {self.get_role_display()} — {where}"


class Enrolment(Dated, Fed):
    """A student in a class."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="enrolments")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        constraints = [
            models.UniqueConstraint(fields=["student", "school_class"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrolment_dates",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "school_class"], name="enrolment_estab_class")]

    def __str__(self) -> str:
        return f"{self.student} — {self.school_class}"


class GroupMembership(Dated, Fed):
    """A student in a teaching group."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="members")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("appartenance à un groupe")
        verbose_name_plural = _("appartenances à un groupe")
        constraints = [models.UniqueConstraint(fields=["student", "group"], name="group_membership_unique")]
        indexes = [models.Index(fields=["establishment", "group"], name="groupmember_estab_group")]

    def __str__(self) -> str:
        return f"{self.student} — {self.group}"


class TeachingAssignment(Dated, Fed):
    """A teacher teaches a subject to a class or to a group."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="teaching_assignments")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="assignments")
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments"
    )
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")

    objects = ScopedManager()

    class Meta:
        verbose_name = _("service d'enseignement")
        verbose_name_plural = _("services d'enseignement")
        constraints = [
            models.CheckConstraint(
                condition=(Q(school_class__isnull=False) & Q(group__isnull=True))
                | (Q(school_class__isnull=True) & Q(group__isnull=False)),
                name="assignment_class_xor_group",
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "school_class"],
                condition=Q(school_class__isnull=False),
                name="assignment_unique_class",
            ),
            models.UniqueConstraint(
                fields=["teacher", "subject", "group"], condition=Q(group__isnull=False), name="assignment_unique_group"
            ),
        ]
        indexes = [models.Index(fields=["establishment", "teacher"], name="assignment_estab_teacher")]

    def __str__(self) -> str:
        return f"{self.teacher} — {self.subject} — {self.school_class or self.group}"


class Guardianship(Fed):
    """A guardian (parent, legal representative) of a student, across establishments."""

    class Relationship(models.TextChoices):
        MOTHER = "mother", _("Mère")
        FATHER = "father", _("Père")
        TUTOR = "tutor", _("Tuteur ou tutrice")
        OTHER = "other", _("Autre")

    guardian = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardianships")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="guardians_links")
    relationship = models.CharField(pgettext_lazy("kinship", "lien"), max_length=16, choices=Relationship.choices)
    legal_responsibility = models.BooleanField(_("responsable légal"), default=True)
    receives_notifications = models.BooleanField(_("reçoit les notifications"), default=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("responsabilité")
        verbose_name_plural = _("responsabilités")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique"),
            models.CheckConstraint(condition=~Q(guardian=models.F("student")), name="guardianship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"
