"""Writes of online submission: a student hands in or replaces their work; the teacher returns feedback.

Files arrive already checked (``cartable.core.uploads.CheckedFile``); the actions store them under
generated names, and remove replaced files only once the transaction has committed. When the transaction
fails, the files it stored are removed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, uploads
from cartable.core.authz import Action
from cartable.core.notify import notify
from cartable.directory.actor import Actor
from cartable.directory.queries import guardians_of_students
from cartable.homework.models import Feedback, Homework, Submission, SubmissionFile
from cartable.homework.submissions.policies import is_homework_teacher, is_targeted_student

MAX_FILES = 10
SUBMISSION_FOLDER = "submissions/%Y/%m"
FEEDBACK_FOLDER = "feedback/%Y/%m"


def submission_window(homework: Homework, *, now=None) -> tuple[bool, bool]:
    """(open, late): whether a hand-in is accepted now, and whether it would be late."""
    now = now or timezone.now()
    if not homework.accepts_submissions or homework.published_at > now:
        return False, False
    late = homework.submission_deadline is not None and now > homework.submission_deadline
    if late and homework.late_policy == Homework.LatePolicy.REFUSE:
        return False, True
    return True, late


class _Stored:
    """The files stored during one action, removed again if its transaction does not commit."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def __enter__(self) -> _Stored:
        return self

    def store(self, checked: uploads.CheckedFile, folder: str) -> str:
        name = uploads.store(checked, folder=folder)
        self.names.append(name)
        return name

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            for name in self.names:
                uploads.delete_stored(name)


def submit_work(
    *,
    actor: Actor,
    homework: Homework,
    text: str,
    files: Sequence[uploads.CheckedFile] = (),
    remove_file_ids: Iterable[int] = (),
) -> Submission:
    """Hand in (or replace) the actor's work for a homework.

    New files replace all the earlier ones; without new files, the earlier ones stay except those in
    ``remove_file_ids``. Refused (``ValidationError``, in French) when the homework takes no submissions,
    after a refusing deadline, once feedback is returned, or when nothing would be handed in;
    ``PermissionDenied`` when the actor is not a student the homework is set for.
    """
    if not authz.allows(actor, Action.VIEW, homework) or not is_targeted_student(actor, homework):
        raise PermissionDenied
    now = timezone.now()
    is_open, late = submission_window(homework, now=now)
    if not homework.accepts_submissions:
        raise ValidationError(_("Ce devoir ne se rend pas en ligne."))
    if not is_open:
        raise ValidationError(_("La date limite de dépôt est passée : ce devoir n'accepte plus de dépôt."))
    if len(files) > MAX_FILES:
        raise ValidationError(_("Déposez au plus %(n)s fichiers.") % {"n": MAX_FILES})
    text = text.strip()
    with _Stored() as stored, transaction.atomic():
        submission = (
            Submission.objects.select_for_update(of=("self",))
            .filter(homework=homework, student_id=actor.user_id)
            .select_related("feedback")
            .first()
        )
        if submission is not None and hasattr(submission, "feedback"):
            raise ValidationError(_("Ce travail a déjà été corrigé : il ne peut plus être remplacé."))
        old_files = list(submission.files.all()) if submission else []
        if files:
            dropped = old_files
        else:
            wanted = set(remove_file_ids)
            dropped = [f for f in old_files if f.pk in wanted]
        if not text and not files and len(dropped) == len(old_files):
            raise ValidationError(_("Votre dépôt est vide : joignez un fichier ou écrivez votre réponse."))
        before = None
        if submission is None:
            submission = Submission.objects.create(
                establishment_id=homework.establishment_id,
                homework=homework,
                student_id=actor.user_id,
                text=text,
                submitted_at=now,
                is_late=late,
            )
            verb = "homework.submission.submit"
        else:
            before = {"revision": submission.revision, "files": [f.original_name for f in old_files]}
            submission.text = text
            submission.submitted_at = now
            submission.is_late = late
            submission.revision += 1
            submission.save(update_fields=["text", "submitted_at", "is_late", "revision"])
            verb = "homework.submission.replace"
        if dropped:
            SubmissionFile.objects.filter(pk__in=[f.pk for f in dropped]).delete()
            uploads.delete_after_commit(f.file.name for f in dropped)
        SubmissionFile.objects.bulk_create(
            [
                SubmissionFile(
                    establishment_id=homework.establishment_id,
                    submission=submission,
                    file=stored.store(checked, SUBMISSION_FOLDER),
                    original_name=checked.original_name,
                    content_type=checked.content_type,
                    size=checked.size,
                )
                for checked in files
            ]
        )
        kept = [f.original_name for f in old_files if f not in dropped]
        audit.record(
            actor=actor,
            verb=verb,
            target=submission,
            subject_id=actor.user_id,
            before=before,
            after={
                "revision": submission.revision,
                "is_late": late,
                "files": kept + [c.original_name for c in files],
                "sha256": [c.sha256 for c in files],
            },
            establishment_id=homework.establishment_id,
        )
    return submission


def return_feedback(
    *,
    actor: Actor,
    submission: Submission,
    text: str,
    mark: Decimal | None = None,
    mark_out_of: int = 20,
    corrected: uploads.CheckedFile | None = None,
    remove_corrected: bool = False,
) -> Feedback:
    """Return (or amend) the teacher's feedback on a submission; notify the student and their guardians."""
    homework = submission.homework
    if not is_homework_teacher(actor, homework) or not authz.allows(actor, Action.VIEW, submission):
        raise PermissionDenied
    text = text.strip()
    if mark is not None and not (0 <= mark <= mark_out_of):
        raise ValidationError(_("La note doit être comprise entre 0 et %(max)s.") % {"max": mark_out_of})
    if not text and mark is None and corrected is None:
        raise ValidationError(_("Le retour est vide : écrivez un commentaire, joignez une correction ou notez."))
    now = timezone.now()
    with _Stored() as stored, transaction.atomic():
        feedback = Feedback.objects.select_for_update().filter(submission=submission).first()
        before = None
        if feedback is None:
            feedback = Feedback(establishment_id=submission.establishment_id, submission=submission)
            verb = "homework.feedback.return"
        else:
            before = {"text": feedback.text, "mark": str(feedback.mark) if feedback.mark is not None else None}
            verb = "homework.feedback.change"
        if corrected is not None or remove_corrected:
            uploads.delete_after_commit([feedback.corrected_file.name])
            feedback.corrected_file = ""
            feedback.corrected_name = ""
        if corrected is not None:
            feedback.corrected_file = stored.store(corrected, FEEDBACK_FOLDER)
            feedback.corrected_name = corrected.original_name
        feedback.text = text
        feedback.mark = mark
        feedback.mark_out_of = mark_out_of
        feedback.author_id = actor.user_id
        feedback.returned_at = now
        feedback.save()
        audit.record(
            actor=actor,
            verb=verb,
            target=feedback,
            subject_id=submission.student_id,
            before=before,
            after={"text": text, "mark": str(mark) if mark is not None else None, "out_of": mark_out_of},
            establishment_id=submission.establishment_id,
        )
        guardians = guardians_of_students([submission.student_id]).get(submission.student_id, [])
        notify(
            recipients=[submission.student_id, *guardians],
            kind="homework.feedback",
            title=_("Travail corrigé : %(title)s") % {"title": homework.title},
            body=_("Le professeur a rendu son retour sur le travail déposé."),
            url=reverse("homework:submissions:student", args=[homework.pk]),
            target=feedback,
            establishment_id=submission.establishment_id,
            about={g: submission.student_id for g in guardians},
        )
    return feedback
