"""Timetable registrations: module, menu, the "today" widget, the change notice, personal data."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.directory.models import Role, orders_for
from cartable.timetable.models import LessonChange, TimetableImport

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.timetable.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="timetable", label=_("Emploi du temps"), description=_("Les cours de la semaine et leurs modifications.")
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="timetable",
        label=_("Emploi du temps"),
        url_name="timetable:home",
        order=10,
        module="timetable",
        visible=lambda actor: actor.establishment_id is not None,
    )
)
registry.register_notification_kind(
    registry.NotificationKind(key="timetable.change", label=_("Modification de l'emploi du temps"))
)

OWN_LESSONS = {Role.STUDENT, Role.GUARDIAN, Role.TEACHER}


def _today(actor):
    """Today's lessons with their changes: a student's, a guardian's active child's, a teacher's."""
    from cartable.timetable.queries import day_of_actor

    day = day_of_actor(actor)
    if day is None:
        return None
    child = actor.child
    return {
        "lessons": day.lessons,
        "closed_label": day.closed_label,
        "child_name": child.first_name if child else "",
        "show_audience": actor.role == Role.TEACHER,
    }


registry.register_widget(
    registry.Widget(
        key="timetable.today",
        title=_("Aujourd'hui"),
        template="timetable/widgets/today.html",
        context=_today,
        order=20,
        module="timetable",
        visible=lambda actor: actor.role in OWN_LESSONS,
        cache_for=60,
        changes_with=("timetable.",),
        orders=orders_for(({Role.TEACHER}, 4)),  # after the roll calls and the hand-ins to correct
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=LessonChange,
        purpose=_("Informer des modifications de l'emploi du temps (remplacements)."),
        retention=_("L'année scolaire."),
        export=lambda u: list(LessonChange.objects.filter(substitute=u).values("date", "kind", "note")),
        erase=ERASE,
        user_fields=("substitute", "created_by"),
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=TimetableImport,
        purpose=_("Tracer les imports d'emploi du temps (qui a importé quel fichier, quand, avec quel résultat)."),
        retention=_("L'année scolaire."),
        export=lambda u: list(
            TimetableImport.objects.filter(requested_by=u).values("started_at", "file_name", "format", "outcome")
        ),
        erase=ERASE,
        user_fields=("requested_by",),
        retention_rule=registry.RetentionRule(
            clock="started_at",
            until=registry.RetentionRule.SCHOOL_YEAR,
            source=_("Fin de l'année scolaire (règle par défaut du registre)"),
        ),
    )
)
# Slot holds no personal data: it points to teaching assignments (nothing to declare).

registry.register_demo_loader("timetable", "cartable.timetable.demo.load_demo")
