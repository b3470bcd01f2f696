"""The discipline pages: the list, incidents, punishments and their follow-up, sanctions and their procedure,
and a student's disciplinary file. Staff reads of a student's punishment, sanction or file are audited."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz
from cartable.core.authz import Action
from cartable.core.views import require_module
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
from cartable.discipline.policies import directed, may_punish, overseen


def _permissions(actor) -> dict:
    eid = actor.establishment_id
    return {
        "can_punish": may_punish(actor, eid),
        "can_open_sanction": eid in directed(actor),
        "oversees": eid in overseen(actor),
    }


@require_module("discipline")
def home(request):
    """Families: their child's punishments and sanctions; staff: the establishment's, as they may see them."""
    actor = request.actor
    to_follow = request.GET.get("a_suivre") == "1"
    family_view = queries.is_family(actor) or not actor.is_staff_of(actor.establishment_id)
    if request.htmx:  # the filter swaps the punishments only
        context = {"punishments": queries.home_punishments(actor, to_follow=to_follow)}
        context |= {"family_view": family_view, "to_follow": to_follow}
        return render(request, "discipline/home.html#punishments", context)
    context = queries.home(actor, to_follow=to_follow) | _permissions(actor)
    context |= {"family_view": family_view, "to_follow": to_follow}
    return render(request, "discipline/home.html", context)


@require_module("discipline")
def incident_create(request):
    """Report an incident and the people involved."""
    actor = request.actor
    if not may_punish(actor, actor.establishment_id):
        raise Http404
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
def incident(request, pk: int):
    """An incident, its people (witnesses included: only staff see incidents) and its punishments."""
    found = queries.incident_detail(request.actor, pk)
    return render(
        request,
        "discipline/incident.html",
        {"incident": found, "involvements": list(found.involvements.all())} | _permissions(request.actor),
    )


def _step_date(request) -> dict:
    return {"on": timezone.localdate()}


@require_module("discipline")
def punishment_create(request):
    """Give a punishment; an exclusion from class is refused without its written report."""
    actor = request.actor
    if not may_punish(actor, actor.establishment_id):
        raise Http404
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
def punishment(request, pk: int):
    """A punishment; who may change it records its follow-up here."""
    actor = request.actor
    found = authz.access(actor, Punishment.objects.select_related("student", "given_by", "incident"), pk)
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
        {"punishment": found, "form": form, "staff": actor.is_staff_of(found.establishment_id)},
        status=400 if form is not None and form.errors else 200,
    )


@require_module("discipline")
def sanction_create(request):
    """Open a disciplinary procedure (the direction)."""
    actor = request.actor
    if actor.establishment_id not in directed(actor):
        raise Http404
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


def _run_step(actor, sanction: Sanction, step: str, data: dict) -> Sanction:
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


@require_module("discipline")
def sanction(request, pk: int):
    """A sanction and its procedure; the direction records the next step here (the decision waits for the
    defence or the end of its time)."""
    actor = request.actor
    found = authz.access(actor, Sanction.objects.select_related("student", "incident", "decided_by"), pk)
    can_run = authz.allows(actor, Action.CHANGE, found)
    today = timezone.localdate()
    forms = {}
    if can_run and found.step != Sanction.Step.NOTIFIED:
        if found.step == Sanction.Step.INFORMED:
            forms["defence"] = DefenceForm(initial=_step_date(request), prefix="defence")
            if actions.can_decide(found, today):
                forms["decide"] = DecisionForm(initial=_step_date(request), prefix="decide")
        elif found.step == Sanction.Step.DEFENCE:
            forms["decide"] = DecisionForm(initial=_step_date(request), prefix="decide")
        else:
            forms[found.step] = StepDateForm(initial=_step_date(request), prefix=found.step)
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in forms:
            raise Http404
        form = type(forms[step])(request.POST, prefix=step)
        forms[step] = form
        if form.is_valid():
            try:
                _run_step(actor, found, step, form.cleaned_data)
            except actions.DisciplineError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("L'étape est enregistrée ; la famille est prévenue."))
                return redirect("discipline:sanction", pk=found.pk)
        status = 400
    audit.record_read(actor=actor, verb="discipline.view_sanction", target=found, subject_id=found.student_id)
    context = {
        "sanction": found,
        "description": actions.describe(found) if found.kind else "",
        "next_step": queries.next_step(found, today),
        "forms": forms,
        "staff": actor.is_staff_of(found.establishment_id),
        "waiting": can_run and found.step == Sanction.Step.INFORMED and "decide" not in forms,
    }
    return render(request, "discipline/sanction.html", context, status=status)


@require_module("discipline")
def student(request, pk: int):
    """A student's disciplinary file: their punishments and sanctions, as the actor may see them."""
    actor = request.actor
    person = authz.access(actor, User, pk)
    if not actor.is_staff_of(actor.establishment_id) and pk not in queries_family_ids(actor):
        raise Http404
    file = queries.student_file(actor, person.pk)
    file["chart"] = queries.monthly_counts(file["punishments"], timezone.localdate())
    audit.record_read(actor=actor, verb="discipline.view_file", target=person, subject_id=person.pk)
    return render(request, "discipline/student.html", {"student": person, **file} | _permissions(actor))


def queries_family_ids(actor) -> set[int]:
    return {actor.user_id} | set(actor.children_ids)
