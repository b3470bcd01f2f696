"""The question bank's pages: the bank, a question's preview, its images, import, export and sharing."""

from __future__ import annotations

import time

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cartable.core import audit, authz, uploads
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.learning import actions, queries
from cartable.learning.forms import (
    AccommodationForm,
    EssayMarksForm,
    ImportForm,
    QuestionForm,
    QuizForm,
    ShareForm,
    question_initial,
    responses_from,
)
from cartable.learning.models import Category, QuestionFile, Quiz

EXPORTS = {"gift": ("text/plain; charset=utf-8", "txt"), "moodlexml": ("application/xml; charset=utf-8", "xml")}


@require_GET
@require_module("learning")
def bank(request) -> HttpResponse:
    """« Banque de questions »: the categories the teacher sees, by bank, and the chosen one's questions."""
    actor = request.actor
    authz.require_or_404(actor, "learning.use_bank", None)
    categories = queries.visible_categories(actor)
    wanted = request.GET.get("categorie", "")
    chosen = next((c for c in categories if str(c.pk) == wanted), None) or next(iter(categories), None)
    context = {
        "banks": queries.banks(actor, categories),
        "chosen": chosen,
        "questions": queries.questions_of(actor, chosen) if chosen else [],
        "can_import": authz.can(actor, "learning.own_bank"),
        "can_share": chosen is not None and authz.allows(actor, Action.MANAGE, chosen),
        "given": queries.own_quizzes(actor),
    }
    return render(request, "learning/bank.html", context)


@require_GET
@require_module("learning")
def question(request, pk: int) -> HttpResponse:
    """A question's preview, its texts rendered sanitized whatever their format, with its right answers."""
    found = authz.access(request.actor, queries.question_queryset(), pk, Action.VIEW)
    context = {
        "question": found,
        "shown": queries.preview(found),
        "can_edit": authz.allows(request.actor, Action.CHANGE, found),
    }
    return render(request, "learning/question.html", context)


