"""Grades pages: the teacher's evaluations and mark-entry grid, a class's gradebook and its exports, a
student's grades (the student, their guardians, the staff who may), competency positioning."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.models import Role, SchoolClass, User
from cartable.grades import actions, charts, exports, forms, policies, queries
from cartable.grades.averages import Stats
from cartable.grades.models import Component, Evaluation, MasteryLevel

MODULE = "grades"


def _teacher(request):
    if request.actor.role != Role.TEACHER:
        raise Http404
    return request.actor


def _sees_establishment(actor, establishment_id) -> bool:
    return actor.is_regional_admin or establishment_id in policies.direction_of(actor)


def _period_from(request, establishment_id):
    periods, now = queries.periods_of_year(establishment_id)
    wanted = request.GET.get("periode")
    chosen = next((p for p in periods if str(p.pk) == wanted), now)
    if chosen is None:
        raise Http404
    return periods, chosen


@require_module(MODULE)
def index(request):
    """Notes: families go to their grades; teachers see their evaluations; the direction its classes."""
    actor = request.actor
    if actor.role in (Role.STUDENT, Role.GUARDIAN):
        return redirect("grades:mine")
    if actor.establishment_id is None:
        raise Http404
    is_direction = actor.is_regional_admin or actor.establishment_id in policies.direction_of(actor)
    is_admin = Role.ESTABLISHMENT_ADMIN in actor.roles_in(actor.establishment_id)
    if actor.role != Role.TEACHER and not is_direction and not is_admin:
        raise Http404
    assignments = queries.teacher_assignments(actor)
    evaluations = queries.evaluations_for_teacher(actor) if assignments else []
    class_ids = {a.school_class_id for a in assignments if a.school_class_id} | set(policies.headed(actor)[0])
    classes = SchoolClass.objects.filter(establishment_id=actor.establishment_id)
    if not is_direction:
        classes = classes.filter(pk__in=class_ids)
    return render(
        request,
        "grades/index.html",
        {
            "assignments": assignments,
            "evaluations": evaluations,
            "classes": list(classes.order_by("level", "name")),
            "headed": policies.headed(actor)[0],
            "can_create": bool(assignments),
            "can_set_coefficients": bool(
                actor.roles_in(actor.establishment_id) & {Role.DIRECTION, Role.ESTABLISHMENT_ADMIN}
            ),
        },
    )


# --- evaluations -------------------------------------------------------------------------------------
def _evaluation_page(request, evaluation=None):
    actor = _teacher(request)
    assignments = queries.teacher_assignments(actor)
    periods, current_period = queries.periods_of_year(actor.establishment_id)
    if not assignments or not periods:
        raise Http404
    if request.method == "POST":
        form = forms.EvaluationForm(request.POST, assignments=assignments, periods=periods)
        if form.is_valid():
            data = form.cleaned_data
            assignment = data["assignment"]
            try:
                saved = actions.save_evaluation(
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
            except PermissionDenied as exc:
                raise Http404 from exc
            else:
                messages.success(request, _("Évaluation enregistrée."))
                return redirect("grades:evaluation", saved.pk)
        status = 400
    else:
        initial = {"period": current_period.pk if current_period else None, "date": timezone.localdate()}
        wanted = request.GET.get("affectation")
        if wanted and any(str(a.pk) == wanted for a in assignments):
            initial["assignment"] = int(wanted)
        if evaluation is not None:
            initial = forms.initial_for(evaluation, assignments)
        form = forms.EvaluationForm(initial=initial, assignments=assignments, periods=periods)
        status = 200
    return render(request, "grades/evaluation_form.html", {"form": form, "evaluation": evaluation}, status=status)


@require_module(MODULE)
def evaluation_new(request):
    """A new evaluation for one of the teacher's classes or groups."""
    return _evaluation_page(request)


@require_module(MODULE)
def evaluation_edit(request, pk):
    """Change an evaluation (its teacher)."""
    evaluation = authz.access(request.actor, Evaluation, pk, Action.CHANGE)
    return _evaluation_page(request, evaluation)


@require_module(MODULE)
@require_POST
def evaluation_delete(request, pk):
    evaluation = authz.access(request.actor, Evaluation, pk, Action.DELETE)
    actions.delete_evaluation(actor=request.actor, evaluation=evaluation)
    messages.success(request, _("Évaluation supprimée."))
    return redirect("grades:index")


