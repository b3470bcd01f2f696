"""Pages for everyone who reads the log: work to do (students, guardians), a class's log, a homework,
an attached file."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.models import Group, Role, SchoolClass
from cartable.homework import actions, queries
from cartable.homework.models import Attachment, Homework, Link
from cartable.homework.policies import can_read_log
from cartable.timetable.queries import default_monday

WEEKS_AHEAD = 3


def _todo_window(request) -> tuple[dt.date, dt.date, bool]:
    today = timezone.localdate()
    if request.GET.get("passees"):
        return today - dt.timedelta(weeks=WEEKS_AHEAD), today - dt.timedelta(days=1), True
    return today, today + dt.timedelta(weeks=WEEKS_AHEAD), False


def todo_items(actor, start, end, *, merged: bool):
    """The homework due in the window with its done state: for a student theirs, for a guardian each
    child's (``item.marks`` = [(child, done)]). Fixed query count."""
    if actor.role == Role.GUARDIAN and merged:
        items = queries.due_items(actor, start, end, student_ids=[c.id for c in actor.children])
        done = queries.done_pairs([i.pk for i in items], {c.id for i in items for c in i.children})
        for item in items:
            item.marks = [(c, (item.pk, c.id) in done) for c in item.children]
    elif actor.role == Role.GUARDIAN:
        child = actor.child
        items = queries.due_items(actor, start, end, done_for=child.id if child else None)
        for item in items:
            item.marks = [(c, item.done) for c in item.children]
    else:
        items = queries.due_items(actor, start, end, done_for=actor.user_id)
    return items


def dashboard_due(actor) -> list:
    """Homework due from this week's Monday (or today) to a week ahead, with its done state: fetched once
    per request and shared by the dashboard's "Devoirs à venir" and "Ma charge de la semaine" widgets."""

    def fetch():
        today = timezone.localdate()
        monday = default_monday(today)
        start, end = min(today, monday), max(today + dt.timedelta(days=7), monday + dt.timedelta(days=4))
        return todo_items(actor, start, end, merged=False)

    return actor.memo("homework.dashboard_due", fetch)


def _by_day(items):
    days: dict[dt.date, list] = {}
    for item in items:
        days.setdefault(item.due_date, []).append(item)
    return sorted(days.items())


@require_module("homework")
def todo(request):
    """Travail à faire: the homework of the coming weeks by due date, past weeks on demand; guardians see
    the active child's or all their children's merged."""
    actor = request.actor
    if actor.role not in (Role.STUDENT, Role.GUARDIAN):
        raise Http404
    start, end, past = _todo_window(request)
    merged = actor.role == Role.GUARDIAN and request.GET.get("enfants") == "tous"
    items = todo_items(actor, start, end, merged=merged)
    if past:
        items.reverse()
    return render(
        request,
        "homework/todo.html",
        {
            "days": _by_day(items) if not past else sorted(_by_day(items), reverse=True),
            "past": past,
            "merged": merged,
            "is_guardian": actor.role == Role.GUARDIAN,
            "is_student": actor.role == Role.STUDENT,
            "logs": _log_links(actor, merged),
        },
    )


def _log_links(actor, merged):
    """The classes and groups whose log the student (or the child looked at) follows (two queries)."""
    from cartable.homework.policies import family_reach

    if actor.role == Role.STUDENT:
        class_ids, group_ids = actor.class_ids, actor.group_ids
    else:
        reach = family_reach(actor)
        children = actor.children if merged else ([actor.child] if actor.child else [])
        class_ids = {c for child in children for c in reach.get(child.id, ((), ()))[0]}
        group_ids = {g for child in children for g in reach.get(child.id, ((), ()))[1]}
    classes = list(SchoolClass.objects.filter(pk__in=class_ids).order_by("name")) if class_ids else []
    groups = list(Group.objects.filter(pk__in=group_ids).order_by("name")) if group_ids else []
    return {"classes": classes, "groups": groups}


@require_module("homework")
@require_POST
def toggle_done(request, pk):
    """A student ticks homework done or not; htmx swaps the item, without JavaScript the page reloads."""
    actor = request.actor
    if actor.role != Role.STUDENT:
        raise Http404
    homework = authz.access(actor, Homework.objects.select_related(*queries.HOMEWORK_RELATED), pk, Action.VIEW)
    done = request.POST.get("done") == "1"
    try:
        actions.set_done(actor=actor, homework=homework, done=done)
    except PermissionDenied as exc:  # not one of the student's own homework
        raise Http404 from exc
    if request.htmx:
        homework.done = done
        return render(request, "homework/todo.html#item", {"item": homework, "is_student": True})
    return redirect("homework:todo")


@require_module("homework")
def homework_detail(request, pk):
    """One homework as its readers see it: instructions, files, links."""
    qs = Homework.objects.select_related(*queries.HOMEWORK_RELATED, "log_entry").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        Prefetch("links", queryset=Link.objects.order_by("id")),
    )
    homework = authz.access(request.actor, qs, pk, Action.VIEW)
    done = None
    if request.actor.role == Role.STUDENT:
        done = bool(queries.done_pairs([homework.pk], [request.actor.user_id]))
    return render(
        request,
        "homework/homework_detail.html",
        {
            "homework": homework,
            "done": done,
            "can_change": authz.allows(request.actor, Action.CHANGE, homework),
        },
    )


def _log_window(request):
    try:
        end = dt.date.fromisoformat(request.GET.get("jusqua") or "")
    except ValueError:
        end = timezone.localdate() + dt.timedelta(days=14)
    return end - dt.timedelta(weeks=4), end


@require_module("homework")
def class_log(request, pk):
    """A class's log (its groups' entries included), four weeks at a time, newest first."""
    school_class = authz.access(request.actor, SchoolClass, pk, Action.VIEW)
    if not can_read_log(request.actor, school_class.establishment_id, class_id=school_class.pk):
        raise Http404
    start, end = _log_window(request)
    entries = queries.class_log(request.actor, class_id=school_class.pk, start=start, end=end)
    return _log_page(request, str(school_class), entries, start, end)


@require_module("homework")
def group_log(request, pk):
    """A group's log, four weeks at a time."""
    group = Group.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if group is None or not can_read_log(request.actor, group.establishment_id, group_id=group.pk):
        raise Http404
    start, end = _log_window(request)
    entries = queries.class_log(request.actor, group_id=group.pk, start=start, end=end)
    return _log_page(request, group.name, entries, start, end)


def _log_page(request, name, entries, start, end):
    return render(
        request,
        "homework/class_log.html",
        {
            "name": name,
            "entries": entries,
            "start": start,
            "end": end,
            "earlier": start - dt.timedelta(days=1),
        },
    )


@require_module("homework")
def attachment_download(request, pk):
    """A file of an entry or homework, to those who see it; never run or sniffed by the browser."""
    from cartable.core import uploads

    qs = Attachment.objects.select_related("log_entry__assignment", "homework__assignment")
    attachment = authz.access(request.actor, qs, pk, Action.VIEW)
    return uploads.serve_file(
        request, attachment.file, filename=attachment.original_name, content_type=attachment.content_type, inline=True
    )
