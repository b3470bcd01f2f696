"""Pages for everyone who reads the log: work to do (students, guardians), a class's log, a homework,
an attached file."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.actor import Actor
from cartable.directory.http import ActorRequest
from cartable.directory.models import Group, SchoolClass
from cartable.homework import actions, queries
from cartable.homework.models import Attachment, Homework, Link, LogEntry
from cartable.homework.queries import dashboard_due, todo_items

__all__ = ["dashboard_due", "todo_items"]  # read by the dashboard's widgets (hooks.py)

WEEKS_AHEAD = 3


def _todo_window(request: ActorRequest) -> tuple[dt.date, dt.date, bool]:
    today = timezone.localdate()
    if request.GET.get("passees"):
        return today - dt.timedelta(weeks=WEEKS_AHEAD), today - dt.timedelta(days=1), True
    return today, today + dt.timedelta(weeks=WEEKS_AHEAD), False


def _by_day(items: list[Homework], others: list[Any]) -> list[tuple[dt.date, list[Homework], list[Any]]]:
    """The homework and the other apps' items (``registry.TodoItem``) grouped by due date, in date order."""
    days: dict[dt.date, tuple[list[Homework], list[Any]]] = {}
    for item in items:
        days.setdefault(item.due_date, ([], []))[0].append(item)
    for other in others:
        days.setdefault(other.due_date, ([], []))[1].append(other)
    return [(day, homework, extra) for day, (homework, extra) in sorted(days.items())]


@require_module("homework")
def todo(request: ActorRequest) -> HttpResponse:
    """Travail à faire: the homework of the coming weeks by due date, past weeks on demand; guardians see
    the active child's or all their children's merged."""
    actor: Actor = request.actor
    authz.require_or_404(actor, "homework.follow_todo", None)
    start, end, past = _todo_window(request)
    can_follow_children = authz.can(actor, "homework.follow_children")
    merged = can_follow_children and request.GET.get("enfants") == "tous"
    items = todo_items(actor, start, end, merged=merged)
    if past:
        items.reverse()
    days = _by_day(items, queries.other_todo(actor, start, end, merged=merged))
    return render(
        request,
        "homework/todo.html",
        {
            "days": days if not past else sorted(days, key=lambda d: d[0], reverse=True),
            "past": past,
            "merged": merged,
            "can_follow_children": can_follow_children,
            "can_tick": authz.can(actor, "homework.tick_done"),
            "can_hand_in": authz.can(actor, "homework.hand_in"),
            "logs": queries.log_links(actor, merged=merged),
        },
    )


@require_module("homework")
@require_POST
def toggle_done(request: ActorRequest, pk: int) -> HttpResponse:
    """A student ticks homework done or not; htmx swaps the item, without JavaScript the page reloads."""
    actor: Actor = request.actor
    authz.require_or_404(actor, "homework.tick_done", None)
    homework = authz.access(actor, Homework.objects.select_related(*queries.HOMEWORK_RELATED), pk, Action.VIEW)
    done = request.POST.get("done") == "1"
    try:
        actions.set_done(actor=actor, homework=homework, done=done)
    except PermissionDenied as exc:  # not one of the student's own homework
        raise Http404 from exc
    if request.htmx:
        homework.done = done
        context = {"item": homework, "can_tick": True, "can_hand_in": authz.can(actor, "homework.hand_in")}
        return render(request, "homework/todo.html#item", context)
    return redirect("homework:todo")


@require_module("homework")
def homework_detail(request: ActorRequest, pk: int) -> HttpResponse:
    """One homework as its readers see it: instructions, files, links."""
    qs = Homework.objects.select_related(*queries.HOMEWORK_RELATED, "log_entry").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id")),
        Prefetch("links", queryset=Link.objects.order_by("id")),
    )
    homework = authz.access(request.actor, qs, pk, Action.VIEW)
    return render(
        request,
        "homework/homework_detail.html",
        {
            "homework": homework,
            "done": queries.is_done(request.actor, homework),
            "hand_in": queries.hand_in_state(request.actor, homework),
            "can_hand_in": authz.can(request.actor, "homework.hand_in"),
            "can_change": authz.allows(request.actor, Action.CHANGE, homework),
        },
    )


def _log_window(request: ActorRequest) -> tuple[dt.date, dt.date]:
    try:
        end = dt.date.fromisoformat(request.GET.get("jusqua") or "")
    except ValueError:
        end = timezone.localdate() + dt.timedelta(days=14)
    return end - dt.timedelta(weeks=4), end


@require_module("homework")
def class_log(request: ActorRequest, pk: int) -> HttpResponse:
    """A class's log (its groups' entries included), four weeks at a time, newest first."""
    school_class = authz.access(request.actor, SchoolClass, pk, Action.VIEW)
    authz.require_or_404(request.actor, "homework.read_class_log", school_class)
    start, end = _log_window(request)
    entries = queries.class_log(request.actor, class_id=school_class.pk, start=start, end=end)
    return _log_page(request, str(school_class), entries, start, end)


@require_module("homework")
def group_log(request: ActorRequest, pk: int) -> HttpResponse:
    """A group's log, four weeks at a time."""
    group = authz.access(request.actor, Group, pk, Action.VIEW)
    authz.require_or_404(request.actor, "homework.read_group_log", group)
    start, end = _log_window(request)
    entries = queries.class_log(request.actor, group_id=group.pk, start=start, end=end)
    return _log_page(request, group.name, entries, start, end)


def _log_page(request: ActorRequest, name: str, entries: list[LogEntry], start: dt.date, end: dt.date) -> HttpResponse:
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
def attachment_download(request: ActorRequest, pk: int) -> HttpResponseBase:
    """A file of an entry or homework, to those who see it; never run or sniffed by the browser."""
    from cartable.core import uploads

    qs = Attachment.objects.select_related("log_entry__assignment", "homework__assignment")
    attachment = authz.access(request.actor, qs, pk, Action.VIEW)
    return uploads.serve_file(
        request, attachment.file, filename=attachment.original_name, content_type=attachment.content_type, inline=True
    )
