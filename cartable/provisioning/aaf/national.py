"""The national student identifier (INE, SIECLE's ``ID_NATIONAL``): kept on each student an establishment's
export feeds, and used to find the account of a student who moves from one such establishment to another
(they keep it, as the issue asks), since each establishment's base numbers its students its own way."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from cartable.directory.models import ExternalIdentifier, User

if TYPE_CHECKING:
    from cartable.provisioning.aaf.plan import Person, Plan

INE = ExternalIdentifier.Source.INE


def match_students(plan: Plan, jointures: set[str]) -> dict[str, User]:
    """Students new to this establishment's base whose INE an account already carries (one query)."""
    wanted = {}
    for jointure in jointures:
        request = plan.aaf.people.get(jointure)
        if request is not None and request.category == "Eleve" and request.first("INE"):
            wanted[request.first("INE")] = jointure
    if not wanted:
        return {}
    matched = {}
    for row in ExternalIdentifier.objects.filter(source=INE, value__in=list(wanted)).select_related("person"):
        jointure = wanted[row.value]
        matched[jointure] = row.person
        plan.warn(
            _("L'élève « %(id)s » est rapproché de %(name)s par son INE : il garde son compte.")
            % {"id": jointure, "name": row.person.username},
            plan.aaf.people[jointure],
        )
    return matched


def keep_ine(plan: Plan, persons: Iterable[Person]) -> None:
    """Each student's INE kept as an external identifier, once (one query)."""
    students = [p for p in persons if p.request.category == "Eleve" and p.request.first("INE")]
    if not students:
        return
    ines = [p.request.first("INE") for p in students]
    ids = [p.user.pk for p in students if p.user.pk]
    rows = list(ExternalIdentifier.objects.filter(source=INE, value__in=ines)) + list(
        ExternalIdentifier.objects.filter(source=INE, person_id__in=ids).exclude(value__in=ines)
    )
    owner = {r.value: r.person_id for r in rows}
    has = {r.person_id for r in rows}
    for person in students:
        ine = person.request.first("INE")
        if ine in owner:
            if owner[ine] != person.user.pk:
                plan.warn(
                    _("INE « %(ine)s » déjà porté par un autre compte : non repris.") % {"ine": ine}, person.request
                )
            continue
        if person.user.pk in has:
            plan.warn(_("L'élève a déjà un autre INE : « %(ine)s » non repris.") % {"ine": ine}, person.request)
            continue
        plan.creates[ExternalIdentifier].append(ExternalIdentifier(person=person.user, source=INE, value=ine))
