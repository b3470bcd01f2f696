"""Pages of online submission: the student's hand-in, the teacher's list, feedback, guarded downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cartable.core import authz, uploads
from cartable.core.views import require_module
from cartable.directory.http import ActorRequest
from cartable.homework.submissions import actions, queries
from cartable.homework.submissions.forms import FeedbackForm, SubmissionForm


def _add_errors(form: Any, exc: ValidationError) -> None:
    for message in exc.messages:
        form.add_error(None, message)


@require_module("homework")
@require_http_methods(["GET", "POST"])
def student(request: ActorRequest, homework_id: int) -> HttpResponseBase:
    """The student's page for one homework: hand in, replace, see the feedback (guardians: read only)."""
    homework = queries.homework_for(request.actor, homework_id)
    if authz.can(request.actor, "homework.review_submissions", homework):
        return HttpResponseRedirect(reverse("homework:submissions:list", args=[homework.pk]))
    view = queries.student_view(request.actor, homework)
    existing = list(view.submission.files.all()) if view.submission else []
    form = None
    if view.can_submit:
        form = SubmissionForm(
            request.POST or None,
            request.FILES or None,
            existing_files=existing,
            initial={"text": view.submission.text if view.submission else ""},
        )
        if request.method == "POST" and form.is_valid():
            try:
                actions.submit_work(
                    actor=request.actor,
                    homework=homework,
                    text=form.cleaned_data["text"],
                    files=form.cleaned_data["files"],
                    remove_file_ids=form.cleaned_data.get("remove") or (),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Votre travail est déposé."))
                return HttpResponseRedirect(request.path)
    elif request.method == "POST":
        messages.error(request, _("Ce travail ne peut plus être déposé ni remplacé."))
        return HttpResponseRedirect(request.path)
    return render(
        request,
        "homework/submissions/student.html",
        {"view": view, "homework": homework, "files": existing, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@require_module("homework")
@require_GET
def class_list(request: ActorRequest, homework_id: int) -> HttpResponseBase:
    """The teacher's list: every student of the class, handed in or not, late or not, with feedback."""
    homework = queries.homework_for(request.actor, homework_id)
    view = queries.class_view(request.actor, homework)
    return render(
        request,
        "homework/submissions/list.html",
        {
            "view": view,
            "homework": homework,
            "can_give_feedback": authz.can(request.actor, "homework.give_feedback", homework),
            "has_any": view.counts["submitted"] + view.counts["late"] > 0,
        },
    )


@require_module("homework")
@require_GET
def download_all(request: ActorRequest, homework_id: int) -> HttpResponseBase:
    """Every handed-in file of the class in one zip, ``Nom Prénom/fichier``."""
    homework = queries.homework_for(request.actor, homework_id)
    view = queries.class_view(request.actor, homework)
    spool = queries.build_zip(view)
    response = FileResponse(spool, content_type="application/zip")
    name = _("depots - %(title)s.zip") % {"title": homework.title}
    response["Content-Disposition"] = uploads.content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_module("homework")
@require_http_methods(["GET", "POST"])
def feedback(request: ActorRequest, submission_id: int) -> HttpResponseBase:
    """The teacher reads one submission and returns (or amends) feedback."""
    submission = queries.submission_for_feedback(request.actor, submission_id)
    current = getattr(submission, "feedback", None)
    initial = {"mark_out_of": 20}
    if current is not None:
        initial = {"text": current.text, "mark": current.mark, "mark_out_of": current.mark_out_of}
    form = FeedbackForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.return_feedback(
                actor=request.actor,
                submission=submission,
                text=data["text"],
                mark=data["mark"],
                mark_out_of=data["mark_out_of"],
                corrected=data["corrected"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Retour envoyé à %(name)s.") % {"name": submission.student.get_full_name()})
            return HttpResponseRedirect(reverse("homework:submissions:list", args=[submission.homework_id]))
    return render(
        request,
        "homework/submissions/feedback.html",
        {"submission": submission, "homework": submission.homework, "form": form, "current": current},
        status=400 if form.errors else 200,
    )


@require_module("homework")
@require_GET
def download_file(request: ActorRequest, file_id: int) -> HttpResponseBase:
    """One handed-in file, for who sees its submission."""
    stored = queries.submission_file(request.actor, file_id)
    return uploads.serve_file(request, stored.file, filename=stored.original_name, content_type=stored.content_type)


@require_module("homework")
@require_GET
def download_correction(request: ActorRequest, feedback_id: int) -> HttpResponseBase:
    """The teacher's corrected copy, for who sees the submission."""
    feedback = queries.corrected_copy(request.actor, feedback_id)
    extension = (feedback.corrected_file.name or "").rpartition(".")[2].lower()
    content_type = uploads.KINDS.get(extension, ("application/octet-stream",))[0]
    return uploads.serve_file(
        request, feedback.corrected_file, filename=feedback.corrected_name, content_type=content_type
    )
