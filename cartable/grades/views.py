"""Grades pages: the teacher's evaluations and mark-entry grid, a class's gradebook and its exports, a
student's grades (the student, their guardians, the staff who may), competency positioning.

Every decision is a policy's or a named permission's (``cartable.grades.policies``); views parse, ask,
call an action or a query, and render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.models import Period, SchoolClass, User
from cartable.grades import actions, charts, exports, forms, queries
from cartable.grades.averages import Stats
from cartable.grades.models import Component, Evaluation, MasteryLevel
from cartable.grades.policies import is_published

if TYPE_CHECKING:
    from cartable.directory.actor import Actor

    class Request(HttpRequest):
        actor: Actor


MODULE = "grades"


@require_module(MODULE)
def index(request: Request) -> HttpResponse:
    """Notes: families go to their grades; teachers see their evaluations; the direction its classes."""
    actor = request.actor
    if authz.can(actor, "grades.read_own"):
        return redirect("grades:mine")
    authz.require_or_404(actor, "grades.open", None)
    assignments = queries.teacher_assignments(actor)
    return render(
        request,
        "grades/index.html",
        {
            "assignments": assignments,
            "evaluations": queries.evaluations_for_teacher(actor) if assignments else [],
            "classes": queries.index_classes(actor, assignments),
            "headed": actor.headed.class_ids,
            "can_create": bool(assignments),
            "can_set_coefficients": authz.can(actor, "grades.set_coefficients", actor.establishment),
        },
    )


# --- evaluations -------------------------------------------------------------------------------------
def _save_evaluation(actor: Actor, form: forms.EvaluationForm, evaluation: Evaluation | None) -> Evaluation | None:
    """Call the action with the form's data; None when a mark already entered exceeds the new scale."""
    data = form.cleaned_data
    assignment = data["assignment"]
    try:
        return actions.save_evaluation(
            actor=actor,
            subject=assignment.subject,
            period=data["period"],
            title=data["title"],
            date=data["date"],
            coefficient=data["coefficient"],
            scale=data["scale"],
            publish_at=data["publish_at"],
            not_handed_in_counts_zero=data["not_handed_in"] == "zero",
            competencies=data["competencies"],
            school_class=assignment.school_class,
            group=assignment.group,
            evaluation=evaluation,
        )
    except ValueError:
        form.add_error("scale", _("Une note déjà saisie dépasse ce barème."))
        return None
    except PermissionDenied as exc:
        raise Http404 from exc


def _evaluation_page(request: Request, evaluation: Evaluation | None = None) -> HttpResponse:
    actor = request.actor
    authz.require_or_404(actor, "grades.enter_evaluations", None)
    assignments = queries.teacher_assignments(actor)
    periods, current_period = queries.periods_of_year(actor.establishment_id)  # type: ignore[arg-type]
    if not assignments or not periods:
        raise Http404
    status = 200
    if request.method == "POST":
        form = forms.EvaluationForm(request.POST, assignments=assignments, periods=periods)
        if form.is_valid() and (saved := _save_evaluation(actor, form, evaluation)) is not None:
            messages.success(request, _("Évaluation enregistrée."))
            return redirect("grades:evaluation", saved.pk)
        status = 400
    else:
        initial = forms.initial_evaluation(
            assignments, current_period, wanted=request.GET.get("affectation"), evaluation=evaluation
        )
        form = forms.EvaluationForm(initial=initial, assignments=assignments, periods=periods)
    return render(request, "grades/evaluation_form.html", {"form": form, "evaluation": evaluation}, status=status)


@require_module(MODULE)
def evaluation_new(request: Request) -> HttpResponse:
    """A new evaluation for one of the teacher's classes or groups."""
    return _evaluation_page(request)


@require_module(MODULE)
def evaluation_edit(request: Request, pk: int) -> HttpResponse:
    """Change an evaluation (its teacher)."""
    evaluation = authz.access(request.actor, Evaluation, pk, Action.CHANGE)
    return _evaluation_page(request, evaluation)


@require_module(MODULE)
@require_POST
def evaluation_delete(request: Request, pk: int) -> HttpResponse:
    evaluation = authz.access(request.actor, Evaluation, pk, Action.DELETE)
    actions.delete_evaluation(actor=request.actor, evaluation=evaluation)
    messages.success(request, _("Évaluation supprimée."))
    return redirect("grades:index")


