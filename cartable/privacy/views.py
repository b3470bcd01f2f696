"""Pages of « Mes données personnelles »: who read one's data, one's sessions, one's archives.

Views parse, ask a query or call an action, and render; the rules are ``cartable.privacy.policies``'."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cartable.accounts import actions as account_actions
from cartable.accounts import queries as account_queries
from cartable.core import uploads
from cartable.directory.http import SignedInRequest
from cartable.privacy import actions, queries
from cartable.privacy.forms import EndSessionsForm


@require_GET
def index(request: SignedInRequest) -> HttpResponse:
    """The hub: whose data one may look at (oneself, one's children with legal responsibility)."""
    return render(request, "privacy/index.html", {"people": queries.people_looked_after(request.actor)})


@require_GET
def who_read(request: SignedInRequest, person_id: int) -> HttpResponse:
    """« Qui a consulté » a person's data, grouped per member of staff and day, over a chosen period."""
    person = queries.person_for(request.actor, person_id, "privacy.view_reads")
    days = queries.period_days(request.GET.get("periode"))
    context = {"person": person, "readers": queries.who_read(person, days=days), "days": days}
    return render(request, "privacy/who_read.html", context | {"periods": queries.PERIODS})


@require_GET
def sessions(request: SignedInRequest) -> HttpResponse:
    """One's open sessions: device, since when, last active; the current one marked."""
    rows = account_queries.open_sessions(request.user, current_key=request.session.session_key)
    return render(request, "privacy/sessions.html", {"sessions": rows, "form": EndSessionsForm()})


@require_POST
def end_sessions(request: SignedInRequest) -> HttpResponse:
    """End one session, every other one, or all of them (then this browser signs out too)."""
    form = EndSessionsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez la session à fermer."))
        return HttpResponseRedirect(reverse("privacy:sessions"))
    scope, current = form.cleaned_data["scope"], request.session.session_key
    one = [form.cleaned_data["session"]] if scope == form.ONE else None
    ended = account_actions.end_sessions(
        actor=request.actor, session_ids=one, keep_key=current if one or scope == form.OTHERS else None
    )
    if scope == form.ALL:
        logout(request)
        return HttpResponseRedirect(reverse("accounts:login"))
    messages.success(request, ngettext("%(n)s session fermée.", "%(n)s sessions fermées.", ended) % {"n": ended})
    return HttpResponseRedirect(reverse("privacy:sessions"))


@require_GET
def exports(request: SignedInRequest) -> HttpResponse:
    """« Mes données »: ask for an archive of one's data or a child's; the archives kept, with their progress."""
    context = {"people": queries.people_looked_after(request.actor), "exports": queries.exports_of(request.actor)}
    return render(request, "privacy/exports.html", context)


@require_POST
def request_export(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Queue the archive of a person's data; htmx gets the list of archives with its progress bar."""
    person = queries.person_for(request.actor, person_id, "privacy.export_data")
    actions.request_export(actor=request.actor, subject=person)
    if request.htmx:
        return render(request, "privacy/exports.html#archives", {"exports": queries.exports_of(request.actor)})
    messages.success(request, _("L'archive est en préparation : elle apparaît ci-dessous dès qu'elle est prête."))
    return HttpResponseRedirect(reverse("privacy:exports"))


@require_GET
def export_progress(request: SignedInRequest, pk: int) -> HttpResponse:
    """One archive's row with its progress bar (polled by htmx until it is ready)."""
    export = queries.export_for(request.actor, pk)
    return render(request, "privacy/exports.html#archive", {"export": export})


@require_POST
def download(request: SignedInRequest, pk: int) -> FileResponse:
    """The archive itself, for its requester only while it is kept (the download is audited)."""
    export = actions.download_export(actor=request.actor, export=queries.export_for(request.actor, pk))
    name = _("mes-donnees-%(name)s-%(date)s.zip") % {
        "name": export.subject.get_full_name(),
        "date": f"{export.created_at:%Y-%m-%d}",
    }
    return uploads.serve_file(request, export.file, filename=name, content_type="application/zip")
