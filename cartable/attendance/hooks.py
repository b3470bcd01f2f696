"""Vie scolaire : appel et absences: registrations (module, menu, widgets, notification kinds, personal data,
the periodic notice of unexplained absences)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.attendance.models import Absence, Justification, Lateness, Mark, MarkChange, RollCall
from cartable.core import registry
from cartable.directory.models import SCHOOL_LIFE_ROLES, Role, orders_for

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.attendance.actions.erase_personal_data"

MODULE = "attendance"

registry.register_module(
    registry.Module(
        key=MODULE,
        label=_("Vie scolaire"),
        description=_("L'appel, les absences, les retards, leurs justifications et leur suivi."),
    )
)

SCHOOL_YEAR = _("L'année scolaire.")


def _values(model, field: str, *names: str):
    return lambda u: [
        {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
        for row in model.objects.filter(**{field: u}).values(*names)
    ]


registry.personal_data(
    Absence,
    _("Suivre l'assiduité des élèves (obligation scolaire)."),
    SCHOOL_YEAR,
    _values(Absence, "student", "start", "end", "status", "reason__label", "comment"),
    ERASE,
    "student",
    "created_by",
    retention_rule=registry.RetentionRule(
        clock="start",
        until=registry.RetentionRule.SCHOOL_YEAR,
        source=_("Fin de l'année scolaire (règle par défaut du registre)"),
    ),
)
registry.personal_data(
    Lateness,
    _("Suivre la ponctualité des élèves."),
    SCHOOL_YEAR,
    _values(Lateness, "student", "at", "minutes", "status", "reason__label"),
    ERASE,
    "student",
    "created_by",
    retention_rule=registry.RetentionRule(
        clock="at",
        until=registry.RetentionRule.SCHOOL_YEAR,
        source=_("Fin de l'année scolaire (règle par défaut du registre)"),
    ),
)
registry.personal_data(
    Mark,
    _("Faire l'appel de chaque cours."),
    SCHOOL_YEAR,
    _values(Mark, "student", "roll_call__start", "state", "minutes"),
    ERASE,
    "student",
    retention_rule=registry.RetentionRule(
        clock="roll_call__start",
        until=registry.RetentionRule.SCHOOL_YEAR,
        source=_("Fin de l'année scolaire (règle par défaut du registre)"),
    ),
)
registry.personal_data(
    MarkChange,
    _("Garder l'historique des corrections d'appel."),
    SCHOOL_YEAR,
    _values(MarkChange, "student", "changed_at", "before", "after"),
    ERASE,
    "student",
    "changed_by",
    retention_rule=registry.RetentionRule(
        clock="changed_at",
        until=registry.RetentionRule.SCHOOL_YEAR,
        source=_("Fin de l'année scolaire (règle par défaut du registre)"),
    ),
)
registry.personal_data(
    RollCall,
    _("Savoir qui a fait l'appel d'un cours."),
    SCHOOL_YEAR,
    _values(RollCall, "called_by", "start", "lesson_key"),
    ERASE,
    "called_by",
)
registry.personal_data(
    Justification,
    _("Recevoir et instruire les justifications d'absence des familles."),
    SCHOOL_YEAR,
    _values(Justification, "student", "created_at", "reason__label", "comment", "decision", "decision_message"),
    ERASE,
    "student",
    "author",
    "decided_by",
    files=lambda u: [
        (j.original_name or "justificatif", j.document.name)
        for j in Justification.objects.filter(student=u).exclude(document="")
    ],
    retention_rule=registry.RetentionRule(
        clock="created_at",
        until=registry.RetentionRule.SCHOOL_YEAR,
        source=_("Fin de l'année scolaire (règle par défaut du registre)"),
    ),
)

for key, label, channels in [
    ("attendance.absence", _("Absence inexpliquée de votre enfant"), ("in_app", "email")),
    ("attendance.decision", _("Décision sur une justification d'absence"), ("in_app", "email")),
    ("attendance.justification", _("Justification d'absence reçue"), ("in_app",)),
    ("attendance.lateness_threshold", _("Seuil de retards atteint"), ("in_app",)),
]:
    registry.register_notification_kind(registry.NotificationKind(key=key, label=label, default_channels=channels))


# --- menu ---------------------------------------------------------------------------------------------
def _life_staff(actor) -> bool:
    return actor.role in SCHOOL_LIFE_ROLES


def _teaches(actor) -> bool:
    return actor.role == Role.TEACHER


def _family(actor) -> bool:
    return actor.role in (Role.STUDENT, Role.GUARDIAN)


for key, label, url_name, visible in [
    ("attendance.board", _("Vie scolaire"), "attendance:board", _life_staff),
    ("attendance.lessons", _("Faire l'appel"), "attendance:lessons", _teaches),
    ("attendance.family", _("Absences"), "attendance:family", _family),
]:
    registry.register_menu(
        registry.MenuEntry(key=key, label=label, url_name=url_name, order=40, module=MODULE, visible=visible)
    )


# --- dashboard widgets (one query each for the persona shown, none for others) ------------------------
def _to_justify(actor):
    from cartable.attendance.widgets import family_context

    return family_context(actor)


def _school_life_today(actor):
    from cartable.attendance.widgets import school_life_context

    return school_life_context(actor)


def _awaiting(actor):
    from cartable.attendance.widgets import teacher_context

    return teacher_context(actor)


def _to_decide(actor):
    from cartable.attendance.widgets import to_decide_context

    return to_decide_context(actor)


def _lateness_alerts(actor):
    from cartable.attendance.widgets import lateness_alerts_context

    return lateness_alerts_context(actor)


# What comes first on the dashboard of those it matters most to today (see registry.Widget.orders): the vie
# scolaire's justifications to decide, lessons without roll call and lateness alerts (orders 1 to 3); the
# teacher's roll calls, after the hand-ins to correct.
FIRST = {
    "attendance.to_decide": orders_for(({Role.EDUCATION}, 1), ({Role.DIRECTION}, 2)),
    "attendance.today": orders_for(({Role.EDUCATION}, 2), ({Role.DIRECTION}, 1)),
    "attendance.lateness_alerts": orders_for((SCHOOL_LIFE_ROLES, 3)),
    "attendance.awaiting": orders_for(({Role.TEACHER}, 2)),
}

for key, title, template, context, visible, order, cache_for in [
    ("attendance.to_justify", _("Absences à justifier"), "family.html", _to_justify, _family, 15, 0),
    ("attendance.to_decide", _("Justifications à traiter"), "to_decide.html", _to_decide, _life_staff, 1, 60),
    ("attendance.today", _("Vie scolaire aujourd'hui"), "school_life.html", _school_life_today, _life_staff, 2, 0),
    ("attendance.lateness_alerts", _("Alertes de retards"), "lateness.html", _lateness_alerts, _life_staff, 3, 60),
    ("attendance.awaiting", _("Appels à faire"), "teacher.html", _awaiting, _teaches, 15, 0),
]:
    registry.register_widget(
        registry.Widget(
            key=key,
            title=title,
            template="attendance/widgets/" + template,
            context=context,
            order=order,
            module=MODULE,
            visible=visible,
            cache_for=cache_for,
            changes_with=("attendance.",) if cache_for else (),
            orders=FIRST.get(key, {}),
        )
    )


def _periodic() -> None:
    from cartable.attendance.tasks import notify_absences

    registry.register_periodic(
        registry.PeriodicJob(
            key="attendance.notify_absences",
            task=notify_absences,
            every=dt.timedelta(minutes=10),
            description=_("Prévient les familles, le jour même, des absences relevées à l'appel et non expliquées."),
        )
    )


_periodic()

registry.register_demo_loader("attendance", "cartable.attendance.demo.load_demo", after=("timetable",))

# Reads recorded by the audit trail, named for « Qui a consulté » (privacy).
for _verb in ("attendance.view_absence", "attendance.view_student"):
    registry.register_read_verb(registry.ReadVerb(key=_verb, label=_("les absences")))
registry.register_read_verb(registry.ReadVerb(key="attendance.view_lateness", label=_("les retards")))
registry.register_read_verb(registry.ReadVerb(key="attendance.view_document", label=_("un justificatif d'absence")))
