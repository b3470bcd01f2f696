"""Notes et compétences: registrations (module, menu, widgets, notification kinds, personal data)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.directory.models import Role
from cartable.grades.models import CompetencyAssessment, Evaluation, Mark

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.grades.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="grades",
        label=_("Notes"),
        description=_("Les évaluations, les notes et les moyennes, les compétences du socle commun."),
    )
)

SCHOOLING = _("La scolarité de l'élève dans l'établissement, puis les durées d'archivage des résultats scolaires.")

registry.personal_data(
    Evaluation,
    _("Organiser les évaluations d'une classe."),
    SCHOOLING,
    lambda u: list(Evaluation.objects.filter(teacher=u).values("date", "title", "subject__name")),
    ERASE,
    "teacher",
)
registry.personal_data(
    Mark,
    _("Évaluer l'élève et en informer sa famille."),
    SCHOOLING,
    lambda u: list(
        Mark.objects.filter(student=u).values(
            "evaluation__date", "evaluation__subject__name", "evaluation__title", "value", "code"
        )
    ),
    ERASE,
    "student",
    "updated_by",
)
registry.personal_data(
    CompetencyAssessment,
    _("Positionner l'élève sur les compétences du socle commun."),
    SCHOOLING,
    lambda u: list(CompetencyAssessment.objects.filter(student=u).values("date", "component", "level")),
    ERASE,
    "student",
    "assessed_by",
)


def _opens_grades(actor) -> bool:
    """The entry shows exactly when its page opens (the region has no establishment's grades to open)."""
    return authz.can(actor, "grades.open", None)


def _follows_grades(actor) -> bool:
    return actor.role in (Role.STUDENT, Role.GUARDIAN)


registry.register_menu(
    registry.MenuEntry(
        key="grades.staff",
        label=_("Notes"),
        url_name="grades:index",
        order=40,
        module="grades",
        visible=_opens_grades,
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="grades.mine",
        label=_("Notes"),
        url_name="grades:mine",
        order=40,
        module="grades",
        visible=_follows_grades,
    )
)
registry.register_notification_kind(
    registry.NotificationKind(key="grades.published", label=_("Nouvelles notes"), default_channels=("in_app", "email"))
)


def _latest(actor):
    """The latest published marks of the student, or of the child a guardian looks at (one query)."""
    from cartable.grades.queries import latest_marks

    if actor.role == Role.STUDENT:
        student_id = actor.user_id
    else:
        child = actor.child
        if child is None or not child.legal:  # grades are for legal guardians only
            return None
        student_id = child.id
    return {"marks": latest_marks(student_id=student_id), "child": actor.child}


registry.register_widget(
    registry.Widget(
        key="grades.latest",
        title=_("Dernières notes"),
        template="grades/widgets/latest.html",
        context=_latest,
        order=25,
        module="grades",
        visible=_follows_grades,
        cache_for=60,
        changes_with=("grades.",),
    )
)


def _periodic() -> None:
    from cartable.grades.tasks import announce_published_grades

    registry.register_periodic(
        registry.PeriodicJob(
            key="grades.announce_published",
            task=announce_published_grades,
            every=dt.timedelta(minutes=5),
            description=_("Annonce aux élèves et aux familles des notes devenues visibles."),
        )
    )


_periodic()

registry.register_demo_loader("grades", "cartable.grades.demo.load_demo")

# Reads recorded by the audit trail, named for « Qui a consulté » (privacy).
for _verb in ("grades.read_gradebook", "grades.read_student", "grades.read_evaluation"):
    registry.register_read_verb(registry.ReadVerb(key=_verb, label=_("les notes")))
registry.register_read_verb(registry.ReadVerb(key="grades.read_competencies", label=_("les compétences")))
