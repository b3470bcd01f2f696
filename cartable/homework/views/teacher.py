"""The teacher's homework log pages: the week's lessons with their entries, an entry, a homework form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cartable.core import authz, dates, richtext
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.actor import Actor
from cartable.directory.http import ActorRequest
from cartable.directory.models import TeachingAssignment
from cartable.homework import actions, queries, workload
from cartable.homework.forms import AttachmentForm, EntryForm, HomeworkForm, LinkForm
from cartable.homework.models import Attachment, Homework, Link, LogEntry
from cartable.timetable import queries as timetable

ATTACHMENT_TYPES = frozenset({"pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "txt", "png", "jpg", "gif", "webp"})


def _teacher(request: ActorRequest) -> Actor:
    """The teacher acting; a 404 for anyone else (``homework.write_log``)."""
    authz.require_or_404(request.actor, "homework.write_log", None)
    return request.actor


def week_start(value: str | None) -> dt.date:
    """The Monday of the week given as ``YYYY-MM-DD`` (today's week when missing or malformed)."""
    try:
        day = dt.date.fromisoformat(value or "")
    except ValueError:
        day = timezone.localdate()
    return day - dt.timedelta(days=day.weekday())


@require_module("homework")
def teacher_week(request: ActorRequest) -> HttpResponse:
    """The teacher's lessons of one week, each with its log entry (or a link to write it)."""
    actor = _teacher(request)
    monday = week_start(request.GET.get("semaine"))
    sunday = monday + dt.timedelta(days=6)
    rows, others = queries.teacher_week(actor, monday, sunday)
    return render(
        request,
        "homework/teacher_week.html",
        {
            "rows": rows,
            "others": others,
            "monday": monday,
            "sunday": sunday,
            "previous_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
            "now": timezone.now(),
        },
    )


def _assignments(actor: Actor) -> QuerySet[TeachingAssignment]:
    return queries.teachable_assignments(actor, actor.establishment_id)


def _entry_for_change(actor: Actor, pk: int | str) -> LogEntry:
    qs = LogEntry.objects.select_related(*queries.HOMEWORK_RELATED)
    return authz.access(actor, qs, pk, Action.CHANGE)


@require_module("homework")
def entry_new(request: ActorRequest) -> HttpResponse:
    """Write the log entry of a lesson (prefilled from the timetable's lesson when given)."""
    actor = _teacher(request)
    assignments = _assignments(actor)
    if request.method == "POST":
        form = EntryForm(request.POST, assignments=assignments)
        if form.is_valid():
            entry = _save_entry(actor, form)
            messages.success(request, _("La séance a été enregistrée."))
            return redirect("homework:entry", pk=entry.pk)
    else:
        initial = {
            "assignment": request.GET.get("assignment"),
            "date": request.GET.get("date") or timezone.localdate(),
            "start_time": request.GET.get("heure"),
            "lesson_key": request.GET.get("cle", "")[:40],
        }
        form = EntryForm(initial=initial, assignments=assignments)
    return render(request, "homework/entry_form.html", {"form": form, "entry": None, "now": timezone.now()})


def _save_entry(actor: Actor, form: EntryForm, entry: LogEntry | None = None) -> LogEntry:
    data = form.cleaned_data
    return actions.save_log_entry(
        actor=actor,
        assignment=data["assignment"],
        date=data["date"],
        start_time=data["start_time"],
        lesson_key=data["lesson_key"],
        title=data["title"],
        content=data["content"],
        published_at=data["published_at"],
        entry=entry,
    )


@require_module("homework")
def entry_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """An entry of one's own: change it, add files and links, set homework."""
    actor = _teacher(request)
    entry = _entry_for_change(actor, pk)
    if request.method == "POST":
        form = EntryForm(request.POST, assignments=_assignments(actor))
        if form.is_valid():
            _save_entry(actor, form, entry)
            messages.success(request, _("La séance a été enregistrée."))
            return redirect("homework:entry", pk=entry.pk)
    else:
        form = EntryForm(
            initial={
                "assignment": entry.assignment_id,
                "date": entry.date,
                "start_time": entry.start_time,
                "title": entry.title,
                "content": richtext.to_editable(entry.content),
                "published_at": timezone.localtime(entry.published_at),
                "lesson_key": entry.lesson_key,
            },
            assignments=_assignments(actor),
        )
    return render(request, "homework/entry_form.html", _entry_context(entry, form))


def _entry_context(
    entry: LogEntry, form: EntryForm, link_form: LinkForm | None = None, attachment_form: AttachmentForm | None = None
) -> dict[str, Any]:
    return {
        "form": form,
        "entry": entry,
        **queries.files_and_links(entry),
        "homework_list": queries.homework_of_entry(entry),
        "link_form": link_form or LinkForm(),
        "attachment_form": attachment_form or AttachmentForm(),
        "now": timezone.now(),
    }


@require_module("homework")
@require_POST
def entry_delete(request: ActorRequest, pk: int) -> HttpResponse:
    actor = _teacher(request)
    entry = _entry_for_change(actor, pk)
    actions.delete_log_entry(actor=actor, entry=entry)
    messages.success(request, _("La séance a été supprimée."))
    return redirect("homework:teacher")


def _parent(actor: Actor, kind: str, pk: int) -> tuple[LogEntry | None, Homework | None]:
    if kind == "seance":
        return _entry_for_change(actor, pk), None
    qs = Homework.objects.select_related(*queries.HOMEWORK_RELATED)
    return None, authz.access(actor, qs, pk, Action.CHANGE)


def _parent_page(entry: LogEntry | None, homework: Homework | None) -> tuple[str, int]:
    if entry is not None:
        return "homework:entry", entry.pk
    assert homework is not None  # a file or link belongs to an entry or to homework
    return "homework:homework_edit", homework.pk


@require_module("homework")
@require_POST
def link_add(request: ActorRequest, kind: str, pk: int) -> HttpResponse:
    """Attach a link to an entry or homework of one's own."""
    actor = _teacher(request)
    entry, homework = _parent(actor, kind, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        actions.add_link(actor=actor, log_entry=entry, homework=homework, **form.cleaned_data)
        messages.success(request, _("Le lien a été ajouté."))
    else:
        messages.error(
            request,
            _("Le lien n'a pas été ajouté : %(error)s") % {"error": " ".join(map(str, form.errors.get("url", [])))},
        )
    return redirect(*_parent_page(entry, homework))


@require_module("homework")
@require_POST
def attachment_add(request: ActorRequest, kind: str, pk: int) -> HttpResponse:
    """Attach a file (checked by its content) to an entry or homework of one's own."""
    from cartable.core import uploads

    actor = _teacher(request)
    entry, homework = _parent(actor, kind, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            checked = uploads.validate_upload(form.cleaned_data["file"], allowed=ATTACHMENT_TYPES)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            actions.add_attachment(actor=actor, checked=checked, log_entry=entry, homework=homework)
            messages.success(request, _("Le fichier a été joint."))
    else:
        messages.error(request, _("Choisissez un fichier à joindre."))
    return redirect(*_parent_page(entry, homework))


@require_module("homework")
@require_POST
def link_delete(request: ActorRequest, pk: int) -> HttpResponse:
    actor = _teacher(request)
    link = authz.access(
        actor, Link.objects.select_related("log_entry__assignment", "homework__assignment"), pk, Action.DELETE
    )
    target = _parent_page(link.log_entry, link.homework)
    actions.delete_link(actor=actor, link=link)
    messages.success(request, _("Le lien a été retiré."))
    return redirect(*target)


@require_module("homework")
@require_POST
def attachment_delete(request: ActorRequest, pk: int) -> HttpResponse:
    actor = _teacher(request)
    qs = Attachment.objects.select_related("log_entry__assignment", "homework__assignment")
    attachment = authz.access(actor, qs, pk, Action.DELETE)
    target = _parent_page(attachment.log_entry, attachment.homework)
    actions.delete_attachment(actor=actor, attachment=attachment)
    messages.success(request, _("Le fichier a été retiré."))
    return redirect(*target)


# --- homework ------------------------------------------------------------------------------------------
def lesson_choices(actor: Actor, assignment: TeachingAssignment | None, after: dt.date) -> list[tuple[str, str]]:
    """The next lessons of the same class (or group) and subject over four weeks, as form choices."""
    if assignment is None:
        return []
    upcoming = timetable.lessons(
        establishment_id=assignment.establishment_id,
        start=after + dt.timedelta(days=1),
        end=after + dt.timedelta(days=28),
        assignments=Q(pk=assignment.pk),
    )
    return [
        (
            "{}T{}".format(lesson.date.isoformat(), lesson.start_time.strftime("%H:%M")),
            "{}, {}".format(dates.date_jour(lesson.date), lesson.start_time.strftime("%H:%M")),
        )
        for lesson in upcoming
        if not lesson.is_cancelled
    ][:8]


def workload_warnings(
    assignment: TeachingAssignment | None, data: dict[str, Any], exclude_homework_id: int | None = None
) -> list[workload.Warning]:
    """The workload guard's warnings for this homework, for the class or each class of the group."""
    if assignment is None:
        return []
    class_ids = queries.class_ids_of(assignment)
    warnings = []
    for class_id in class_ids:
        warnings += workload.check(
            establishment_id=assignment.establishment_id,
            class_id=class_id,
            due_date=data["due_date"],
            kind=data["kind"],
            minutes=data.get("estimated_minutes") or 0,
            exclude_homework_id=exclude_homework_id,
        )
    return warnings


def _homework_form(
    request: ActorRequest,
    actor: Actor,
    *,
    homework: Homework | None = None,
    entry: LogEntry | None = None,
    initial: dict[str, Any] | None = None,
) -> tuple[HomeworkForm, TeachingAssignment | None]:
    assignments = _assignments(actor)
    raw = request.POST.get("assignment") if request.method == "POST" else (initial or {}).get("assignment")
    assignment = next((a for a in assignments if str(a.pk) == str(raw)), None) or (
        homework.assignment if homework else None
    )
    after = entry.date if entry else timezone.localdate()
    choices = lesson_choices(actor, assignment, after)
    if request.method == "POST":
        return HomeworkForm(request.POST, assignments=assignments, lesson_choices=choices), assignment
    return HomeworkForm(initial=initial, assignments=assignments, lesson_choices=choices), assignment


def _save_homework(
    actor: Actor, data: dict[str, Any], *, homework: Homework | None, entry: LogEntry | None
) -> Homework:
    return actions.save_homework(
        actor=actor,
        assignment=data["assignment"],
        kind=data["kind"],
        title=data["title"],
        instructions=data["instructions"],
        due_date=data["due_date"],
        due_time=data["due_time"],
        estimated_minutes=data["estimated_minutes"],
        published_at=data["published_at"],
        accepts_submissions=data["accepts_submissions"],
        submission_deadline=data["submission_deadline"],
        late_policy=data["late_policy"],
        log_entry=entry if entry is not None else (homework.log_entry if homework else None),
        homework=homework,
    )


def _homework_page(
    request: ActorRequest,
    *,
    homework: Homework | None = None,
    entry: LogEntry | None = None,
    initial: dict[str, Any] | None = None,
) -> HttpResponse:
    actor = _teacher(request)
    form, _assignment = _homework_form(request, actor, homework=homework, entry=entry, initial=initial)
    warnings: list[workload.Warning] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warnings = (
            []
            if data.get("confirm")
            else workload_warnings(data["assignment"], data, homework.pk if homework else None)
        )
        if not warnings:
            saved = _save_homework(actor, data, homework=homework, entry=entry)
            messages.success(request, _("Le travail « %(title)s » a été enregistré.") % {"title": saved.title})
            if saved.log_entry_id:
                return redirect("homework:entry", pk=saved.log_entry_id)
            return redirect("homework:homework_edit", pk=saved.pk)
    context: dict[str, Any] = {
        "form": form,
        "homework": homework,
        "entry": entry,
        "warnings": warnings,
        "now": timezone.now(),
    }
    if homework is not None:
        context |= {
            **queries.files_and_links(homework),
            "link_form": LinkForm(),
            "attachment_form": AttachmentForm(),
        }
    return render(request, "homework/homework_form.html", context)


@require_module("homework")
def homework_new(request: ActorRequest) -> HttpResponse:
    """Set homework, from a log entry (``?seance=``) or for a class (``?assignment=``)."""
    actor = _teacher(request)
    entry = None
    initial = {"kind": Homework.Kind.EXERCISE, "estimated_minutes": 20, "late_policy": Homework.LatePolicy.ACCEPT}
    if request.GET.get("seance"):
        entry = _entry_for_change(actor, request.GET["seance"])
        initial["assignment"] = entry.assignment_id
    elif request.GET.get("assignment"):
        initial["assignment"] = request.GET["assignment"]
    if request.method == "POST" and request.POST.get("seance"):
        entry = _entry_for_change(actor, request.POST["seance"])
    return _homework_page(request, entry=entry, initial=initial)


@require_module("homework")
def homework_edit(request: ActorRequest, pk: int) -> HttpResponse:
    """Change homework of one's own (published homework: its version goes up, families are told)."""
    actor = _teacher(request)
    homework = authz.access(actor, Homework.objects.select_related(*queries.HOMEWORK_RELATED), pk, Action.CHANGE)
    initial = {
        "assignment": homework.assignment_id,
        "kind": homework.kind,
        "title": homework.title,
        "instructions": richtext.to_editable(homework.instructions),
        "due_date": homework.due_date,
        "due_time": homework.due_time,
        "estimated_minutes": homework.estimated_minutes,
        "published_at": timezone.localtime(homework.published_at),
        "accepts_submissions": homework.accepts_submissions,
        "submission_deadline": homework.submission_deadline and timezone.localtime(homework.submission_deadline),
        "late_policy": homework.late_policy,
    }
    return _homework_page(request, homework=homework, initial=initial)


@require_module("homework")
@require_POST
def homework_delete(request: ActorRequest, pk: int) -> HttpResponse:
    actor = _teacher(request)
    homework = authz.access(actor, Homework.objects.select_related("assignment"), pk, Action.DELETE)
    entry_id = homework.log_entry_id
    actions.delete_homework(actor=actor, homework=homework)
    messages.success(request, _("Le travail a été supprimé."))
    return redirect("homework:entry", pk=entry_id) if entry_id else redirect("homework:teacher")
