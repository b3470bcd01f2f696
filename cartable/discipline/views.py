"""The discipline pages: the list, incidents, punishments and their follow-up, sanctions and their procedure,
and a student's disciplinary file. Staff reads of a student's punishment, sanction or file are audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.actor import Actor
from cartable.directory.models import User
from cartable.discipline import actions, queries
from cartable.discipline.forms import (
    DecisionForm,
    DefenceForm,
    FollowUpForm,
    IncidentForm,
    PunishmentForm,
    SanctionForm,
    StepDateForm,
)
from cartable.discipline.models import Punishment, Sanction


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _permissions(actor: Actor) -> dict[str, bool]:
    """The flags of the links to what the actor may do in the active establishment."""
    here = actor.establishment
    return {
        "can_punish": authz.can(actor, "discipline.punish", here),
        "can_open_sanction": authz.can(actor, "discipline.open_sanction", here),
        "can_oversee": authz.can(actor, "discipline.oversee", here),
    }


@require_module("discipline")
def home(request: HttpRequest) -> HttpResponse:
    """Families: their child's punishments and sanctions; staff: the establishment's, as they may see them."""
    actor = _actor(request)
    to_follow = request.GET.get("a_suivre") == "1"
    family_view = queries.family_view(actor)
    context: dict[str, Any]
    if request.htmx:  # type: ignore[attr-defined]  # the filter swaps the punishments only
        context = {"punishments": queries.home_punishments(actor, to_follow=to_follow)}
        context |= {"family_view": family_view, "to_follow": to_follow}
        return render(request, "discipline/home.html#punishments", context)
    context = queries.home(actor, to_follow=to_follow) | _permissions(actor)
    context |= {"family_view": family_view, "to_follow": to_follow}
    return render(request, "discipline/home.html", context)


@require_module("discipline")
def incident_create(request: HttpRequest) -> HttpResponse:
    """Report an incident and the people involved."""
    actor = _actor(request)
    authz.require_or_404(actor, "discipline.punish", actor.establishment)
    assert actor.establishment_id is not None  # one punishes in an establishment
    form = IncidentForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = actions.report_incident(
                actor=actor,
                establishment_id=actor.establishment_id,
                occurred_at=data["occurred_at"],
                place=data["place"],
                facts=data["facts"],
                people=form.people(),
            )
        except actions.DisciplineError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'incident est enregistré."))
            return redirect("discipline:incident", pk=incident.pk)
    return render(request, "discipline/incident_form.html", {"form": form}, status=400 if form.errors else 200)


@require_module("discipline")
def incident(request: HttpRequest, pk: int) -> HttpResponse:
    """An incident, its people (witnesses included: only staff see incidents) and its punishments."""
    actor = _actor(request)
    found = queries.incident_detail(actor, pk)
    return render(
        request,
        "discipline/incident.html",
        {"incident": found, "involvements": list(found.involvements.all())} | _permissions(actor),
    )


@require_module("discipline")
def punishment_create(request: HttpRequest) -> HttpResponse:
    """Give a punishment; an exclusion from class is refused without its written report."""
    actor = _actor(request)
    authz.require_or_404(actor, "discipline.punish", actor.establishment)
    incidents = queries.incidents_to_link(actor)
    initial = {"student": request.GET.get("eleve"), "incident": request.GET.get("incident")}
    form = PunishmentForm(request.POST or None, actor=actor, incidents=incidents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            punishment = actions.give_punishment(
                actor=actor,
                student=data["student"],
                kind=data["kind"],
                reason=data["reason"],
                incident=data.get("incident"),
                detention_at=data["detention_at"],
                detention_place=data.get("detention_place", ""),
                report=data.get("report", ""),
                due_on=data.get("due_on"),
            )
        except actions.DisciplineError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La punition est enregistrée ; la famille est prévenue."))
            return redirect("discipline:punishment", pk=punishment.pk)
    return render(request, "discipline/punishment_form.html", {"form": form}, status=400 if form.errors else 200)


@require_module("discipline")
def punishment(request: HttpRequest, pk: int) -> HttpResponse:
    """A punishment; who may change it records its follow-up here."""
    actor = _actor(request)
    related = Punishment.objects.select_related("student", "given_by", "incident", "establishment")
    found = authz.access(actor, related, pk)
    can_follow = authz.allows(actor, Action.CHANGE, found)
    form = None
    if can_follow:
        initial = {"done": found.is_done, "done_on": found.done_on, "note": found.follow_up_note}
        form = FollowUpForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                actions.follow_up_punishment(
                    actor=actor, punishment=found, done_on=form.cleaned_data["done_on"], note=form.cleaned_data["note"]
                )
            except actions.DisciplineError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Le suivi est enregistré."))
                return redirect("discipline:punishment", pk=found.pk)
    elif request.method == "POST":
        raise Http404
    audit.record_read(actor=actor, verb="discipline.view_punishment", target=found, subject_id=found.student_id)
    return render(
        request,
        "discipline/punishment.html",
        {
            "punishment": found,
            "form": form,
            "can_see_staff_side": authz.can(actor, "discipline.see_staff_side", found.establishment),
        },
        status=400 if form is not None and form.errors else 200,
    )


@require_module("discipline")
def sanction_create(request: HttpRequest) -> HttpResponse:
    """Open a disciplinary procedure (the direction)."""
    actor = _actor(request)
    authz.require_or_404(actor, "discipline.open_sanction", actor.establishment)
    incidents = queries.incidents_to_link(actor)
    initial = {"student": request.GET.get("eleve"), "incident": request.GET.get("incident")}
    form = SanctionForm(request.POST or None, actor=actor, incidents=incidents, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sanction = actions.open_sanction(
                actor=actor,
                student=data["student"],
                authority=data["authority"],
                facts=data["facts"],
                incident=data.get("incident"),
            )
        except actions.DisciplineError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La procédure est engagée. Informez maintenant la famille."))
            return redirect("discipline:sanction", pk=sanction.pk)
    return render(request, "discipline/sanction_form.html", {"form": form}, status=400 if form.errors else 200)


def _run_step(actor: Actor, sanction: Sanction, step: str, data: dict[str, Any]) -> Sanction:
    if step == Sanction.Step.OPENED:
        return actions.inform_family(actor=actor, sanction=sanction, informed_on=data["on"])
    if step == "defence":
        return actions.record_defence(actor=actor, sanction=sanction, heard_on=data["on"], summary=data["summary"])
    if step == "decide":
        return actions.decide_sanction(
            actor=actor,
            sanction=sanction,
            kind=data["kind"],
            days=data.get("days"),
            suspension=data["suspension"],
            suspended_days=data.get("suspended_days"),
            decided_on=data["on"],
        )
    return actions.notify_decision(actor=actor, sanction=sanction, notified_on=data["on"])


def _step_forms(sanction: Sanction, today: dt.date) -> dict[str, django_forms.Form]:
    """The form of the procedure's next step (the defence, and the decision once it may be taken)."""
    initial = {"on": today}
    if sanction.step == Sanction.Step.NOTIFIED:
        return {}
    if sanction.step == Sanction.Step.INFORMED:
        found: dict[str, django_forms.Form] = {"defence": DefenceForm(initial=initial, prefix="defence")}
        if actions.can_decide(sanction, today):
            found["decide"] = DecisionForm(initial=initial, prefix="decide")
        return found
    if sanction.step == Sanction.Step.DEFENCE:
        return {"decide": DecisionForm(initial=initial, prefix="decide")}
    return {sanction.step: StepDateForm(initial=initial, prefix=sanction.step)}


