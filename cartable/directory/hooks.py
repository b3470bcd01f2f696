"""The directory's registrations: the personal data it holds, and its menu entry for managers."""

from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.directory.models import (
    Enrolment,
    ExternalIdentifier,
    GroupMembership,
    Guardianship,
    Membership,
    SchoolClass,
    TeachingAssignment,
    User,
)

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.directory.actions.erase_personal_data"

SCHOOLING = _("Organisation de la scolarité (Code de l'éducation, art. L. 131-1 et suivants).")
WHILE_SCHOOLED = _("Pendant la scolarité dans l'établissement, puis un an.")


def _rows(queryset, *fields) -> list[dict]:
    return [{k: (str(v) if v is not None else None) for k, v in row.items()} for row in queryset.values(*fields)]


def _export_person(user) -> list[dict]:
    data = model_to_dict(
        user, fields=["username", "title", "first_name", "last_name", "email", "birth_date", "date_joined"]
    )
    return [{k: (str(v) if v is not None else None) for k, v in data.items()}]


registry.personal_data(
    User,
    _("Identifier chaque personne et lui ouvrir son compte."),
    WHILE_SCHOOLED,
    _export_person,
    ERASE,
    retention_rule=registry.RetentionRule(
        source=_("Arrêté du 30 novembre 2006, art. 6 : effacement dans les trois mois"),
        job="provisioning.purge_leavers",
    ),
)
registry.personal_data(
    ExternalIdentifier,
    _("Rapprocher le compte des annuaires académiques et d'ÉduConnect."),
    WHILE_SCHOOLED,
    lambda u: _rows(ExternalIdentifier.objects.filter(person=u), "source", "value"),
    ERASE,
    "person",
)
registry.personal_data(
    Membership,
    SCHOOLING,
    WHILE_SCHOOLED,
    lambda u: _rows(Membership.objects.filter(person=u), "establishment__name", "role", "start_date", "end_date"),
    ERASE,
    "person",
)
registry.personal_data(
    Enrolment,
    SCHOOLING,
    WHILE_SCHOOLED,
    lambda u: _rows(Enrolment.objects.filter(student=u), "school_class__name", "start_date", "end_date"),
    ERASE,
    "student",
)
registry.personal_data(
    GroupMembership,
    SCHOOLING,
    WHILE_SCHOOLED,
    lambda u: _rows(GroupMembership.objects.filter(student=u), "group__name", "start_date", "end_date"),
    ERASE,
    "student",
)
registry.personal_data(
    TeachingAssignment,
    SCHOOLING,
    WHILE_SCHOOLED,
    lambda u: _rows(TeachingAssignment.objects.filter(teacher=u), "subject__name", "school_class__name", "group__name"),
    ERASE,
    "teacher",
)
registry.personal_data(
    Guardianship,
    _("Informer les responsables légaux et leur donner accès au suivi de l'élève."),
    WHILE_SCHOOLED,
    lambda u: _rows(
        Guardianship.objects.filter(guardian=u) | Guardianship.objects.filter(student=u),
        "guardian__first_name",
        "guardian__last_name",
        "student__first_name",
        "student__last_name",
        "relationship",
        "legal_responsibility",
    ),
    ERASE,
    "guardian",
    "student",
)
registry.personal_data(
    SchoolClass,
    _("Désigner le professeur principal de la classe."),
    _("L'année scolaire."),
    lambda u: _rows(SchoolClass.objects.filter(head_teacher=u), "name", "school_year__label"),
    ERASE,
    "head_teacher",
)
