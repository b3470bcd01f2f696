"""Writes of the homework log: entries, homework, their files and links, ticks and publication notices.

Every write is atomic and audited; rich text is sanitized here, whatever the caller. Students and their
guardians are notified when homework becomes visible (at once when published now, by the periodic
:func:`notify_newly_visible` when prepared ahead) and when published homework changes.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import models as django_models
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, dates, erasure, notify, uploads
from cartable.core.authz import Action
from cartable.core.richtext import sanitize
from cartable.directory.actor import Actor, current
from cartable.directory.models import Enrolment, GroupMembership, TeachingAssignment, User
from cartable.directory.queries import guardians_of_students
from cartable.homework.models import Attachment, Feedback, Homework, HomeworkDone, Link, LogEntry, Submission

ENTRY_FIELDS = ("assignment_id", "date", "start_time", "lesson_key", "title", "content", "published_at")
HOMEWORK_FIELDS = (
    "assignment_id",
    "log_entry_id",
    "kind",
    "title",
    "instructions",
    "due_date",
    "due_time",
    "estimated_minutes",
    "published_at",
    "accepts_submissions",
    "submission_deadline",
    "late_policy",
)


def _snapshot(obj, fields) -> dict:
    return {f: _plain(getattr(obj, f)) for f in fields}


def _plain(value: object) -> object:
    if isinstance(value, dt.date | dt.time | dt.datetime):
        return value.isoformat()
    return value


# --- log entries -------------------------------------------------------------------------------------
@transaction.atomic
def save_log_entry(
    *,
    actor: Actor,
    assignment: TeachingAssignment,
    date: dt.date,
    title: str,
    content: str = "",
    published_at: dt.datetime | None = None,
    start_time: dt.time | None = None,
    lesson_key: str = "",
    entry: LogEntry | None = None,
) -> LogEntry:
    """Create (``entry`` None) or change a log entry; its content is sanitized; only the teacher of the
    assignment writes it."""
    creating = entry is None
    if entry is None:
        entry = LogEntry(establishment_id=assignment.establishment_id, author_id=actor.person_id)
        before = None
    else:
        authz.require(actor, Action.CHANGE, entry)
        before = _snapshot(entry, ENTRY_FIELDS)
    entry.assignment = assignment
    entry.establishment_id = assignment.establishment_id
    entry.date, entry.start_time, entry.lesson_key = date, start_time, lesson_key or ""
    entry.title = title.strip()
    entry.content = sanitize(content)
    entry.published_at = published_at or timezone.now()
    authz.require(actor, Action.CREATE if creating else Action.CHANGE, entry)
    entry.save()
    audit.record(
        actor=actor,
        verb="homework.create_entry" if creating else "homework.change_entry",
        target=entry,
        establishment_id=entry.establishment_id,
        before=before,
        after=_snapshot(entry, ENTRY_FIELDS),
    )
    return entry


@transaction.atomic
def delete_log_entry(*, actor: Actor, entry: LogEntry) -> None:
    """Delete a log entry with its files and links (its homework stays, detached)."""
    authz.require(actor, Action.DELETE, entry)
    before = _snapshot(entry, ENTRY_FIELDS)
    stored = [a.file.name for a in entry.attachments.all()]
    audit.record(
        actor=actor, verb="homework.delete_entry", target=entry, establishment_id=entry.establishment_id, before=before
    )
    entry.delete()
    uploads.delete_after_commit(stored)


# --- files and links ---------------------------------------------------------------------------------
def _parent_check(actor: Actor, log_entry: LogEntry | None, homework: Homework | None) -> LogEntry | Homework:
    parent = log_entry or homework
    if parent is None or (log_entry is not None and homework is not None):
        raise ValueError("exactly one of log_entry and homework")
    authz.require(actor, Action.CHANGE, parent)
    return parent


@transaction.atomic
def add_link(
    *, actor: Actor, url: str, label: str = "", log_entry: LogEntry | None = None, homework: Homework | None = None
) -> Link:
    """Attach a web link (http or https only, checked by the form) to an entry or a homework."""
    parent = _parent_check(actor, log_entry, homework)
    link = Link.objects.create(
        establishment_id=parent.establishment_id, log_entry=log_entry, homework=homework, url=url, label=label.strip()
    )
    audit.record(
        actor=actor,
        verb="homework.add_link",
        target=link,
        establishment_id=link.establishment_id,
        after={"url": url, "label": link.label},
    )
    return link


@transaction.atomic
def delete_link(*, actor: Actor, link: Link) -> None:
    authz.require(actor, Action.DELETE, link)
    audit.record(
        actor=actor,
        verb="homework.delete_link",
        target=link,
        establishment_id=link.establishment_id,
        before={"url": link.url, "label": link.label},
    )
    link.delete()


@transaction.atomic
def add_attachment(
    *, actor: Actor, checked, log_entry: LogEntry | None = None, homework: Homework | None = None
) -> Attachment:
    """Store a file already checked by ``core.uploads.validate_upload`` under a generated name."""
    from cartable.core import uploads

    parent = _parent_check(actor, log_entry, homework)
    name = uploads.store(checked, folder="homework/%Y/%m/")
    attachment = Attachment(
        establishment_id=parent.establishment_id,
        log_entry=log_entry,
        homework=homework,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by_id=actor.person_id,
    )
    attachment.file.name = name
    attachment.save()
    audit.record(
        actor=actor,
        verb="homework.add_attachment",
        target=attachment,
        establishment_id=attachment.establishment_id,
        after={"name": attachment.original_name, "size": attachment.size, "sha256": checked.sha256},
    )
    return attachment


@transaction.atomic
def delete_attachment(*, actor: Actor, attachment: Attachment) -> None:
    authz.require(actor, Action.DELETE, attachment)
    audit.record(
        actor=actor,
        verb="homework.delete_attachment",
        target=attachment,
        establishment_id=attachment.establishment_id,
        before={"name": attachment.original_name},
    )
    stored = attachment.file.name
    attachment.delete()
    uploads.delete_after_commit([stored])


# --- homework ----------------------------------------------------------------------------------------
@transaction.atomic
def save_homework(
    *,
    actor: Actor,
    assignment: TeachingAssignment,
    kind: str,
    title: str,
    due_date: dt.date,
    instructions: str = "",
    due_time: dt.time | None = None,
    estimated_minutes: int = 0,
    published_at: dt.datetime | None = None,
    accepts_submissions: bool = False,
    submission_deadline: dt.datetime | None = None,
    late_policy: str = Homework.LatePolicy.ACCEPT,
    log_entry: LogEntry | None = None,
    homework: Homework | None = None,
) -> Homework:
    """Create or change homework. Visible homework notifies its students and their guardians: published
    now, it is announced; changed once announced, its ``version`` goes up and the change is announced."""
    now = timezone.now()
    creating = homework is None
    if homework is None:
        homework = Homework(author_id=actor.person_id)
        before = None
    else:
        authz.require(actor, Action.CHANGE, homework)
        before = _snapshot(homework, HOMEWORK_FIELDS)
    homework.assignment = assignment
    homework.establishment_id = assignment.establishment_id
    homework.log_entry = log_entry
    homework.kind, homework.title = kind, title.strip()
    homework.instructions = sanitize(instructions)
    homework.due_date, homework.due_time = due_date, due_time
    homework.estimated_minutes = max(int(estimated_minutes or 0), 0)
    homework.published_at = published_at or now
    homework.accepts_submissions = accepts_submissions
    homework.submission_deadline = submission_deadline if accepts_submissions else None
    homework.late_policy = late_policy
    authz.require(actor, Action.CREATE if creating else Action.CHANGE, homework)
    changed = before is not None and before != _snapshot(homework, HOMEWORK_FIELDS)
    announce = None
    if homework.published_at <= now:
        if homework.notified_at is None:
            announce = "homework.published"
        elif changed:
            homework.version += 1
            announce = "homework.changed"
    else:
        homework.notified_at = None  # moved back to the future: announced again when it shows
    if announce:
        homework.notified_at = now
        if homework.due_date < timezone.localdate(now):  # work already due: no « new homework for yesterday »
            announce = None
    homework.save()
    audit.record(
        actor=actor,
        verb="homework.create_homework" if creating else "homework.change_homework",
        target=homework,
        establishment_id=homework.establishment_id,
        before=before,
        after={**_snapshot(homework, HOMEWORK_FIELDS), "version": homework.version},
    )
    if announce:
        _announce([homework], announce)
    return homework


@transaction.atomic
def delete_homework(*, actor: Actor, homework: Homework) -> None:
    """Delete homework (its ticks, files and links go with it)."""
    authz.require(actor, Action.DELETE, homework)
    stored = [a.file.name for a in homework.attachments.all()]
    audit.record(
        actor=actor,
        verb="homework.delete_homework",
        target=homework,
        establishment_id=homework.establishment_id,
        before=_snapshot(homework, HOMEWORK_FIELDS),
    )
    notify.withdraw(homework)  # its announcements and reminders lead nowhere now
    homework.delete()
    uploads.delete_after_commit(stored)


@transaction.atomic
def set_done(*, actor: Actor, homework: Homework, done: bool) -> bool:
    """A student ticks (or unticks) homework they can see as done; private to them and their guardians."""
    a = homework.assignment
    if homework.published_at > timezone.now() or not (
        a.school_class_id in actor.class_ids or a.group_id in actor.group_ids
    ):
        raise PermissionDenied
    if done:
        _mark, created = HomeworkDone.objects.get_or_create(homework=homework, student_id=actor.user_id)
        changed = created
    else:
        changed = bool(HomeworkDone.objects.filter(homework=homework, student_id=actor.user_id).delete()[0])
    if changed:
        audit.record(
            actor=actor,
            verb="homework.mark_done" if done else "homework.mark_not_done",
            target=homework,
            subject_id=actor.user_id,
            establishment_id=homework.establishment_id,
        )
    return done


# --- notices -----------------------------------------------------------------------------------------
def _audiences(items: list[Homework]) -> dict[int, list[int]]:
    """Homework id -> the students it is for (two queries for any number of homework)."""
    class_ids = {h.assignment.school_class_id for h in items if h.assignment.school_class_id}
    group_ids = {h.assignment.group_id for h in items if h.assignment.group_id}
    by_class: dict[int, list[int]] = {}
    by_group: dict[int, list[int]] = {}
    if class_ids:
        for class_id, student_id in current(Enrolment.objects.filter(school_class_id__in=class_ids)).values_list(
            "school_class_id", "student_id"
        ):
            by_class.setdefault(class_id, []).append(student_id)
    if group_ids:
        for group_id, student_id in current(GroupMembership.objects.filter(group_id__in=group_ids)).values_list(
            "group_id", "student_id"
        ):
            by_group.setdefault(group_id, []).append(student_id)
    return {
        h.pk: by_class.get(h.assignment.school_class_id or 0, []) + by_group.get(h.assignment.group_id or 0, [])
        for h in items
    }


def announce_for_demo(items: list[Homework]) -> None:
    """Announce homework already visible as it was announced when published, in the app only (the demo's
    notices: it sends no e-mail). Work already due is left out, as ``save_homework`` leaves it."""
    today = timezone.localdate()
    _announce([h for h in items if h.due_date >= today], "homework.published", channels=("in_app",))


def _announce(items: list[Homework], kind: str, channels: tuple[str, ...] | None = None) -> None:
    audiences = _audiences(items)
    guardians = guardians_of_students({s for students in audiences.values() for s in students})
    for item in items:
        students = audiences.get(item.pk, [])
        recipients = set(students) | {g for s in students for g in guardians.get(s, [])}
        children = {g: s for s in students for g in guardians.get(s, [])}  # each guardian, about their child
        if not recipients:
            continue
        subject = item.assignment.subject.name
        if kind == "homework.published":
            title = _("Nouveau travail en %(subject)s : %(title)s") % {"subject": subject, "title": item.title}
        else:
            title = _("Travail modifié en %(subject)s : %(title)s") % {"subject": subject, "title": item.title}
        body = _("Pour le %(date)s.") % {"date": dates.date_avis(item.due_date)}
        notify.notify(
            recipients=recipients,
            kind=kind,
            title=title,
            body=body,
            url=reverse("homework:detail", args=[item.pk]),
            target=item,
            establishment_id=item.establishment_id,
            about=children,
            channels=channels,
        )


@transaction.atomic
def notify_newly_visible(now: dt.datetime | None = None) -> int:
    """Announce the homework prepared ahead that has become visible since the last run; return how many.

    Rows are claimed with a conditional update, so two workers never announce the same homework twice."""
    now = now or timezone.now()
    due = list(
        Homework.objects.filter(notified_at__isnull=True, published_at__lte=now)
        .select_related("assignment__subject")
        .order_by("id")[:500]
    )
    claimed_ids = set()
    for item in due:
        if Homework.objects.filter(pk=item.pk, notified_at__isnull=True).update(notified_at=now):
            claimed_ids.add(item.pk)
    # Work whose day has passed is claimed but never announced: no « new homework for yesterday ».
    today = timezone.localdate(now)
    claimed = [h for h in due if h.pk in claimed_ids and h.due_date >= today]
    if claimed:
        _announce(claimed, "homework.published")
    return len(claimed)


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    LogEntry: erasure.keep("an official class document: kept, its author stays recorded"),
    Homework: erasure.keep("the class's work to do, part of the log book: its author stays recorded"),
    Attachment: erasure.keep("documents of the log book and of homework: who uploaded them stays recorded"),
    HomeworkDone: erasure.delete("student"),
    Submission: erasure.delete("student"),
    Feedback: erasure.keep("the teacher's feedback goes with the student's submission"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="homework", rules=ERASURE, user=user, model=model, actor=actor)
