"""Reads of online submission, scoped to the actor, each a fixed number of queries whatever the class size."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from typing import IO

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import formats
from django.utils.translation import gettext as _

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor, current
from cartable.directory.models import Enrolment, GroupMembership, Role, User
from cartable.homework.models import Feedback, Homework, Submission, SubmissionFile
from cartable.homework.submissions.actions import submission_window
from cartable.homework.submissions.policies import is_homework_teacher, is_targeted_student, sees_all

HOMEWORK_RELATED = ("assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__group")


def homework_for(actor: Actor, homework_id) -> Homework:
    """A homework taking submissions that the actor sees (one query); 404 otherwise."""
    qs = Homework.objects.select_related(*HOMEWORK_RELATED).filter(accepts_submissions=True)
    return authz.access(actor, qs, homework_id, Action.VIEW)


def can_see_all(actor: Actor, homework: Homework) -> bool:
    """The teacher of the homework, its direction and the region see every submission of it."""
    return sees_all(actor, homework)


def mark_text(feedback: Feedback | None) -> str:
    """A mark as people write it: ``15 / 20``, ``15,5 / 20`` (localized), or "" without a mark."""
    if feedback is None or feedback.mark is None:
        return ""
    mark = feedback.mark
    places = next(p for p in (0, 1, 2) if (mark * 10**p) == (mark * 10**p).to_integral_value())
    return f"{formats.number_format(mark, decimal_pos=places)} / {feedback.mark_out_of}"


def _submissions() -> QuerySet[Submission]:
    return Submission.objects.select_related("feedback").prefetch_related(
        Prefetch("files", queryset=SubmissionFile.objects.order_by("id"))
    )


@dataclass
class StudentView:
    """What the student (or a guardian) sees of one homework's submission."""

    homework: Homework
    student_id: int
    student_name: str
    submission: Submission | None
    can_submit: bool
    is_open: bool
    would_be_late: bool

    @property
    def feedback(self) -> Feedback | None:
        return getattr(self.submission, "feedback", None) if self.submission else None

    @property
    def mark(self) -> str:
        return mark_text(self.feedback)


def student_view(actor: Actor, homework: Homework) -> StudentView:
    """The submission of the student the actor is (or, for a guardian, of the child looked at); 404 when
    the actor is neither a student the homework is set for nor the guardian of one (one or two queries)."""
    if actor.role == Role.GUARDIAN and actor.child is not None:
        student_id, name, editable = actor.child.id, actor.child.name, False
        from cartable.homework.policies import family_reach

        class_ids, group_ids = family_reach(actor).get(student_id, ((), ()))
        if homework.assignment.school_class_id not in class_ids and homework.assignment.group_id not in group_ids:
            raise Http404
    elif is_targeted_student(actor, homework):
        student_id, editable = actor.person_id, True
        name = actor.user.get_full_name() if actor.user is not None else ""
    else:
        raise Http404
    submission = _submissions().filter(homework=homework, student_id=student_id).first()
    is_open, late = submission_window(homework)
    returned = submission is not None and hasattr(submission, "feedback")
    return StudentView(
        homework=homework,
        student_id=student_id,
        student_name=name,
        submission=submission,
        can_submit=editable and is_open and not returned,
        is_open=is_open,
        would_be_late=late,
    )


@dataclass
class Row:
    student: User
    submission: Submission | None = None

    @property
    def state(self) -> str:
        if self.submission is None:
            return "missing"
        return "late" if self.submission.is_late else "submitted"

    @property
    def feedback(self) -> Feedback | None:
        return getattr(self.submission, "feedback", None) if self.submission else None

    @property
    def mark(self) -> str:
        return mark_text(self.feedback)


@dataclass
class ClassView:
    homework: Homework
    rows: list[Row]
    counts: dict[str, int] = field(default_factory=dict)


def students_of(homework: Homework) -> list[User]:
    """The students the homework is set for now: its class's, or its group's (one query)."""
    assignment = homework.assignment
    if assignment.school_class_id:
        links = Enrolment.objects.filter(school_class_id=assignment.school_class_id)
    else:
        links = GroupMembership.objects.filter(group_id=assignment.group_id)
    ids = current(links).values("student_id")
    return list(User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "id"))


