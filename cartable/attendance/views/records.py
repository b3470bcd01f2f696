"""One absence or lateness: what it covers, its justifications, and the forms of who may act on it (the
family justifies; the vie scolaire decides a justification or sets the state)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cartable.attendance import actions, forms, queries
from cartable.attendance.models import Absence, Justification, Lateness
from cartable.attendance.views.common import MODULE, actor_of
from cartable.core import audit, authz, uploads
from cartable.core.authz import Action
from cartable.core.views import require_module

type Record = Absence | Lateness
# What a posted form gives back: the page to go to, or the form to show again with its errors.
type Outcome = HttpResponse | tuple[str, Form]


def _record_page(request: HttpRequest, record: Record, justifications: list[Justification], extra: dict) -> dict:
    """The record page's context: the forms of what the actor may do on the record."""
    actor = actor_of(request)
    can_follow = authz.allows(actor, Action.CHANGE, record)
    justify_form = decide_form = status_form = None
    if authz.can(actor, "attendance.justify", record):
        justify_form = forms.JustifyForm(establishment_id=record.establishment_id)
    if can_follow:
        decide_form = forms.DecideForm()
        status_form = forms.StatusForm(
            establishment_id=record.establishment_id,
            initial={"status": record.status, "reason": record.reason_id, "comment": record.comment},
        )
    return {
        "record": record,
        "justifications": justifications,
        "justify_form": justify_form,
        "decide_form": decide_form,
        "status_form": status_form,
        "can_follow": can_follow,
        "student": record.student,
        **extra,
    }


def _justify(request: HttpRequest, record: Record, detail_url: str) -> Outcome:
    form = forms.JustifyForm(request.POST, request.FILES, establishment_id=record.establishment_id)
    if not form.is_valid():
        return "justify_form", form
    data = form.cleaned_data
    actions.justify(
        actor=actor_of(request),
        record=record,
        reason=data["reason"],
        comment=data["comment"],
        document=data["document"],
    )
    messages.success(request, _("Justification envoyée à la vie scolaire."))
    return redirect(detail_url)


def _decide(request: HttpRequest, record: Record, detail_url: str) -> Outcome:
    actor = actor_of(request)
    justification = queries.justification_to_decide(actor, record, request.POST.get("justification"))
    form = forms.DecideForm(request.POST)
    if not form.is_valid():
        return "decide_form", form
    accept = form.cleaned_data["decision"] == "accept"
    actions.decide(actor=actor, justification=justification, accept=accept, message=form.cleaned_data["message"])
    messages.success(request, _("Décision enregistrée ; la famille est prévenue."))
    return redirect(detail_url)


def _set_status(request: HttpRequest, record: Record, detail_url: str) -> Outcome:
    form = forms.StatusForm(request.POST, establishment_id=record.establishment_id)
    if not form.is_valid():
        return "status_form", form
    data = form.cleaned_data
    actions.set_status(
        actor=actor_of(request),
        record=record,
        status=data["status"],
        reason=data.get("reason"),
        comment=data["comment"],
    )
    messages.success(request, _("État enregistré."))
    return redirect(detail_url)


_POSTED: dict[str, Callable[[HttpRequest, Record, str], Outcome]] = {
    "justify": _justify,
    "decide": _decide,
    "status": _set_status,
}


def _post_on_record(request: HttpRequest, record: Record, detail_url: str) -> Outcome:
    """Handle the three forms of a record's page: justify (family), decide and set status (staff); a refusal
    looks like a missing page."""
    handle = _POSTED.get(request.POST.get("form", ""))
    if handle is None:
        raise Http404
    try:
        return handle(request, record, detail_url)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(detail_url)


def _record_view(
    request: HttpRequest, record: Record, url: str, details: Callable[[], tuple[list[Justification], list[Any]]]
) -> HttpResponse:
    """The page of an absence or a lateness, after the form posted to it (if any)."""
    failed: tuple[str, Form] | None = None
    if request.method == "POST":
        outcome = _post_on_record(request, record, url)
        if isinstance(outcome, HttpResponse):
            return outcome
        failed = outcome
    justifications, marks = details()
    kind = "absence" if isinstance(record, Absence) else "lateness"
    context = _record_page(request, record, justifications, {"marks": marks, "kind": kind})
    if failed:
        context[failed[0]] = failed[1]
    return render(request, "attendance/record.html", context, status=400 if failed else 200)


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def absence(request: HttpRequest, pk: int) -> HttpResponse:
    """An absence: the lessons it covers, its justifications (documents), and what one may do."""
    actor = actor_of(request)
    record = authz.access(actor, Absence.objects.select_related("reason", "student"), pk, Action.VIEW)
    url = reverse("attendance:absence", args=[pk])
    return _record_view(request, record, url, lambda: queries.absence_detail(actor, record))


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def lateness(request: HttpRequest, pk: int) -> HttpResponse:
    """A lateness and its justifications."""
    actor = actor_of(request)
    record = authz.access(actor, Lateness.objects.select_related("reason", "student"), pk, Action.VIEW)
    url = reverse("attendance:lateness", args=[pk])
    return _record_view(request, record, url, lambda: (queries.lateness_detail(actor, record), []))


@require_GET
@require_module(MODULE)
def document(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A justification's document, for those who see the justification (never the teachers)."""
    actor = actor_of(request)
    found = authz.access(actor, Justification, pk, Action.VIEW)
    audit.record_read(actor=actor, verb="attendance.view_document", target=found, subject_id=found.student_id)
    return uploads.serve_file(
        request, found.document, filename=found.original_name, content_type=found.content_type, inline=True
    )
