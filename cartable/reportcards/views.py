"""Pages of the report cards: the teacher's grid, the council page (generation, progress, publication), a
report card's page and its guarded downloads, the families' list."""

from __future__ import annotations

import tempfile
import zipfile

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cartable.core import audit, uploads
from cartable.core.views import require_module
from cartable.directory.models import Role, User
from cartable.reportcards import actions, queries
from cartable.reportcards.forms import AppreciationForm, DecisionForm, GeneralAppreciationForm, PublishForm
from cartable.reportcards.models import CouncilDecision, GeneralAppreciation, GenerationRun
from cartable.reportcards.policies import follows_class, is_direction

MODULE = "reportcards"


def _student_of(school_class, student_id: int) -> User:
    student = next((s for s in queries.students_of(school_class) if s.pk == student_id), None)
    if student is None:
        raise Http404
    return student


@require_module(MODULE)
@require_GET
def index(request):
    """Staff: the grids and council pages they open; families: the published report cards."""
    actor = request.actor
    if actor.role in (Role.STUDENT, Role.GUARDIAN):
        if actor.role == Role.STUDENT:
            children = [(actor.user_id, actor.user.first_name)]
        else:
            children = [(c.id, c.first_name) for c in actor.children_here]
        cards = queries.family_cards(actor, [i for i, _n in children])
        return render(
            request,
            "reportcards/family.html",
            {"children": [(name, cards[i]) for i, name in children], "is_guardian": actor.role == Role.GUARDIAN},
        )
    home = queries.staff_home(actor)
    return render(request, "reportcards/index.html", {"home": home})


@require_module(MODULE)
@require_GET
def grid(request, class_id: int, period_id: int, subject_id: int):
    """A class × subject's appreciations for a period, one row per student with their average."""
    view = queries.grid(request.actor, class_id=class_id, period_id=period_id, subject_id=subject_id)
    return render(request, "reportcards/grid.html", {"grid": view})


@require_module(MODULE)
@require_POST
def save_subject(request, class_id: int, period_id: int, subject_id: int, student_id: int):
    """Save one appreciation (htmx: the row again; otherwise back to the grid)."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    subject = queries.subject_for(school_class, subject_id)
    student = _student_of(school_class, student_id)
    form = AppreciationForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            actions.save_subject_appreciation(
                actor=request.actor,
                school_class=school_class,
                period=period,
                subject=subject,
                student=student,
                text=form.cleaned_data["text"],
            )
            saved = True
        except PermissionDenied as exc:
            raise Http404 from exc
        except ValidationError as exc:
            form.add_error("text", exc)
    if not request.htmx:
        if saved:
            messages.success(request, _("Appréciation enregistrée."))
            return HttpResponseRedirect(reverse("reportcards:grid", args=[class_id, period_id, subject_id]))
        view = queries.grid(request.actor, class_id=class_id, period_id=period_id, subject_id=subject_id)
        context = {"grid": view, "form": form, "form_student_id": student.pk}
        return render(request, "reportcards/grid.html", context, status=400)
    row = queries.grid_row(
        request.actor, school_class=school_class, period=period, subject=subject, student_id=student.pk
    )
    context = {
        "row": row,
        "grid": {"school_class": school_class, "period": period, "subject": subject, "can_write": True},
        "form": form if not saved else None,
        "form_student_id": student.pk,
        "saved": saved,
    }
    return render(request, "reportcards/grid.html#row", context, status=200 if saved else 400)


def _council_context(request, view, **extra):
    context = {
        "council": view,
        "production": view.production,
        "publish_form": PublishForm(),
        "mentions": DecisionForm.base_fields["mention"].choices,
    }
    context.update(extra)
    return context


@require_module(MODULE)
@require_GET
def council(request, class_id: int, period_id: int):
    """The class council's page: overall averages, general appreciations, decisions, report cards."""
    view = queries.council(request.actor, class_id=class_id, period_id=period_id)
    return render(request, "reportcards/council.html", _council_context(request, view))