def _save_grid(request: Request, evaluation: Evaluation, grid: queries.Grid) -> HttpResponse | dict[int, str]:
    """Save the posted grid (its teacher only); the errors per student when a cell is not valid."""
    actor = request.actor
    authz.require_or_404(actor, Action.CHANGE, evaluation)
    entries, levels, errors = forms.parse_grid(evaluation, grid.students, request.POST)
    if errors:
        messages.error(request, _("Certaines notes ne sont pas valides : corrigez les cases signalées."))
        return errors
    counts = actions.save_marks(actor=actor, evaluation=evaluation, entries=entries)
    if levels:
        actions.save_competency_levels(actor=actor, period=evaluation.period, levels=levels, evaluation=evaluation)
    messages.success(
        request, _("Notes enregistrées (%(created)s ajoutées, %(changed)s modifiées, %(removed)s effacées).") % counts
    )
    return redirect("grades:evaluation", evaluation.pk)


@require_module(MODULE)
def evaluation_detail(request: Request, pk: int) -> HttpResponse:
    """The mark-entry grid (the teacher of the subject) or the marks read-only (head teacher, direction);
    families read their own grades on their page, never the class's grid.

    Works as a plain form; ``grades/grid.js`` adds arrow keys, Enter and pasting a column."""
    actor = request.actor
    evaluation = authz.access(
        actor, Evaluation.objects.select_related(*queries.EVALUATION_RELATED), pk, "grades.view_grid"
    )
    grid = queries.grid_for(actor, evaluation)
    typed: dict[int, str] = {}
    errors: dict[int, str] = {}
    if request.method == "POST":
        saved = _save_grid(request, evaluation, grid)
        if isinstance(saved, HttpResponse):
            return saved
        errors = saved
        typed = {s.pk: request.POST.get(f"mark-{s.pk}", "") for s in grid.students}
    else:
        queries.record_reads(
            actor=actor, verb="grades.read_evaluation", student_ids=[s.pk for s in grid.students], target=evaluation
        )
    components = dict(Component.choices)
    context = {
        "evaluation": evaluation,
        "rows": queries.grid_rows(evaluation, grid, typed=typed, errors=errors),
        "stats": grid.stats,
        "can_edit": authz.allows(actor, Action.CHANGE, evaluation),
        "competencies": [(c, components[c]) for c in evaluation.competencies],
        "mastery_levels": MasteryLevel.choices,
        "published": is_published(evaluation),
    }
    return render(request, "grades/evaluation.html", context, status=400 if errors else 200)


# --- the gradebook -----------------------------------------------------------------------------------
def _class_and_period(request: Request, pk: int) -> tuple[SchoolClass, list[Period], Period]:
    """The class whose gradebook the actor opens (the same 404 otherwise) and the period asked for."""
    school_class = authz.access(request.actor, SchoolClass, pk, "grades.view_gradebook")
    periods, period = queries.period_choice(school_class.establishment_id, request.GET.get("periode"))
    return school_class, periods, period


def _gradebook_for(request: Request, pk: int) -> tuple[list[Period], queries.Gradebook]:
    school_class, periods, period = _class_and_period(request, pk)
    return periods, queries.gradebook(request.actor, school_class=school_class, period=period)


@require_module(MODULE)
def gradebook(request: Request, pk: int) -> HttpResponse:
    """A class's grades in a period: students × evaluations, subject averages, overall averages."""
    periods, book = _gradebook_for(request, pk)
    return render(
        request,
        "grades/gradebook.html",
        {
            "book": book,
            "periods": periods,
            "rows": list(book.rows()),
            "evaluation_stats": [book.evaluation_stats.get(e.pk, Stats()) for e in book.evaluations],
            "subject_stats": book.subject_stats(),
            "overall_stats": book.averages.overall_stats.get(book.school_class.pk, Stats()),
        },
    )


@require_module(MODULE)
def gradebook_export(request: Request, pk: int, fmt: str) -> HttpResponse:
    """The gradebook as CSV (semicolons, decimal commas: opens in French spreadsheets) or XLSX."""
    _periods, book = _gradebook_for(request, pk)
    if fmt == "csv":
        return exports.gradebook_csv(book)
    if fmt == "xlsx":
        return exports.gradebook_xlsx(book)
    raise Http404