@require_module("learning")
def question_edit(request, pk: int) -> HttpResponse:
    """Change a question of one's bank in a form (every type); errors in French, what was typed kept."""
    actor = request.actor
    found = authz.access(actor, queries.question_queryset(), pk, Action.CHANGE)
    form = QuestionForm(request.POST or None, qtype=found.qtype, initial=question_initial(found))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_question(actor=actor, question=found, item=form.item())
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("La question est enregistrée."))
            return redirect("learning:question", pk=found.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/question_form.html", {"form": form, "question": found}, status=status)


@require_GET
@require_module("learning")
def file(request, pk: int) -> HttpResponseBase:
    """An image of a question, for those who see the question (inline, never sniffed)."""
    found = authz.access(
        request.actor, QuestionFile.objects.select_related("question__category__bank"), pk, Action.VIEW
    )
    return uploads.serve_file(request, found.file, filename=found.name, content_type=found.content_type, inline=True)


@require_module("learning")
def import_file(request) -> HttpResponse:
    """Import a GIFT or Moodle XML file into one's bank: all or nothing, errors shown with their line."""
    actor = request.actor
    authz.require_or_404(actor, "learning.own_bank", None)
    form = ImportForm(request.POST or None, request.FILES or None, categories=queries.own_categories(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = actions.import_questions(
            actor=actor,
            owner=actor.user,
            establishment_id=actor.establishment_id,
            parsed=data["parsed"],
            into=data["into"],
        )
        messages.success(
            request,
            ngettext("%(n)d question importée.", "%(n)d questions importées.", done.questions) % {"n": done.questions},
        )
        return redirect(reverse("learning:bank"))
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/import.html", {"form": form}, status=status)


@require_GET
@require_module("learning")
def export(request) -> HttpResponse:
    """Download a category (and its subcategories) or one's whole bank, as GIFT or Moodle XML."""
    actor = request.actor
    authz.require_or_404(actor, "learning.use_bank", None)
    fmt = request.GET.get("format") if request.GET.get("format") in EXPORTS else "gift"
    category = None
    if request.GET.get("categorie"):
        category = authz.access(actor, Category.objects.select_related("bank"), request.GET["categorie"], Action.VIEW)
    content_type, extension = EXPORTS[fmt]
    response = HttpResponse(queries.write(queries.export_for(actor, category=category), fmt), content_type=content_type)
    response["Content-Disposition"] = uploads.content_disposition(f"questions.{extension}")
    return response


@require_module("learning")
def share(request, pk: int) -> HttpResponse:
    """Share a category of one's bank (and its subcategories) with the establishment's or a subject's teachers."""
    actor = request.actor
    category = authz.access(actor, Category.objects.select_related("bank", "subject"), pk, Action.MANAGE)
    initial = {"sharing": category.sharing, "subject": category.subject}
    form = ShareForm(request.POST or None, initial=initial, subjects=queries.establishment_subjects(actor, category))
    if request.method == "POST" and form.is_valid():
        actions.share_category(
            actor=actor, category=category, sharing=form.cleaned_data["sharing"], subject=form.cleaned_data["subject"]
        )
        messages.success(request, _("Le partage de la catégorie est enregistré."))
        return redirect(reverse("learning:bank") + f"?categorie={category.pk}")
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/share.html", {"form": form, "category": category}, status=status)


# --- quizzes ----------------------------------------------------------------------------------------------------
@require_module("learning")
def quiz_new(request) -> HttpResponse:
    """Give a quiz of a category's questions to a class one teaches."""
    actor = request.actor
    category = authz.access(actor, Category.objects.select_related("bank"), request.GET.get("categorie"), Action.VIEW)
    form = QuizForm(request.POST or None, classes=queries.taught_classes(actor))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            quiz = actions.create_quiz(
                actor=actor,
                category=category,
                school_class=data["school_class"],
                title=data["title"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                time_limit=data["time_limit"],
                max_attempts=data["max_attempts"],
                grading=data["grading"],
                review=form.review(),
            )
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Le quiz est créé."))
            return redirect("learning:quiz_results", pk=quiz.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/quiz_form.html", {"form": form, "category": category}, status=status)


@require_GET
@require_module("learning")
def quiz_results(request, pk: int) -> HttpResponse:
    """The teacher's view of a quiz: who took it and their score."""
    quiz = authz.access(request.actor, Quiz.objects.select_related("school_class"), pk, Action.CHANGE)
    return render(request, "learning/quiz_results.html", {"quiz": quiz, "rows": queries.quiz_results(quiz)})


@require_POST
@require_module("learning")
def quiz_publish(request, pk: int) -> HttpResponse:
    """Write the quiz's results into the gradebook (once)."""
    quiz = authz.access(request.actor, Quiz, pk, Action.CHANGE)
    try:
        actions.publish_results(actor=request.actor, quiz=quiz)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Les résultats sont reportés dans le carnet de notes."))
    return redirect("learning:quiz_results", pk=quiz.pk)


@require_GET
@require_module("learning")
def quizzes(request) -> HttpResponse:
    """« Mes quiz »: the quizzes open to the student, and where they are in each."""
    return render(request, "learning/quizzes.html", {"quizzes": queries.student_quizzes(request.actor)})


@require_POST
@require_module("learning")
def quiz_start(request, pk: int) -> HttpResponse:
    """Begin (or resume) one's attempt."""
    quiz = authz.access(request.actor, Quiz, pk, Action.VIEW)
    try:
        attempt = actions.start_attempt(actor=request.actor, quiz=quiz)
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("learning:quizzes")
    return redirect("learning:attempt", pk=attempt.pk)


@require_module("learning")
def attempt(request, pk: int) -> HttpResponse:
    """The attempt: its questions without any right answer; each save keeps every answer, « Terminer » submits."""
    actor = request.actor
    found = authz.access(actor, queries.attempt_queryset(), pk, Action.CHANGE)
    shows = queries.review_shows(found)
    shown = queries.attempt_page(found, shows)
    status = 200
    if request.method == "POST":
        try:
            sequence = int(request.POST.get("sequence") or time.time() * 1000)
            values = responses_from(request.POST, shown)
            actions.save_responses(actor=actor, attempt=found, values=values, sequence=sequence)
        except ValueError as error:
            messages.error(request, str(error))
            status = 400
        if "submit" in request.POST:
            actions.submit_attempt(actor=actor, attempt=found)
        if request.headers.get("X-Autosave"):
            return HttpResponse(status=204 if status == 200 else 409)
        return redirect("learning:attempt", pk=found.pk)
    left = max(0, int((found.deadline - timezone.now()).total_seconds()))
    context = {
        "attempt": found,
        "shown": shown,
        "done": found.submitted_at is not None,
        "seconds_left": left,
        "shows": shows,
        "total": sum(q.out_of for q in shown if q.out_of is not None),
    }
    return render(request, "learning/attempt.html", context, status=status)


@require_module("learning")
def attempt_grade(request, pk: int) -> HttpResponse:
    """The quiz's teacher reads a submitted attempt's essays and gives them their points (a recorded read)."""
    actor = request.actor
    found = authz.access(actor, queries.attempt_queryset(), pk, Action.VIEW)
    authz.require_or_404(actor, Action.CHANGE, found.quiz)
    audit.record_read(actor=actor, verb="learning.view_attempt", target=found, subject_id=found.student_id)
    essays = queries.essays_of(found)
    form = EssayMarksForm(request.POST or None, essays=essays)
    if request.method == "POST" and form.is_valid():
        try:
            actions.grade_essays(actor=actor, attempt=found, marks=form.marks())
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Les points des compositions sont enregistrés."))
            return redirect("learning:quiz_results", pk=found.quiz_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/attempt_grade.html", {"attempt": found, "form": form}, status=status)


@require_module("learning")
def accommodations(request) -> HttpResponse:
    """« Aménagements » (PAP, PPS): the extra time and attempts granted to students for every quiz there."""
    actor = request.actor
    authz.require_or_404(actor, "learning.grant_accommodation", None)
    granted = queries.accommodations(actor)
    students = queries.establishment_students(actor)
    chosen = next((a for a in granted if str(a.student_id) == request.GET.get("eleve")), None)
    initial = {"student": chosen.student_id} if chosen else {}
    if chosen:
        initial |= {"extra_minutes_per_hour": chosen.extra_minutes_per_hour, "extra_attempts": chosen.extra_attempts}
    form = AccommodationForm(request.POST or None, initial=initial, students=students)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.set_accommodation(
            actor=actor,
            student=data["student"],
            extra_minutes_per_hour=data["extra_minutes_per_hour"],
            extra_attempts=data["extra_attempts"],
        )
        messages.success(
            request, _("L'aménagement de %(name)s est enregistré.") % {"name": data["student"].get_full_name()}
        )
        return redirect("learning:accommodations")
    audit.record_reads(actor=actor, verb="learning.view_accommodations", subject_ids=[a.student_id for a in granted])
    status = 400 if request.method == "POST" else 200
    return render(request, "learning/accommodations.html", {"form": form, "granted": granted}, status=status)
