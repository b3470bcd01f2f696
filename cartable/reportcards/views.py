"""Pages of the report cards: the teacher's grid, the council page (generation, progress, publication), a
report card's page and its guarded downloads, the families' list.

Every decision is a policy's or a named permission's (``cartable.reportcards.policies``); views parse,
ask, call an action or a query, and render."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import ChoiceField
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cartable.core import audit, authz, uploads
from cartable.core.views import require_module
from cartable.directory.models import Period, SchoolClass, Subject, User
from cartable.reportcards import actions, queries
from cartable.reportcards.forms import AppreciationForm, DecisionForm, GeneralAppreciationForm, PublishForm
from cartable.reportcards.models import CouncilDecision, GeneralAppreciation, GenerationRun

if TYPE_CHECKING:
    from django.forms import Form

    from cartable.directory.actor import Actor

    class Request(HttpRequest):
        actor: Actor
        htmx: Any


MODULE = "reportcards"


@require_module(MODULE)
@require_GET
def index(request: Request) -> HttpResponse:
    """Staff: the grids and council pages they open; families: the published report cards."""
    actor = request.actor
    if authz.can(actor, "reportcards.read_own"):
        return render(request, "reportcards/family.html", {"children": queries.family_home(actor)})
    return render(request, "reportcards/index.html", {"home": queries.staff_home(actor)})


@require_module(MODULE)
@require_GET
def grid(request: Request, class_id: int, period_id: int, subject_id: int) -> HttpResponse:
    """A class × subject's appreciations for a period, one row per student with their average."""
    view = queries.grid(request.actor, class_id=class_id, period_id=period_id, subject_id=subject_id)
    return render(request, "reportcards/grid.html", {"grid": view})