def _council_row_response(request, school_class, period, student, *, errors=None, typed=None):
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


def _save_council_row(request, class_id, period_id, student_id, *, form_class, save, typed, done):
    """Parse one council row's form, call ``save(school_class, period, student, cleaned_data)`` (an action),
    and answer with the row (htmx, what was typed kept on error) or a redirect to the council page."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    student = _student_of(school_class, student_id)
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
        errors = [e for errs in form.errors.values() for e in errs]
    if request.htmx:
        return _council_row_response(request, school_class, period, student, errors=errors, typed=typed())
    for e in errors:
        messages.error(request, e)
    if not errors:
        messages.success(request, done)
    return HttpResponseRedirect(reverse("reportcards:council", args=[class_id, period_id]))


@require_module(MODULE)
@require_POST
def save_general(request, class_id: int, period_id: int, student_id: int):
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
def save_decision(request, class_id: int, period_id: int, student_id: int):
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
def generate(request, class_id: int, period_id: int):
    """The direction launches the generation of the class's PDFs; htmx gets the progress row."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    if not is_direction(request.actor, school_class.establishment_id):
        raise Http404
    run = actions.request_generation(actor=request.actor, school_class=school_class, period=period)
    if request.htmx:
        run.refresh_from_db()
        run.school_class, run.period = school_class, period
        return render(request, "reportcards/council.html#production", _production_context(request, run))
    return HttpResponseRedirect(reverse("reportcards:council", args=[class_id, period_id]))


@require_module(MODULE)
@require_GET
def progress(request, run_id: int):
    """The progress row of a generation (polled by htmx until it ends)."""
    try:
        run = GenerationRun.objects.visible_to(request.actor).select_related("period", "school_class").get(pk=run_id)
    except (GenerationRun.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    return render(request, "reportcards/council.html#production", _production_context(request, run))


def _production_context(request, run) -> dict:
    return {"production": queries.production(request.actor, run), "publish_form": PublishForm()}


@require_module(MODULE)
@require_POST
def publish(request, class_id: int, period_id: int):
    """The direction publishes the class's report cards to families, now or at a date."""
    school_class = queries.class_for(request.actor, class_id)
    period = queries.period_for(school_class, period_id)
    if not is_direction(request.actor, school_class.establishment_id):
        raise Http404
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            cards = actions.publish_class(
                actor=request.actor,
                school_class=school_class,
                period=period,
                publish_at=form.cleaned_data["publish_at"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("%(n)s bulletin(s) publié(s).") % {"n": len(cards)})
            return HttpResponseRedirect(reverse("reportcards:council", args=[class_id, period_id]))
    view = queries.council(request.actor, class_id=class_id, period_id=period_id)
    return render(request, "reportcards/council.html", _council_context(request, view, publish_form=form), status=400)


@require_module(MODULE)
@require_GET
def class_zip(request, class_id: int, period_id: int):
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
def card(request, pk: int):
    """A report card's page: what it says, its versions, its PDF. Staff reading it is recorded."""
    report = queries.card_for(request.actor, pk)
    versions = queries.versions_of(request.actor, report)
    report.replaced = next((v.replaced for v in versions if v.pk == report.pk), False)
    audit.record_read(actor=request.actor, verb="reportcards.read", target=report, subject_id=report.student_id)
    return render(
        request,
        "reportcards/card.html",
        {
            "card": report,
            "data": report.data,
            "versions": versions,
            "is_staff": follows_class(request.actor, report.school_class),
        },
    )


@require_module(MODULE)
@require_GET
def download(request, pk: int):
    """A report card's PDF, through the guard. Staff downloading it is recorded."""
    report = queries.card_for(request.actor, pk)
    audit.record_read(actor=request.actor, verb="reportcards.read", target=report, subject_id=report.student_id)
    return uploads.serve_file(request, report.file, filename=report.filename(), content_type="application/pdf")