def class_view(actor: Actor, homework: Homework) -> ClassView:
    """Every targeted student with their submission, files and feedback (three queries); students who left
    the class but handed in are listed too. 404 unless the actor sees all submissions of the homework."""
    if not can_see_all(actor, homework):
        raise Http404
    students = students_of(homework)
    submissions = {s.student_id: s for s in _submissions().filter(homework=homework).select_related("student")}
    rows = [Row(student=s, submission=submissions.pop(s.pk, None)) for s in students]
    rows += [Row(student=s.student, submission=s) for s in submissions.values()]
    counts = {"submitted": 0, "late": 0, "missing": 0}
    for row in rows:
        counts[row.state] += 1
    return ClassView(homework=homework, rows=rows, counts=counts)


def submission_for_feedback(actor: Actor, submission_id) -> Submission:
    """A submission the actor may return feedback on, with its homework, files and feedback (two queries)."""
    qs = _submissions().select_related("student", *(f"homework__{r}" for r in HOMEWORK_RELATED))
    submission = authz.access(actor, qs, submission_id, Action.VIEW)
    if not is_homework_teacher(actor, submission.homework):
        raise Http404
    return submission


def submission_file(actor: Actor, file_id) -> SubmissionFile:
    """A handed-in file the actor may download (one query); 404 otherwise."""
    qs = SubmissionFile.objects.select_related("submission__homework__assignment")
    return authz.access(actor, qs, file_id, Action.VIEW)


def corrected_copy(actor: Actor, feedback_id) -> Feedback:
    """A feedback whose corrected copy the actor may download (one query); 404 otherwise."""
    qs = Feedback.objects.select_related("submission__homework__assignment")
    feedback = authz.access(actor, qs, feedback_id, Action.VIEW)
    if not feedback.corrected_file:
        raise Http404
    return feedback


def _safe(part: str) -> str:
    cleaned = "".join("_" if c in '/\\:*?"<>|' or ord(c) < 32 else c for c in part).strip(" .")
    return cleaned or "_"


def build_zip(view: ClassView) -> IO[bytes]:
    """Write every handed-in file (and typed answer) of the class into one zip on a temporary file, entries
    named ``Nom Prénom/fichier``; memory stays bounded whatever the files' size. Returns the open file."""
    import zipfile

    spool = tempfile.TemporaryFile()  # noqa: SIM115  (returned open, closed by the response)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        for row in view.rows:
            submission = row.submission
            if submission is None:
                continue
            folder = _safe(f"{row.student.last_name} {row.student.first_name}")
            used: set[str] = set()

            def entry(name: str, folder=folder, used=used) -> str:
                name = _safe(name)
                stem, dot, ext = name.rpartition(".")
                candidate, n = name, 1
                while candidate.lower() in used:
                    n += 1
                    candidate = f"{stem} ({n}).{ext}" if dot else f"{name} ({n})"
                used.add(candidate.lower())
                return f"{folder}/{candidate}"

            if submission.text:
                archive.writestr(entry(_("reponse") + ".txt"), submission.text.encode())
            for stored in submission.files.all():
                try:
                    source = stored.file.open("rb")
                except OSError:
                    continue
                with source, archive.open(entry(stored.original_name), "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, 64 * 1024)
    spool.seek(0)
    return spool


# --- the teacher's dashboard: copies to correct ------------------------------------------------------------
TO_CORRECT_SIZE = 8


def to_correct(actor: Actor) -> list[Homework]:
    """The homework of the active establishment whose teacher (assignment's teacher or author) the actor is,
    with hand-ins received and no feedback returned yet: ``waiting`` (how many) and ``late`` (how many of
    them late) on each, the oldest deadline first. One query."""
    if actor.user_id is None:
        return []
    waiting = Q(submissions__feedback__isnull=True)
    return list(
        Homework.objects.filter(
            Q(assignment__teacher_id=actor.user_id) | Q(author_id=actor.user_id),
            establishment_id=actor.establishment_id,
            accepts_submissions=True,
        )
        .annotate(
            waiting=Count("submissions", filter=waiting),
            late=Count("submissions", filter=waiting & Q(submissions__is_late=True)),
        )
        .filter(waiting__gt=0)
        .select_related(*HOMEWORK_RELATED)
        .order_by("submission_deadline", "id")[:TO_CORRECT_SIZE]
    )