def _save_appreciation(
    actor: Actor,
    form: AppreciationForm,
    place: tuple[SchoolClass, Period, Subject, User],
) -> bool:
    """Call the action with the form's text; False (the error on the form) when it is not valid."""
    if not form.is_valid():
        return False
    school_class, period, subject, student = place
    try:
        actions.save_subject_appreciation(
            actor=actor,
            school_class=school_class,
            period=period,
            subject=subject,
            student=student,
            text=form.cleaned_data["text"],
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        form.add_error("text", exc)
        return False
    return True


@require_module(MODULE)
@require_POST
def save_subject(request: Request, class_id: int, period_id: int, subject_id: int, student_id: int) -> HttpResponse:
    """Save one appreciation (htmx: the row again; otherwise back to the grid)."""
    ids = {"class_id": class_id, "period_id": period_id, "subject_id": subject_id}
    place = queries.grid_place(request.actor, **ids, student_id=student_id)
    school_class, period, subject, student = place
    form = AppreciationForm(request.POST)
    saved = _save_appreciation(request.actor, form, place)
    if not request.htmx:
        if saved:
            messages.success(request, _("Appréciation enregistrée."))
            return HttpResponseRedirect(reverse("reportcards:grid", args=[class_id, period_id, subject_id]))
        context = {"grid": queries.grid(request.actor, **ids), "form": form, "form_student_id": student.pk}
        return render(request, "reportcards/grid.html", context, status=400)
    row = queries.grid_row(
        request.actor, school_class=school_class, period=period, subject=subject, student_id=student.pk
    )
    context = {
        "row": row,
        "grid": {
            "school_class": school_class,
            "period": period,
            "subject": subject,
            "can_write": True,
            "max_length": actions.MAX_APPRECIATION,
        },
        "form": form if not saved else None,
        "form_student_id": student.pk,
        "saved": saved,
    }
    return render(request, "reportcards/grid.html#row", context, status=200 if saved else 400)


def _council_context(request: Request, view: queries.Council, **extra: Any) -> dict[str, Any]:
    context = {
        "council": view,
        "production": view.production,
        "publish_form": PublishForm(),
        "mentions": cast(ChoiceField, DecisionForm.base_fields["mention"]).choices,
    }
    context.update(extra)
    return context


@require_module(MODULE)
@require_GET
def council(request: Request, class_id: int, period_id: int) -> HttpResponse:
    """The class council's page: overall averages, general appreciations, decisions, report cards."""
    view = queries.council(request.actor, class_id=class_id, period_id=period_id)
    return render(request, "reportcards/council.html", _council_context(request, view))


def _council_row_response(
    request: Request,
    school_class: SchoolClass,
    period: Period,
    student: User,
    *,
    errors: list[str] | None = None,
    typed: dict[str, Any] | None = None,
) -> HttpResponse:
    """The student's row of the council page again; after an error, with what was typed."""
    view = queries.council(request.actor, class_id=school_class.pk, period_id=period.pk)
    row = next(r for r in view.rows if r.student.pk == student.pk)
    if errors and typed is not None:
        for name, value in typed.items():
            setattr(row, name, value)
    return render(
        request,
        "reportcards/council.html#student",
        _council_context(request, view, row=row, row_errors=errors or []),
        status=400 if errors else 200,
    )


def _save_council_row(
    request: Request,
    class_id: int,
    period_id: int,
    student_id: int,
    *,
    form_class: type[Form],
    save: Callable[[SchoolClass, Period, User, dict[str, Any]], object],
    typed: Callable[[], dict[str, Any]],
    done: str,
) -> HttpResponse:
    """Parse one council row's form, call ``save(school_class, period, student, cleaned_data)`` (an action),
    and answer with the row (htmx, what was typed kept on error) or a redirect to the council page."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    student = queries.student_of(school_class, student_id)
    form = form_class(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            save(school_class, period, student, form.cleaned_data)
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
    if request.htmx:
        return _council_row_response(request, school_class, period, student, errors=errors, typed=typed())
    for e in errors:
        messages.error(request, e)
    if not errors:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("reportcards:council", args=[class_id, period_id]))


@require_module(MODULE)
@require_POST
def save_general(request: Request, class_id: int, period_id: int, student_id: int) -> HttpResponse:
    """The head teacher saves a general appreciation."""
    return _save_council_row(
        request,
        class_id,
        period_id,
        student_id,
        form_class=GeneralAppreciationForm,
        save=lambda school_class, period, student, data: actions.save_general_appreciation(
            actor=request.actor, school_class=school_class, period=period, student=student, text=data["text"]
        ),
        typed=lambda: {"general": GeneralAppreciation(text=request.POST.get("text", ""))},
        done=_("Appréciation générale enregistrée."),
    )


@require_module(MODULE)
@require_POST
def save_decision(request: Request, class_id: int, period_id: int, student_id: int) -> HttpResponse:
    """The direction records the council's mention and decision."""
    return _save_council_row(
        request,
        class_id,
        period_id,
        student_id,
        form_class=DecisionForm,
        save=lambda school_class, period, student, data: actions.record_decision(
            actor=request.actor,
            school_class=school_class,
            period=period,
            student=student,
            mention=data["mention"],
            decision=data["decision"],
        ),
        typed=lambda: {
            "decision": CouncilDecision(
                mention=request.POST.get("mention", ""), decision=request.POST.get("decision", "")
            )
        },
        done=_("Décision enregistrée."),
    )


@require_module(MODULE)
@require_POST
def generate(request: Request, class_id: int, period_id: int) -> HttpResponse:
    """The direction launches the generation of the class's PDFs; htmx gets the progress row."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    authz.require_or_404(request.actor, "reportcards.run_council", school_class)
    run = actions.request_generation(actor=request.actor, school_class=school_class, period=period)
    if request.htmx:
        run.refresh_from_db()
        run.school_class, run.period = school_class, period
        return render(request, "reportcards/council.html#production", _production_context(request, run))
    return HttpResponseRedirect(reverse("reportcards:council", args=[class_id, period_id]))


@require_module(MODULE)
@require_GET
def progress(request: Request, run_id: int) -> HttpResponse:
    """The progress row of a generation (polled by htmx until it ends)."""
    run = authz.access(request.actor, GenerationRun.objects.select_related("period", "school_class"), run_id)
    return render(request, "reportcards/council.html#production", _production_context(request, run))


def _production_context(request: Request, run: GenerationRun) -> dict[str, Any]:
    return {"production": queries.production(request.actor, run), "publish_form": PublishForm()}


def _publish_form(request: Request, school_class: SchoolClass, period: Period) -> tuple[PublishForm, int | None]:
    """Parse the publication form and call the action; the form (errors added) and how many were published."""
    form = PublishForm(request.POST)
    if not form.is_valid():
        return form, None
    confirmed = form.cleaned_data["confirm_missing"]
    try:
        cards = actions.publish_class(
            actor=request.actor,
            school_class=school_class,
            period=period,
            publish_at=form.cleaned_data["publish_at"],
            confirm_missing=confirmed is not None,
            expected_missing=confirmed,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return form, None
    return form, len(cards)


@require_module(MODULE)
@require_POST
def publish(request: Request, class_id: int, period_id: int) -> HttpResponse:
    """The direction publishes the class's report cards to families, now or at a date; when something is
    missing, only once the direction confirmed it (otherwise a 400 with the list and nothing published)."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    authz.require_or_404(request.actor, "reportcards.run_council", school_class)
    form, published = _publish_form(request, school_class, period)
    if published is not None:
        messages.success(
            request, ngettext("%(n)s bulletin publié.", "%(n)s bulletins publiés.", published) % {"n": published}
        )
        return HttpResponseRedirect(reverse("reportcards:council", args=[class_id, period_id]))
    view = queries.council(request.actor, class_id=class_id, period_id=period_id)
    return render(request, "reportcards/council.html", _council_context(request, view, publish_form=form), status=400)


@require_module(MODULE)
@require_GET
def class_zip(request: Request, class_id: int, period_id: int) -> FileResponse:
    """The latest report card of every student of the class, in one zip (staff who follow the class)."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    students = queries.students_of(school_class)
    cards = queries.latest_cards(school_class, period, [s.pk for s in students])
    if not cards:
        raise Http404
    spool = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115  (FileResponse closes it)
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        for card in cards:
            with card.file.open("rb") as handle:
                archive.writestr(card.filename(), handle.read())
            audit.record_read(actor=request.actor, verb="reportcards.read", target=card, subject_id=card.student_id)
    spool.seek(0)
    response = FileResponse(spool, content_type="application/zip")
    name = _("bulletins - %(class)s - %(period)s.zip") % {"class": school_class.name, "period": period.name}
    response["Content-Disposition"] = uploads.content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_module(MODULE)
@require_GET
def card(request: Request, pk: int) -> HttpResponse:
    """A report card's page: what it says, its versions, its PDF. Staff reading it is recorded."""
    report, versions = queries.card_page(request.actor, pk)
    audit.record_read(actor=request.actor, verb="reportcards.read", target=report, subject_id=report.student_id)
    return render(
        request,
        "reportcards/card.html",
        {
            "card": report,
            "data": report.data,
            "versions": versions,
            "can_open_council": authz.can(request.actor, "reportcards.follow_class", report.school_class),
        },
    )


@require_module(MODULE)
@require_GET
def download(request: Request, pk: int) -> FileResponse:
    """A report card's PDF, through the guard. Staff downloading it is recorded."""
    report = queries.card_for(request.actor, pk)
    audit.record_read(actor=request.actor, verb="reportcards.read", target=report, subject_id=report.student_id)
    return uploads.serve_file(request, report.file, filename=report.filename(), content_type="application/pdf")