@require_module(MODULE)
def evaluation_detail(request, pk):
    """The mark-entry grid (the teacher of the subject) or the marks read-only (head teacher, direction).

    Works as a plain form; ``grades/grid.js`` adds arrow keys, Enter and pasting a column."""
    actor = request.actor
    try:
        evaluation = Evaluation.objects.select_related(*queries.EVALUATION_RELATED).get(pk=pk)
    except Evaluation.DoesNotExist as exc:
        raise Http404 from exc
    if not policies.can_view_evaluation(actor, evaluation, staff_only=True):
        raise Http404  # families read their own grades on their page, never the class's grid
    can_edit = authz.allows(actor, Action.CHANGE, evaluation)
    grid = queries.evaluation_grid(evaluation)
    if not can_edit and evaluation.group_id and not _sees_establishment(actor, evaluation.establishment_id):
        # a head teacher reading a group drawn from several classes sees their own class's students only
        headed_students = policies.headed(actor)[2]
        if evaluation.teacher_id != actor.user_id:
            grid.students = [s for s in grid.students if s.pk in headed_students]
    typed, errors, status = {}, {}, 200
    if request.method == "POST":
        if not can_edit:
            raise Http404
        entries, levels, errors = forms.parse_grid(evaluation, grid.students, request.POST)
        if errors:
            typed = {s.pk: request.POST.get(f"mark-{s.pk}", "") for s in grid.students}
            messages.error(request, _("Certaines notes ne sont pas valides : corrigez les cases signalées."))
            status = 400
        else:
            counts = actions.save_marks(actor=actor, evaluation=evaluation, entries=entries)
            if levels:
                actions.save_competency_levels(
                    actor=actor, period=evaluation.period, levels=levels, evaluation=evaluation
                )
            messages.success(
                request,
                _("Notes enregistrées (%(created)s ajoutées, %(changed)s modifiées, %(removed)s effacées).") % counts,
            )
            return redirect("grades:evaluation", evaluation.pk)
    else:
        queries.record_reads(
            actor=actor, verb="grades.read_evaluation", student_ids=[s.pk for s in grid.students], target=evaluation
        )
    rows = []
    for student in grid.students:
        mark = grid.marks.get(student.pk)
        rows.append(
            {
                "student": student,
                "text": typed.get(student.pk, forms.cell_text(mark)),
                "error": errors.get(student.pk, ""),
                "levels": [(c, grid.levels.get((student.pk, c))) for c in evaluation.competencies],
            }
        )
    components = dict(Component.choices)
    return render(
        request,
        "grades/evaluation.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "stats": grid.stats,
            "can_edit": can_edit,
            "competencies": [(c, components[c]) for c in evaluation.competencies],
            "mastery_levels": MasteryLevel.choices,
            "published": policies.is_published(evaluation),
        },
        status=status,
    )