# --- a student's grades ------------------------------------------------------------------------------
def _student_page(request: Request, student_id: int | None) -> HttpResponse:
    actor = request.actor
    student = authz.access(actor, User, student_id, "grades.view_student")
    establishment_id = actor.establishment_id
    if establishment_id is None:  # the permission asks for one; this tells mypy
        raise Http404
    periods, current_period = queries.periods_of_year(establishment_id)
    summary = queries.student_summary(actor, student=student, establishment_id=establishment_id, periods=periods)
    queries.record_reads(actor=actor, verb="grades.read_student", student_ids=[student.pk], target=student)
    components = dict(Component.choices)
    levels: dict[Any, Any] = dict(MasteryLevel.choices)
    at = summary.positioning.get
    return render(
        request,
        "grades/student.html",
        {
            "summary": summary,
            "student": student,
            "can_read_as_family": authz.can(actor, "grades.read_as_family", student),
            "charts": [charts.evolution_chart(s) for s in summary.series],
            "domains": [(code, members, at(code), levels.get(at(code))) for code, members in queries.DOMAINS],
            "components": [(c, components[c], at(c), levels.get(at(c))) for c in Component.values],
            "current_period": current_period,
        },
    )


@require_module(MODULE)
def mine(request: Request) -> HttpResponse:
    """Mes notes: the student's own, or the child a guardian is looking at (child switcher in the header)."""
    student_id = queries.whose_grades(request.actor)
    if student_id is None:
        raise Http404
    return _student_page(request, student_id)


@require_module(MODULE)
def student(request: Request, pk: int) -> HttpResponse:
    """A student's grades for the staff who may read them (recorded in the audit trail)."""
    return _student_page(request, pk)


# --- competencies ------------------------------------------------------------------------------------
@require_module(MODULE)
def competencies(request: Request, pk: int) -> HttpResponse:
    """A class's positioning on the socle commun per student and domain; teachers assess directly."""
    actor = request.actor
    school_class, periods, period = _class_and_period(request, pk)
    students = queries.audience_students(school_class_id=school_class.pk)
    assessable = [s for s in students if authz.allows(actor, "grades.assess", s)]
    status = 200
    form = forms.CompetencyForm(request.POST if request.method == "POST" else None, students=assessable)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            levels = {(data["student"], data["component"]): data["level"]}
            actions.save_competency_levels(actor=actor, period=period, levels=levels, date=data["date"])
            messages.success(request, _("Positionnement enregistré."))
            return redirect(f"{request.path}?periode={period.pk}")
        status = 400
    context = {
        "school_class": school_class,
        "period": period,
        "periods": periods,
        "domains": [code for code, _m in queries.DOMAINS],
        "rows": queries.competency_rows(actor, school_class=school_class, period=period, students=students),
        "form": form if assessable else None,
    }
    return render(request, "grades/competencies.html", context, status=status)


# --- subject coefficients ----------------------------------------------------------------------------
@require_module(MODULE)
def coefficients(request: Request) -> HttpResponse:
    """The weight of each subject in the overall average, per level (the direction and the ENT admin set
    them; 1 when left as is)."""
    actor = request.actor
    authz.require_or_404(actor, "grades.set_coefficients", actor.establishment)
    levels, subjects, current = queries.coefficient_table(actor, actor.establishment_id)  # type: ignore[arg-type]
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    if request.method == "POST":
        wanted, typed, errors = forms.parse_coefficients(levels, subjects, current, request.POST)
        if not errors:
            for (level, subject), value in wanted.items():
                actions.set_subject_coefficient(actor=actor, subject=subject, level=level, coefficient=value)
            messages.success(request, _("Coefficients enregistrés."))
            return redirect("grades:coefficients")
        messages.error(request, _("Certains coefficients ne sont pas valides : corrigez les cases signalées."))
    rows = forms.coefficient_rows(levels, subjects, current, typed=typed, errors=errors)
    return render(request, "grades/coefficients.html", {"levels": levels, "rows": rows}, status=400 if errors else 200)