def _post_step(request: HttpRequest, found: Sanction, forms: dict[str, django_forms.Form]) -> HttpResponse | None:
    """Record the posted step; None when its form is shown again with its errors (in ``forms``)."""
    step = request.POST.get("step", "")
    if step not in forms:
        raise Http404
    form = forms[step] = type(forms[step])(request.POST, prefix=step)
    if form.is_valid():
        try:
            _run_step(_actor(request), found, step, form.cleaned_data)
        except actions.DisciplineError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("L'étape est enregistrée ; la famille est prévenue."))
            return redirect("discipline:sanction", pk=found.pk)
    return None


@require_module("discipline")
def sanction(request: HttpRequest, pk: int) -> HttpResponse:
    """A sanction and its procedure; the direction records the next step here (the decision waits for the
    defence or the end of its time)."""
    actor = _actor(request)
    related = Sanction.objects.select_related("student", "incident", "decided_by", "establishment")
    found = authz.access(actor, related, pk)
    can_run = authz.allows(actor, Action.CHANGE, found)
    today = timezone.localdate()
    forms = _step_forms(found, today) if can_run else {}
    status = 200
    if request.method == "POST":
        response = _post_step(request, found, forms)
        if response is not None:
            return response
        status = 400
    audit.record_read(actor=actor, verb="discipline.view_sanction", target=found, subject_id=found.student_id)
    context = {
        "sanction": found,
        "description": actions.describe(found) if found.kind else "",
        "next_step": queries.next_step(found, today),
        "forms": forms,
        "can_see_staff_side": authz.can(actor, "discipline.see_staff_side", found.establishment),
        "waiting": can_run and found.step == Sanction.Step.INFORMED and "decide" not in forms,
    }
    return render(request, "discipline/sanction.html", context, status=status)


@require_module("discipline")
def student(request: HttpRequest, pk: int) -> HttpResponse:
    """A student's disciplinary file: their punishments and sanctions, as the actor may see them."""
    actor = _actor(request)
    person = authz.access(actor, User, pk)
    authz.require_or_404(actor, "discipline.view_file", person)
    file = queries.student_file(actor, person.pk)
    file["chart"] = queries.monthly_counts(file["punishments"], timezone.localdate())
    audit.record_read(actor=actor, verb="discipline.view_file", target=person, subject_id=person.pk)
    return render(request, "discipline/student.html", {"student": person, **file} | _permissions(actor))