# --- the gradebook -----------------------------------------------------------------------------------
def _gradebook_for(request, pk):
    actor = request.actor
    try:
        school_class = SchoolClass.objects.get(pk=pk)
    except (SchoolClass.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not policies.can_read_gradebook(actor, school_class):
        raise Http404
    periods, period = _period_from(request, school_class.establishment_id)
    return periods, queries.gradebook(actor, school_class=school_class, period=period)


@require_module(MODULE)
def gradebook(request, pk):
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
def gradebook_export(request, pk, fmt):
    """The gradebook as CSV (semicolons, decimal commas: opens in French spreadsheets) or XLSX."""
    _periods, book = _gradebook_for(request, pk)
    if fmt == "csv":
        return exports.gradebook_csv(book)
    if fmt == "xlsx":
        return exports.gradebook_xlsx(book)
    raise Http404


# --- a student's grades ------------------------------------------------------------------------------
def _student_page(request, student_id: int):
    actor = request.actor
    establishment_id = actor.establishment_id
    if establishment_id is None or not policies.can_read_student(actor, student_id, establishment_id):
        raise Http404
    try:
        student = User.objects.get(pk=student_id)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    periods, current_period = queries.periods_of_year(establishment_id)
    summary = queries.student_summary(actor, student=student, establishment_id=establishment_id, periods=periods)
    queries.record_reads(actor=actor, verb="grades.read_student", student_ids=[student.pk], target=student)
    components = dict(Component.choices)
    levels = dict(MasteryLevel.choices)
    return render(
        request,
        "grades/student.html",
        {
            "summary": summary,
            "student": student,
            "is_family": student.pk in policies.family_ids(actor),
            "charts": [charts.evolution_chart(s) for s in summary.series],
            "domains": [
                (code, members, summary.positioning.get(code), levels.get(summary.positioning.get(code)))
                for code, members in queries.DOMAINS
            ],
            "components": [
                (c, components[c], summary.positioning.get(c), levels.get(summary.positioning.get(c)))
                for c in Component.values
            ],
            "current_period": current_period,
        },
    )


@require_module(MODULE)
def mine(request):
    """Mes notes: the student's own, or the child a guardian is looking at (child switcher in the header)."""
    actor = request.actor
    if actor.role == Role.STUDENT:
        return _student_page(request, actor.user_id)
    if actor.role == Role.GUARDIAN and actor.child is not None:
        return _student_page(request, actor.child.id)
    raise Http404


@require_module(MODULE)
def student(request, pk):
    """A student's grades for the staff who may read them (recorded in the audit trail)."""
    return _student_page(request, pk)


# --- competencies ------------------------------------------------------------------------------------
@require_module(MODULE)
def competencies(request, pk):
    """A class's positioning on the socle commun per student and domain; teachers assess directly."""
    actor = request.actor
    try:
        school_class = SchoolClass.objects.get(pk=pk)
    except (SchoolClass.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not policies.can_read_gradebook(actor, school_class):
        raise Http404
    periods, period = _period_from(request, school_class.establishment_id)
    students = queries.audience_students(school_class_id=school_class.pk)
    assessable = [s for s in students if policies.can_assess(actor, s.pk)]
    status = 200
    if request.method == "POST":
        form = forms.CompetencyForm(request.POST, students=assessable)
        if form.is_valid():
            data = form.cleaned_data
            actions.save_competency_levels(
                actor=actor,
                period=period,
                levels={(data["student"], data["component"]): data["level"]},
                date=data["date"],
            )
            messages.success(request, _("Positionnement enregistré."))
            return redirect(f"{request.path}?periode={period.pk}")
        status = 400
    else:
        form = forms.CompetencyForm(students=assessable)
    positioning = queries.competency_positioning(
        actor, student_ids=[s.pk for s in students], establishment_id=school_class.establishment_id, periods=[period]
    )
    queries.record_reads(
        actor=actor, verb="grades.read_competencies", student_ids=[s.pk for s in students], target=school_class
    )
    levels = dict(MasteryLevel.choices)
    rows = [
        (s, [(code, levels.get(positioning.get(s.pk, {}).get(code))) for code, _m in queries.DOMAINS]) for s in students
    ]
    return render(
        request,
        "grades/competencies.html",
        {
            "school_class": school_class,
            "period": period,
            "periods": periods,
            "domains": [code for code, _m in queries.DOMAINS],
            "rows": rows,
            "form": form if assessable else None,
        },
        status=status,
    )


# --- subject coefficients ----------------------------------------------------------------------------
@require_module(MODULE)
def coefficients(request):
    """The weight of each subject in the overall average, per level (the direction and the ENT admin set
    them; 1 when left as is)."""
    actor = request.actor
    establishment_id = actor.establishment_id
    if establishment_id is None or not actor.roles_in(establishment_id) & {Role.DIRECTION, Role.ESTABLISHMENT_ADMIN}:
        raise Http404
    levels, subjects, current = queries.coefficient_table(establishment_id)
    typed, errors, status = {}, {}, 200
    if request.method == "POST":
        wanted = {}
        for level in levels:
            for subject in subjects:
                key = f"coef-{level}-{subject.pk}"
                raw = request.POST.get(key, "").strip()
                typed[key] = raw
                value = forms.parse_decimal(raw or "1")
                if value is None or value > 100:
                    errors[key] = _("Saisissez un coefficient entre 0 et 100 (deux décimales au plus).")
                elif value != current.get((level, subject.pk), 1):
                    wanted[level, subject] = value
        if errors:
            status = 400
            messages.error(request, _("Certains coefficients ne sont pas valides : corrigez les cases signalées."))
        else:
            for (level, subject), value in wanted.items():
                actions.set_subject_coefficient(actor=actor, subject=subject, level=level, coefficient=value)
            messages.success(request, _("Coefficients enregistrés."))
            return redirect("grades:coefficients")
    rows = [
        (
            subject,
            [
                (
                    level,
                    f"coef-{level}-{subject.pk}",
                    typed.get(f"coef-{level}-{subject.pk}", forms.number_text(current.get((level, subject.pk), 1))),
                    errors.get(f"coef-{level}-{subject.pk}", ""),
                )
                for level in levels
            ],
        )
        for subject in subjects
    ]
    return render(request, "grades/coefficients.html", {"levels": levels, "rows": rows}, status=status)
