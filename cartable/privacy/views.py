"""Pages of « Mes données personnelles »: who read one's data, one's sessions, one's archives.

Views parse, ask a query or call an action, and render; the rules are ``cartable.privacy.policies``'."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cartable.accounts import actions as account_actions
from cartable.accounts import queries as account_queries
from cartable.core import authz, dates, uploads
from cartable.directory.http import SignedInRequest
from cartable.directory.models import Establishment
from cartable.privacy import actions, auditlog, queries
from cartable.privacy.forms import AnswerForm, AuditFilterForm, EndSessionsForm, ExtendForm, RequestForm


@require_GET
def index(request: SignedInRequest) -> HttpResponse:
    """The hub: whose data one may look at (oneself, one's children with legal responsibility)."""
    context = {
        "people": queries.with_limitations(queries.people_looked_after(request.actor)),
        "can_handle_requests": authz.can(request.actor, "privacy.handle_requests"),
        "can_view_retention": authz.can(request.actor, "privacy.view_retention"),
        "audited": queries.audited_establishments(request.actor),
    }
    return render(request, "privacy/index.html", context)


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


# --- requests to the DPO ----------------------------------------------------------------------------------
def _requests_page(request: SignedInRequest, form: RequestForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "requests": queries.my_requests(request.actor)}
    return render(request, "privacy/requests.html", context, status=status)


@require_GET
def requests(request: SignedInRequest) -> HttpResponse:
    """One's requests to the DPO and the form to make one (for oneself or a child, with legal responsibility)."""
    return _requests_page(request, RequestForm(subjects=queries.request_subjects(request.actor)))


@require_POST
def submit_request(request: SignedInRequest) -> HttpResponse:
    """Send a request; refused in French (what was typed kept) for someone one may not ask for."""
    form = RequestForm(request.POST, subjects=queries.request_subjects(request.actor))
    if not form.is_valid():
        return _requests_page(request, form, status=400)
    person = queries.person_seen(request.actor, form.cleaned_data["subject"])
    try:
        made = actions.submit_request(
            actor=request.actor, subject=person, kind=form.cleaned_data["kind"], body=form.cleaned_data["body"]
        )
    except PermissionDenied:
        form.add_error(
            "subject", _("Une demande se fait pour vous-même ou pour un enfant dont vous êtes responsable légal.")
        )
        return _requests_page(request, form, status=400)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _requests_page(request, form, status=400)
    messages.success(request, _("Votre demande est envoyée ; vous serez prévenu à chaque étape."))
    return HttpResponseRedirect(reverse("privacy:request", args=[made.pk]))


def _request_page(request: SignedInRequest, found, forms: dict | None = None, status: int = 200) -> HttpResponse:
    can_handle = authz.allows(request.actor, authz.Action.CHANGE, found)
    context = {"found": found, "can_handle": can_handle, "extend_form": ExtendForm(), "answer_form": AnswerForm()}
    if can_handle:
        context["limitation"] = queries.current_limitation(found)
    return render(request, "privacy/request.html", context | (forms or {}), status=status)


@require_GET
def request_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    """One request: what was asked, its due date, its extension and answer; the handler's forms."""
    return _request_page(request, queries.request_for(request.actor, pk))


@require_POST
def lift_limitation(request: SignedInRequest, pk: int) -> HttpResponse:
    """The handler lifts the limitation a granted request set (the person has been told, art. 18(3))."""
    limitation = queries.limitation_to_lift(request.actor, pk)
    actions.lift_limitation(actor=request.actor, limitation=limitation)
    messages.success(request, _("La limitation est levée : les données sont de nouveau traitées."))
    return HttpResponseRedirect(reverse("privacy:request", args=[pk]))


@require_POST
def extend_request(request: SignedInRequest, pk: int) -> HttpResponse:
    """The handler extends the delay by two months, telling the person why."""
    found = queries.request_for(request.actor, pk)
    form = ExtendForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Dites à la personne pourquoi le délai est prolongé."))
        actions.extend_request(actor=request.actor, request=found, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return _request_page(request, found, {"extend_form": form}, status=400)
    messages.success(request, _("Le délai est prolongé ; la personne est prévenue."))
    return HttpResponseRedirect(reverse("privacy:request", args=[pk]))


@require_POST
def answer_request(request: SignedInRequest, pk: int) -> HttpResponse:
    """The handler grants, partly grants or refuses, with reasons; the person is told."""
    found = queries.request_for(request.actor, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choisissez la réponse."))
        data = form.cleaned_data
        actions.answer_request(actor=request.actor, request=found, decision=data["decision"], reply=data["reply"])
    except ValidationError as exc:
        form.add_error(None, exc)
        return _request_page(request, found, {"answer_form": form}, status=400)
    messages.success(request, _("La réponse est envoyée à la personne."))
    return HttpResponseRedirect(reverse("privacy:request", args=[pk]))


@require_GET
def queue(request: SignedInRequest) -> HttpResponse:
    """The requests to answer (the establishment's head, the region's DPO): by due date, overdue flagged."""
    rows = queries.request_queue(request.actor, closed=request.GET.get("etat") == "closes")
    return render(request, "privacy/queue.html", {"rows": rows, "closed": request.GET.get("etat") == "closes"})


# --- the audit log ---------------------------------------------------------------------------------------
def _audit_filters(request: SignedInRequest) -> tuple[AuditFilterForm, auditlog.Filters]:
    form = AuditFilterForm(request.GET)
    return form, auditlog.Filters(**form.cleaned_data) if form.is_valid() else auditlog.Filters()


@require_GET
def audit_log(request: SignedInRequest, establishment_id: int) -> HttpResponse:
    """An establishment's audit trail for its ENT administrator and the region, filtered, 100 rows a page."""
    establishment = authz.access(request.actor, Establishment, establishment_id)
    form, filters = _audit_filters(request)
    number = int(request.GET["page"]) if request.GET.get("page", "").isdigit() else 1
    rows, more = auditlog.page(request.actor, establishment, filters, max(number, 1))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"establishment": establishment, "form": form, "rows": rows, "more": more, "number": number}
    return render(request, "privacy/audit_log.html", context | {"query": query.urlencode()})


@require_GET
def audit_csv(request: SignedInRequest, establishment_id: int) -> StreamingHttpResponse:
    """The filtered trail as a CSV file, streamed (formula-like cells escaped)."""
    establishment = authz.access(request.actor, Establishment, establishment_id)
    _form, filters = _audit_filters(request)
    lines = auditlog.csv_lines(request.actor, establishment, filters)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    name = _("journal-audit-%(uai)s.csv") % {"uai": establishment.uai}
    response["Content-Disposition"] = uploads.content_disposition(name)
    response["Cache-Control"] = "private, no-store"
    return response


# --- the processing register ---------------------------------------------------------------------------
@login_not_required
@require_GET
def processing_register(request: HttpRequest) -> HttpResponse:
    """The register of processing activities (RGPD art. 30), public, generated from the data providers."""
    context = {
        "groups": queries.register(),
        "controller": settings.CARTABLE_CONTROLLER,
        "dpo": settings.CARTABLE_DPO_CONTACT,
        "security": queries.SECURITY,
    }
    return render(request, "privacy/register.html", context)


@login_not_required
@require_GET
def processing_register_pdf(request: HttpRequest) -> FileResponse:
    """The same register as a PDF, public (made on the fly: no query, a fraction of a second)."""
    from cartable.privacy import register_pdf

    pdf = register_pdf.render(
        queries.register(),
        controller=str(settings.CARTABLE_CONTROLLER),
        dpo=str(settings.CARTABLE_DPO_CONTACT),
        security=str(queries.SECURITY),
        day=dates.date_long(timezone.localdate()),
    )
    return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename="registre-des-traitements.pdf")


@require_GET
def retention_report(request: SignedInRequest) -> HttpResponse:
    """The DPO's dry run of the retention rules: what each would remove today (nothing is removed)."""
    return render(request, "privacy/retention.html", {"lines": queries.retention_report(request.actor)})
