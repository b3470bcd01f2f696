"""Discipline: registrations (module, menu, widgets, notification kinds, periodic erasure, personal data)."""

import datetime as dt

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.directory.models import Role, orders_for
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction

# Erasure: the app's audited action, one rule per model (see its ERASURE).
ERASE = "cartable.discipline.actions.erase_personal_data"

registry.register_module(
    registry.Module(
        key="discipline",
        label=_("Discipline"),
        description=_("Les incidents, les punitions, les sanctions et leur procédure."),
    )
)

FAMILY = (Role.STUDENT, Role.GUARDIAN)
OVERSEERS = (Role.EDUCATION, Role.DIRECTION)
MENU_ROLES = (*FAMILY, *OVERSEERS, Role.TEACHER)

registry.register_menu(
    registry.MenuEntry(
        key="discipline",
        label=_("Discipline"),
        url_name="discipline:home",
        order=50,
        module="discipline",
        visible=lambda actor: actor.role in MENU_ROLES,
    )
)

for key, label in (
    ("discipline.punishment", _("Punition donnée à un élève")),
    ("discipline.class_exclusion", _("Exclusion ponctuelle de cours (rapport)")),
    ("discipline.sanction_step", _("Étape d'une procédure disciplinaire")),
):
    registry.register_notification_kind(
        registry.NotificationKind(key=key, label=label, default_channels=("in_app", "email"))
    )


# --- dashboard: one query for the persona a widget is shown to, none for the others ----------------------
def _recent(actor):
    from cartable.discipline.queries import recent_family_punishments

    return {"punishments": recent_family_punishments(actor), "child": actor.child}


def _to_follow(actor):
    from cartable.discipline.queries import punishments_to_follow

    return {"punishments": punishments_to_follow(actor)}


def _procedures(actor):
    from cartable.discipline.queries import open_procedures

    return {"sanctions": open_procedures(actor)}


registry.register_widget(
    registry.Widget(
        key="discipline.recent",
        title=_("Punitions récentes"),
        template="discipline/widgets/recent.html",
        context=_recent,
        order=60,
        module="discipline",
        visible=lambda actor: actor.role in FAMILY,
        cache_for=60,
        changes_with=("discipline.",),
    )
)
registry.register_widget(
    registry.Widget(
        key="discipline.to_follow",
        title=_("Punitions à suivre"),
        template="discipline/widgets/to_follow.html",
        context=_to_follow,
        order=60,
        module="discipline",
        visible=lambda actor: actor.role in OVERSEERS,
        orders=orders_for(({Role.EDUCATION}, 5)),
        cache_for=60,
        changes_with=("discipline.",),
    )
)
registry.register_widget(
    registry.Widget(
        key="discipline.procedures",
        title=_("Procédures disciplinaires"),
        template="discipline/widgets/procedures.html",
        context=_procedures,
        order=61,
        module="discipline",
        visible=lambda actor: actor.role in OVERSEERS,
        orders=orders_for(({Role.EDUCATION}, 6)),
        cache_for=60,
        changes_with=("discipline.",),
    )
)


# --- « Travail à faire »: a punishment with work to do, as its own kind of item (see core.registry.TodoSource)
def _work_to_do(actor, start, end, merged):
    from django.urls import reverse
    from django.utils.translation import gettext

    from cartable.discipline.queries import work_to_do

    children = {c.id: c for c in actor.children} if merged else {}
    for punishment in work_to_do(actor, start, end, merged=merged):
        given_by = punishment.given_by.display_name if punishment.given_by else ""
        yield registry.TodoItem(
            key=f"discipline.punishment:{punishment.pk}",
            due_date=punishment.due_on,
            kind=gettext("Punition"),
            title=punishment.get_kind_display(),
            url=reverse("discipline:punishment", args=[punishment.pk]),
            done=punishment.is_done,
            detail=gettext("Donnée par %(who)s") % {"who": given_by} if given_by else "",
            child=children.get(punishment.student_id),
        )


registry.register_todo_source(registry.TodoSource(key="discipline.work", items=_work_to_do, module="discipline"))


def _periodic() -> None:
    from cartable.discipline.tasks import erase_expired_sanctions

    registry.register_periodic(
        registry.PeriodicJob(
            key="discipline.erase_expired_sanctions",
            task=erase_expired_sanctions,
            every=dt.timedelta(hours=24),
            description=_("Retire des dossiers des élèves les sanctions dont le délai légal est passé."),
        )
    )


_periodic()


# --- personal data ---------------------------------------------------------------------------------------
SCHOOLING = _("La scolarité de l'élève dans l'établissement, puis un an.")

registry.personal_data(
    Incident,
    _("Consigner les incidents de la vie scolaire."),
    SCHOOLING,
    lambda u: [
        {"occurred_at": i.occurred_at.isoformat(), "place": i.place} for i in Incident.objects.filter(reported_by=u)
    ],
    ERASE,
    "reported_by",
)
registry.personal_data(
    Involvement,
    _("Savoir quels élèves un incident concerne, et qui en a été témoin."),
    SCHOOLING,
    lambda u: [
        {"role": r["role"], "occurred_at": r["incident__occurred_at"].isoformat()}
        for r in Involvement.objects.filter(person=u).values("role", "incident__occurred_at")
    ],
    ERASE,
    "person",
)
registry.personal_data(
    Punishment,
    _("Donner et suivre les punitions scolaires."),
    SCHOOLING,
    lambda u: [
        {"kind": r["kind"], "given_on": r["given_on"].isoformat(), "reason": r["reason"]}
        for r in Punishment.objects.filter(student=u).values("kind", "given_on", "reason")
    ],
    ERASE,
    "student",
    "given_by",
)
registry.personal_data(
    Sanction,
    _("Conduire la procédure disciplinaire et tenir le dossier administratif de l'élève."),
    _(
        "Avertissement, blâme, mesure de responsabilisation : jusqu'à la fin de l'année scolaire ; exclusions "
        "temporaires : un an après la décision ; toutes : jusqu'à la fin de la scolarité (article R. 511-13)."
    ),
    lambda u: [
        {
            "kind": r["kind"],
            "opened_on": r["opened_on"].isoformat(),
            "decided_on": r["decided_on"] and r["decided_on"].isoformat(),
        }
        for r in Sanction.objects.filter(student=u).values("kind", "opened_on", "decided_on")
    ],
    ERASE,
    "student",
    "opened_by",
    "decided_by",
)

registry.register_demo_loader("discipline", "cartable.discipline.demo.load_demo")

# Reads recorded by the audit trail, named for « Qui a consulté » (privacy).
registry.register_read_verb(registry.ReadVerb(key="discipline.view_punishment", label=_("une punition")))
registry.register_read_verb(registry.ReadVerb(key="discipline.view_sanction", label=_("une sanction")))
registry.register_read_verb(registry.ReadVerb(key="discipline.view_file", label=_("le dossier de vie scolaire")))
