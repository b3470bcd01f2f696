"""Writes of the discipline app: incidents, punishments and their follow-up, the steps of a sanction
procedure, and the legal erasure of sanctions. Every one is atomic and audited; families are notified of
punishments and of each step of a sanction procedure, the CPE and the principal of an exclusion from class.

Audit rows of sanctions keep steps and dates, never the facts or the sanction itself, so the legal erasure
leaves no copy of what it erased.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models as django_models
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.core import audit, authz, dates, erasure, french
from cartable.core.authz import Action
from cartable.core.notify import notify
from cartable.directory import queries as directory
from cartable.directory.actor import Actor, current
from cartable.directory.models import Enrolment, Membership, Role, SchoolYear, User
from cartable.discipline import rules
from cartable.discipline.models import Incident, Involvement, Punishment, Sanction


class DisciplineError(ValidationError):
    """A write refused for a reason the person can act on (a French message)."""


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _require_enrolled(student_id: int, establishment_id: int, on: dt.date) -> None:
    if not current(Enrolment.objects.filter(student_id=student_id, establishment_id=establishment_id), on).exists():
        raise DisciplineError(_("Cet élève n'est pas inscrit dans l'établissement."))


def _family(student_id: int) -> list[int]:
    return directory.guardians_of_students([student_id]).get(student_id, [])


# --- incidents -------------------------------------------------------------------------------------------
@transaction.atomic
def report_incident(
    *,
    actor: Actor,
    establishment_id: int,
    occurred_at: dt.datetime,
    place: str,
    facts: str,
    people: Iterable[tuple[int, str]] = (),
) -> Incident:
    """Record an incident with the people involved: ``(person id, Involvement.Role)`` pairs. Students must be
    enrolled there; witnesses may be students or staff of the establishment."""
    incident = Incident(
        establishment_id=establishment_id,
        occurred_at=occurred_at,
        place=place.strip(),
        facts=facts.strip(),
        reported_by_id=actor.user_id,
    )
    authz.require(actor, Action.CREATE, incident)
    pairs = sorted(set(people))
    involved_ids = {p for p, _r in pairs}
    members = set(
        current(Enrolment.objects.filter(establishment_id=establishment_id, student_id__in=involved_ids)).values_list(
            "student_id", flat=True
        )
    )
    witnesses = {p for p, r in pairs if r == Involvement.Role.WITNESS} - members
    if witnesses:
        members |= set(
            current(Membership.objects.filter(establishment_id=establishment_id, person_id__in=witnesses)).values_list(
                "person_id", flat=True
            )
        )
    if involved_ids - members:
        raise DisciplineError(_("Une des personnes choisies n'appartient pas à l'établissement."))
    incident.save()
    Involvement.objects.bulk_create(
        [Involvement(establishment_id=establishment_id, incident=incident, person_id=p, role=r) for p, r in pairs]
    )
    audit.record(
        actor=actor,
        verb="discipline.report_incident",
        target=incident,
        establishment_id=establishment_id,
        after={"occurred_at": occurred_at.isoformat(), "people": len(pairs)},
    )
    return incident


# --- punishments -----------------------------------------------------------------------------------------
def _notify_punishment(punishment: Punishment, student: User) -> None:
    url = reverse("discipline:punishment", args=[punishment.pk])
    title = _("%(kind)s pour %(name)s") % {"kind": punishment.get_kind_display(), "name": student.first_name}
    body = punishment.reason
    if punishment.kind == Punishment.Kind.DETENTION and punishment.detention_at:
        when = dates.date_heure_avis(punishment.detention_at)
        body = _("Retenue le %(when)s (%(place)s). Motif : %(reason)s") % {
            "when": when,
            "place": punishment.detention_place or "—",
            "reason": punishment.reason,
        }
    notify(
        recipients=_family(student.pk),
        kind="discipline.punishment",
        title=title,
        body=body,
        url=url,
        target=punishment,
        establishment_id=punishment.establishment_id,
        about=student,
    )
    if punishment.kind == Punishment.Kind.CLASS_EXCLUSION:
        notify(
            recipients=staff_ids(punishment.establishment_id),
            kind="discipline.class_exclusion",
            title=_("Exclusion de cours : %(name)s") % {"name": student.display_name},
            body=punishment.report,
            url=url,
            target=punishment,
            establishment_id=punishment.establishment_id,
        )


@transaction.atomic
def give_punishment(
    *,
    actor: Actor,
    student: User,
    kind: str,
    reason: str,
    incident: Incident | None = None,
    detention_at: dt.datetime | None = None,
    detention_place: str = "",
    report: str = "",
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Punishment:
    """Give a punishment to a student of the actor's establishment. An exclusion from class needs its written
    report (sent to the CPE and the principal); a detention needs its date and time."""
    today = _today(today)
    if actor.establishment_id is None:  # one acts in an establishment
        raise PermissionDenied
    punishment = Punishment(
        establishment_id=actor.establishment_id,
        student=student,
        kind=kind,
        reason=reason.strip(),
        incident=incident,
        given_by_id=actor.user_id,
        given_on=today,
        detention_at=detention_at if kind == Punishment.Kind.DETENTION else None,
        detention_place=detention_place.strip() if kind == Punishment.Kind.DETENTION else "",
        report=report.strip(),
        due_on=due_on,
    )
    authz.require(actor, Action.CREATE, punishment)
    if kind == Punishment.Kind.CLASS_EXCLUSION and not punishment.report:
        raise DisciplineError(_("Une exclusion de cours exige un rapport écrit au CPE et au chef d'établissement."))
    if kind == Punishment.Kind.DETENTION and detention_at is None:
        raise DisciplineError(_("Indiquez la date et l'heure de la retenue."))
    if incident is not None and incident.establishment_id != punishment.establishment_id:
        raise DisciplineError(_("Cet incident n'est pas celui de l'établissement."))
    _require_enrolled(student.pk, punishment.establishment_id, today)
    punishment.save()
    audit.record(
        actor=actor,
        verb="discipline.give_punishment",
        target=punishment,
        subject_id=student.pk,
        establishment_id=punishment.establishment_id,
        after={"kind": kind, "given_on": today.isoformat(), "incident": incident.pk if incident else None},
    )
    _notify_punishment(punishment, student)
    return punishment


@transaction.atomic
def follow_up_punishment(
    *, actor: Actor, punishment: Punishment, done_on: dt.date | None, note: str = "", today: dt.date | None = None
) -> Punishment:
    """Record whether the punishment was done, and when (None: not done yet)."""
    authz.require(actor, Action.CHANGE, punishment)
    if done_on is not None and done_on > _today(today):
        raise DisciplineError(_("La date de réalisation ne peut pas être dans le futur."))
    before = {"done_on": punishment.done_on and punishment.done_on.isoformat(), "note": punishment.follow_up_note}
    punishment.done_on, punishment.follow_up_note = done_on, note.strip()
    punishment.save(update_fields=["done_on", "follow_up_note"])
    audit.record(
        actor=actor,
        verb="discipline.follow_up_punishment",
        target=punishment,
        subject_id=punishment.student_id,
        establishment_id=punishment.establishment_id,
        before=before,
        after={"done_on": done_on and done_on.isoformat(), "note": punishment.follow_up_note},
    )
    return punishment


# --- sanctions: the procedure's steps --------------------------------------------------------------------
STEP_TITLES: dict[str, Promise] = {
    Sanction.Step.INFORMED: gettext_lazy("Procédure disciplinaire engagée pour %(name)s"),
    Sanction.Step.DEFENCE: gettext_lazy("Défense %(of_name)s entendue"),
    Sanction.Step.DECIDED: gettext_lazy("Sanction décidée pour %(name)s"),
    Sanction.Step.NOTIFIED: gettext_lazy("Notification de la sanction %(of_name)s"),
}


def _step_notice(sanction: Sanction, body: str) -> None:
    student = sanction.student
    notify(
        recipients=_family(student.pk),
        kind="discipline.sanction_step",
        title=str(STEP_TITLES[sanction.step]) % {"name": student.first_name, "of_name": french.de(student.first_name)},
        body=body,
        url=reverse("discipline:sanction", args=[sanction.pk]),
        target=sanction,
        establishment_id=sanction.establishment_id,
        about=student,
    )


def _audit_step(actor: Actor, sanction: Sanction, on: dt.date) -> None:
    audit.record(
        actor=actor,
        verb="discipline.sanction." + sanction.step,
        target=sanction,
        subject_id=sanction.student_id,
        establishment_id=sanction.establishment_id,
        after={"step": sanction.step, "on": on.isoformat()},
    )


def _lock(sanction: Sanction) -> Sanction:
    return Sanction.objects.select_for_update().select_related("student").get(pk=sanction.pk)


def _check_date(on: dt.date, today: dt.date, after: dt.date | None) -> None:
    if on > today:
        raise DisciplineError(_("Cette date ne peut pas être dans le futur."))
    if after is not None and on < after:
        raise DisciplineError(_("Cette date ne peut pas précéder l'étape précédente."))


@transaction.atomic
def open_sanction(
    *,
    actor: Actor,
    student: User,
    authority: str,
    facts: str,
    incident: Incident | None = None,
    today: dt.date | None = None,
) -> Sanction:
    """Open a disciplinary procedure about a student (the family is informed at the next step)."""
    today = _today(today)
    if actor.establishment_id is None:  # one acts in an establishment
        raise PermissionDenied
    sanction = Sanction(
        establishment_id=actor.establishment_id,
        student=student,
        incident=incident,
        authority=authority,
        facts=facts.strip(),
        opened_by_id=actor.user_id,
        opened_on=today,
    )
    authz.require(actor, Action.CREATE, sanction)
    if incident is not None and incident.establishment_id != sanction.establishment_id:
        raise DisciplineError(_("Cet incident n'est pas celui de l'établissement."))
    _require_enrolled(student.pk, sanction.establishment_id, today)
    sanction.save()
    _audit_step(actor, sanction, today)
    return sanction


@transaction.atomic
def inform_family(
    *, actor: Actor, sanction: Sanction, informed_on: dt.date | None = None, today: dt.date | None = None
) -> Sanction:
    """The family was informed in writing of the facts and of its right to present a defence: the defence
    deadline follows from the authority (two working days for the principal, eight days for the council)."""
    authz.require(actor, Action.CHANGE, sanction)
    today = _today(today)
    informed_on = informed_on or today
    locked = _lock(sanction)
    if locked.step != Sanction.Step.OPENED:
        raise DisciplineError(_("La famille a déjà été informée."))
    _check_date(informed_on, today, locked.opened_on)
    locked.informed_on = informed_on
    locked.defence_deadline = rules.defence_deadline(locked.authority, informed_on)
    locked.save(update_fields=["informed_on", "defence_deadline"])
    _audit_step(actor, locked, informed_on)
    _step_notice(
        locked,
        _("Les faits reprochés : %(facts)s. Vous pouvez présenter votre défense jusqu'au %(deadline)s inclus.")
        % {"facts": locked.facts, "deadline": dates.date_avis(locked.defence_deadline)},
    )
    return locked


@transaction.atomic
def record_defence(
    *,
    actor: Actor,
    sanction: Sanction,
    heard_on: dt.date | None = None,
    summary: str = "",
    today: dt.date | None = None,
) -> Sanction:
    """The student and their family presented their defence (orally or in writing)."""
    authz.require(actor, Action.CHANGE, sanction)
    today = _today(today)
    heard_on = heard_on or today
    locked = _lock(sanction)
    if locked.step != Sanction.Step.INFORMED:
        raise DisciplineError(_("La défense ne peut être entendue qu'après l'information de la famille."))
    _check_date(heard_on, today, locked.informed_on)
    locked.defence_heard_on, locked.defence_summary = heard_on, summary.strip()
    locked.save(update_fields=["defence_heard_on", "defence_summary"])
    _audit_step(actor, locked, heard_on)
    _step_notice(locked, _("La défense a été entendue le %(on)s.") % {"on": dates.date_avis(heard_on)})
    return locked


def can_decide(sanction: Sanction, today: dt.date) -> bool:
    """The decision waits until the defence was heard or its deadline has passed."""
    if sanction.informed_on is None or sanction.decided_on is not None:
        return False
    assert sanction.defence_deadline is not None  # informing the family sets the defence's deadline
    return sanction.defence_heard_on is not None or today > sanction.defence_deadline


@transaction.atomic
def decide_sanction(
    *,
    actor: Actor,
    sanction: Sanction,
    kind: str,
    days: int | None = None,
    suspension: str = Sanction.Suspension.NONE,
    suspended_days: int | None = None,
    decided_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Sanction:
    """Pronounce the sanction, once the defence was heard or its deadline passed."""
    authz.require(actor, Action.CHANGE, sanction)
    today = _today(today)
    decided_on = decided_on or today
    locked = _lock(sanction)
    if locked.informed_on is None:
        raise DisciplineError(_("Informez d'abord la famille des faits et de son droit à se défendre."))
    if locked.decided_on is not None:
        raise DisciplineError(_("La sanction est déjà décidée."))
    assert locked.defence_deadline is not None  # informing the family sets the defence's deadline
    if locked.defence_heard_on is None and decided_on <= locked.defence_deadline:
        raise DisciplineError(
            _("Pas de décision avant la fin du délai de défense (%(deadline)s) ou avant d'avoir entendu la défense.")
            % {"deadline": dates.date_avis(locked.defence_deadline)}
        )
    _check_date(decided_on, today, locked.defence_heard_on or locked.informed_on)
    _check_decision(locked.authority, kind, days, suspension, suspended_days)
    locked.kind, locked.decided_on, locked.decided_by_id = kind, decided_on, actor.user_id
    locked.days = days if kind in rules.WITH_DAYS else None
    locked.suspension = suspension
    locked.suspended_days = suspended_days if suspension == Sanction.Suspension.PARTIAL else None
    locked.save(update_fields=["kind", "decided_on", "decided_by", "days", "suspension", "suspended_days"])
    _audit_step(actor, locked, decided_on)
    _step_notice(
        locked,
        _("Sanction décidée le %(on)s : %(kind)s.") % {"on": dates.date_avis(decided_on), "kind": describe(locked)},
    )
    return locked


def _check_decision(authority: str, kind: str, days: int | None, suspension: str, suspended_days: int | None) -> None:
    if kind not in rules.DECIDED_BY[authority]:
        raise DisciplineError(_("Seul le conseil de discipline prononce une exclusion définitive."))
    if kind in rules.WITH_DAYS and not (days and 1 <= days <= rules.MAX_EXCLUSION_DAYS):
        raise DisciplineError(_("Une exclusion temporaire dure de 1 à 8 jours."))
    if suspension != Sanction.Suspension.NONE and kind not in rules.MAY_BE_SUSPENDED:
        raise DisciplineError(_("Un avertissement ou un blâme ne peut pas être assorti d'un sursis."))
    partial = suspension == Sanction.Suspension.PARTIAL and kind in rules.WITH_DAYS
    if partial and (not suspended_days or suspended_days >= (days or 0)):
        raise DisciplineError(_("Le sursis partiel porte sur une partie des jours d'exclusion."))


def describe(sanction: Sanction) -> str:
    """The sanction in words: its kind, its length, its sursis."""
    text = sanction.get_kind_display()
    if sanction.days:
        text += " " + _("(%(days)s jours)") % {"days": sanction.days}
    if sanction.suspension == Sanction.Suspension.FULL:
        text += ", " + _("avec sursis total")
    elif sanction.suspension == Sanction.Suspension.PARTIAL:
        text += ", " + (
            _("dont %(days)s jours avec sursis") % {"days": sanction.suspended_days}
            if sanction.suspended_days
            else _("avec sursis partiel")
        )
    return text


@transaction.atomic
def notify_decision(
    *, actor: Actor, sanction: Sanction, notified_on: dt.date | None = None, today: dt.date | None = None
) -> Sanction:
    """The decision was notified to the student and the family: the procedure is complete."""
    authz.require(actor, Action.CHANGE, sanction)
    today = _today(today)
    notified_on = notified_on or today
    locked = _lock(sanction)
    if locked.decided_on is None or locked.notified_on is not None:
        raise DisciplineError(_("Seule une décision prise et pas encore notifiée peut être notifiée."))
    _check_date(notified_on, today, locked.decided_on)
    locked.notified_on = notified_on
    locked.save(update_fields=["notified_on"])
    _audit_step(actor, locked, notified_on)
    _step_notice(
        locked,
        _("La décision (%(kind)s) vous est notifiée le %(on)s.")
        % {"kind": describe(locked), "on": dates.date_avis(notified_on)},
    )
    return locked


# --- legal erasure ---------------------------------------------------------------------------------------
def _school_year_ends(sanctions: list[Sanction]) -> dict[int, dt.date]:
    """Sanction id -> last day of the school year of its decision (one query)."""
    establishments = {s.establishment_id for s in sanctions if s.decided_on}
    years = defaultdict(list)
    for year in SchoolYear.objects.filter(establishment_id__in=establishments).only(
        "establishment_id", "start_date", "end_date"
    ):
        years[year.establishment_id].append(year)
    ends = {}
    for s in sanctions:
        for year in years.get(s.establishment_id, ()):
            if s.decided_on and year.start_date <= s.decided_on <= year.end_date:
                ends[s.pk] = year.end_date
    return ends


def schooling_ended(student_ids: Iterable[int], today: dt.date) -> set[int]:
    """Students whose secondary schooling has ended (see ``rules.SCHOOLING_ENDS_AFTER``), in one query."""
    ids = set(student_ids)
    rows = (
        Enrolment.objects.filter(student_id__in=Sanction.objects.values("student_id"))
        .values("student_id")
        .annotate(
            last=Max("end_date"),
            open=Max("pk", filter=Q(end_date__isnull=True) | Q(start_date__gt=today)),
        )
        .order_by()
    )
    enrolled, ended = set(), set()
    for r in rows:
        enrolled.add(r["student_id"])
        if r["open"] is None and r["last"] + rules.SCHOOLING_ENDS_AFTER < today:
            ended.add(r["student_id"])
    return (ended | (ids - enrolled)) & ids


ERASE_BATCH = 500


@transaction.atomic
def erase_expired_sanctions(*, today: dt.date | None = None) -> int:
    """Delete the sanctions whose time in the student's file is over (``rules.ERASURE_RULES``, and every
    sanction at the end of schooling). Incidents and punishments stay; each erasure is audited without
    its content. Returns how many were erased."""
    today = _today(today)
    sanctions = list(Sanction.objects.only("pk", "establishment_id", "student_id", "kind", "decided_on"))
    ends = _school_year_ends(sanctions)
    left = schooling_ended({s.student_id for s in sanctions}, today)
    expired: list[tuple[Sanction, str]] = []
    for s in sanctions:
        if s.student_id in left:
            expired.append((s, rules.Clock.END_OF_SCHOOLING))
            continue
        date = rules.erasure_date(s, ends.get(s.pk))
        if date is not None and date <= today:
            expired.append((s, rules.ERASURE_RULES[s.kind].clock))
    for s, clock in expired:
        audit.record(
            actor=None,
            verb="discipline.erase_sanction",
            target=s,
            subject_id=s.student_id,
            establishment_id=s.establishment_id,
            after={"rule": str(clock), "on": today.isoformat()},
        )
    pks = [s.pk for s, _clock in expired]
    for start in range(0, len(pks), ERASE_BATCH):
        Sanction.objects.filter(pk__in=pks[start : start + ERASE_BATCH]).delete()
    return len(expired)


def staff_ids(establishment_id: int) -> list[int]:
    """Who receives a class-exclusion report: the vie scolaire and the direction."""
    return list(
        current(
            Membership.objects.filter(establishment_id=establishment_id, role__in=[Role.EDUCATION, Role.DIRECTION])
        ).values_list("person_id", flat=True)
    )


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Incident: erasure.unlink("reported_by"),
    Involvement: erasure.delete("person"),
    Punishment: erasure.each(erasure.delete("student"), erasure.unlink("given_by")),
    Sanction: erasure.each(erasure.delete("student"), erasure.unlink("opened_by", "decided_by")),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="discipline", rules=ERASURE, user=user, model=model, actor=actor)
