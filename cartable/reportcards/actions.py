"""Writes of the report cards: appreciations, council decisions, generation and publication.

Every write is keyword-only, atomic and audited. A published report card is never changed: generating
again after publication makes a new version (only for the students whose report card would read
differently), and the earlier one is kept, "remplacé".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models as django_models
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure, french, uploads
from cartable.core.authz import Action
from cartable.core.notify import notify
from cartable.directory.actor import Actor, current
from cartable.directory.models import Enrolment, GroupMembership, Period, SchoolClass, Subject, User
from cartable.directory.queries import guardians_of_students
from cartable.reportcards import pdf, queries
from cartable.reportcards.models import (
    MAX_APPRECIATION,
    MAX_DECISION,
    MAX_GENERAL,
    CouncilDecision,
    GeneralAppreciation,
    GenerationRun,
    ReportCard,
    SubjectAppreciation,
)

FOLDER = "reportcards/%Y/%m"
STALE_AFTER = dt.timedelta(minutes=10)  # a run not finished by then is taken for dead (its worker stopped)


class IncompletePublication(ValidationError):
    """Publishing report cards that lack appreciations or decisions, without the direction's confirmation."""

    def __init__(self, missing: queries.Missing) -> None:
        super().__init__(missing.question(), code="incomplete")
        self.missing = missing


def _check_student(school_class: SchoolClass, period: Period, student: User) -> None:
    if period.school_year_id != school_class.school_year_id:
        raise PermissionDenied
    if not current(Enrolment.objects.filter(school_class=school_class, student=student)).exists():
        raise PermissionDenied


def _clean(text: str, limit: int) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ValidationError(
            _("L'appréciation est trop longue : %(n)s caractères au plus.") % {"n": limit}, code="too_long"
        )
    return text


@transaction.atomic
def save_subject_appreciation(
    *, actor: Actor, school_class: SchoolClass, period: Period, subject: Subject, student: User, text: str
) -> SubjectAppreciation:
    """Write (or change) a subject teacher's appreciation of a student for the period."""
    text = _clean(text, MAX_APPRECIATION)
    _check_student(school_class, period, student)
    row = (
        SubjectAppreciation.objects.select_for_update().filter(period=period, student=student, subject=subject).first()
    )
    before = {"text": row.text} if row else None
    if row is None:
        row = SubjectAppreciation(
            establishment_id=school_class.establishment_id,
            period=period,
            school_class=school_class,
            subject=subject,
            student=student,
        )
    row.school_class = school_class
    authz.require(actor, Action.CHANGE, row)
    groups = actor.taught_class_subjects[school_class.pk, subject.pk]
    if (
        groups is not None
        and not current(GroupMembership.objects.filter(group_id__in=groups, student=student)).exists()
    ):
        raise PermissionDenied  # taught through a group the student is not in
    row.text = text
    row.author_id = actor.user_id
    row.save()
    audit.record(
        actor=actor,
        verb="reportcards.subject_appreciation",
        target=row,
        subject_id=student.pk,
        before=before,
        after={"text": text, "subject": subject.code, "period": period.pk},
        establishment_id=school_class.establishment_id,
    )
    return row


@transaction.atomic
def save_general_appreciation(
    *, actor: Actor, school_class: SchoolClass, period: Period, student: User, text: str
) -> GeneralAppreciation:
    """Write (or change) the head teacher's general appreciation of a student for the period."""
    text = _clean(text, MAX_GENERAL)
    _check_student(school_class, period, student)
    row = GeneralAppreciation.objects.select_for_update().filter(period=period, student=student).first()
    before = {"text": row.text} if row else None
    if row is None:
        row = GeneralAppreciation(establishment_id=school_class.establishment_id, period=period, student=student)
    row.school_class = school_class
    authz.require(actor, Action.CHANGE, row)
    row.text = text
    row.author_id = actor.user_id
    row.save()
    audit.record(
        actor=actor,
        verb="reportcards.general_appreciation",
        target=row,
        subject_id=student.pk,
        before=before,
        after={"text": text, "period": period.pk},
        establishment_id=school_class.establishment_id,
    )
    return row


@transaction.atomic
def record_decision(
    *, actor: Actor, school_class: SchoolClass, period: Period, student: User, mention: str, decision: str
) -> CouncilDecision:
    """Record the class council's mention and decision for a student (the direction)."""
    if mention not in CouncilDecision.Mention.values:
        raise ValidationError(_("Choisissez une mention de la liste."), code="mention")
    decision = _clean(decision, MAX_DECISION)
    _check_student(school_class, period, student)
    row = CouncilDecision.objects.select_for_update().filter(period=period, student=student).first()
    before = {"mention": row.mention, "decision": row.decision} if row else None
    if row is None:
        row = CouncilDecision(establishment_id=school_class.establishment_id, period=period, student=student)
    row.school_class = school_class
    authz.require(actor, Action.CHANGE, row)
    row.mention = mention
    row.decision = decision
    row.decided_by_id = actor.user_id
    row.save()
    audit.record(
        actor=actor,
        verb="reportcards.council_decision",
        target=row,
        subject_id=student.pk,
        before=before,
        after={"mention": mention, "decision": decision, "period": period.pk},
        establishment_id=school_class.establishment_id,
    )
    return row


# --- generation -------------------------------------------------------------------------------------------
def request_generation(*, actor: Actor, school_class: SchoolClass, period: Period) -> GenerationRun:
    """Queue the generation of the class's report cards for the period (the direction); returns its run.

    The PDFs are made by a background task; the run's ``done``/``total`` is the page's progress bar.
    """
    authz.require(actor, "reportcards.run_council", school_class)
    if period.school_year_id != school_class.school_year_id:
        raise PermissionDenied
    with transaction.atomic():
        active = (
            GenerationRun.objects.select_for_update()
            .filter(
                establishment_id=school_class.establishment_id,
                school_class=school_class,
                period=period,
                status__in=[GenerationRun.Status.PENDING, GenerationRun.Status.RUNNING],
                created_at__gte=timezone.now() - STALE_AFTER,
            )
            .first()
        )
        if active is not None:
            return active  # one generation of a class at a time: the page follows the one under way
        total = current(Enrolment.objects.filter(school_class=school_class)).count()
        run = GenerationRun.objects.create(
            establishment_id=school_class.establishment_id,
            period=period,
            school_class=school_class,
            requested_by_id=actor.user_id,
            total=total,
        )
        audit.record(
            actor=actor,
            verb="reportcards.request_generation",
            target=run,
            after={"class": school_class.name, "period": period.name, "students": total},
            establishment_id=school_class.establishment_id,
        )

        def enqueue() -> None:
            from cartable.reportcards.tasks import generate_report_cards

            generate_report_cards.enqueue(run.pk)

        transaction.on_commit(enqueue)
    return run


def _store_pdf(content: bytes) -> tuple[str, str]:
    """Store a generated PDF through the uploads conventions (generated name under ``FOLDER``)."""
    checked = uploads.CheckedFile(
        content_type="application/pdf",
        extension="pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        original_name="bulletin.pdf",
        source=ContentFile(content, name="bulletin.pdf"),
    )
    return uploads.store(checked, folder=FOLDER), checked.sha256


def _write_card(run: GenerationRun, student: User, data: dict, digest: str) -> ReportCard | None:
    """Create or refresh one student's report card; None when it would read the same as the latest one."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            latest = (
                ReportCard.objects.select_for_update()
                .filter(period_id=run.period_id, student=student)
                .order_by("-version")
                .first()
            )
            if latest is not None and latest.content_hash == digest and latest.school_class_id == run.school_class_id:
                return None
            if latest is not None and latest.published_at is None:
                card = latest  # a draft: refreshed in place
                old_name = card.file.name
                version = card.version
                uploads.delete_after_commit([old_name])
            else:
                version = latest.version + 1 if latest else 1
                card = ReportCard(
                    establishment_id=run.establishment_id,
                    period_id=run.period_id,
                    student=student,
                    version=version,
                )
            content = pdf.render(data, version=version, replaces=version - 1 if version > 1 else None)
            name, sha = _store_pdf(content)
            stored.append(name)
            card.school_class_id = run.school_class_id
            card.data = data
            card.content_hash = digest
            card.file.name = name
            card.size = len(content)
            card.sha256 = sha
            card.generated_at = timezone.now()
            card.generated_by_id = run.requested_by_id
            card.save()
            return card
    except Exception:
        for name in stored:
            uploads.delete_stored(name)
        raise


def generate_run(run_id: int) -> GenerationRun:
    """Generate the report cards of a run, one student after the other, updating its progress as it goes.

    Each student's card is written in its own transaction, so the progress bar moves while the task runs.
    """
    claimed = GenerationRun.objects.filter(pk=run_id, status=GenerationRun.Status.PENDING).update(
        status=GenerationRun.Status.RUNNING, started_at=timezone.now()
    )
    run = GenerationRun.objects.select_related(
        "school_class__establishment", "school_class__school_year", "period"
    ).get(pk=run_id)
    if not claimed:
        return run
    school_class = SchoolClass.objects.select_related("establishment", "school_year", "head_teacher").get(
        pk=run.school_class_id
    )
    try:
        students = queries.students_of(school_class)
        if len(students) != run.total:
            GenerationRun.objects.filter(pk=run.pk).update(total=len(students))
        contents = queries.card_contents(school_class, run.period, students)
        written: dict[str, int] = {}
        for student in students:
            data = contents[student.pk]
            card = _write_card(run, student, data, queries.content_hash(data))
            if card is not None:
                written[str(student.pk)] = card.version
            GenerationRun.objects.filter(pk=run.pk).update(done=F("done") + 1)
        with transaction.atomic():
            GenerationRun.objects.filter(pk=run.pk).update(
                status=GenerationRun.Status.DONE, finished_at=timezone.now(), created=len(written)
            )
            audit.record(
                actor=SimpleNamespace(
                    user_id=run.requested_by_id, establishment_id=run.establishment_id, ip_address=None
                ),
                verb="reportcards.generate",
                target=run,
                after={"students": len(students), "written": written},
                establishment_id=run.establishment_id,
            )
    except Exception as exc:
        GenerationRun.objects.filter(pk=run.pk).update(
            status=GenerationRun.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:500]
        )
        raise
    run.refresh_from_db()
    return run


# --- publication ------------------------------------------------------------------------------------------
def _announce(cards: list[ReportCard], channels: tuple[str, ...] | None = None) -> None:
    """Tell each student and their guardians that a report card is published (inside the transaction)."""
    guardians = guardians_of_students([c.student_id for c in cards])
    for card in cards:
        url = reverse("reportcards:card", args=[card.pk])
        if card.version > 1:
            title = _("Bulletin du %(period)s corrigé : version %(version)s") % {
                "period": card.period.name,
                "version": card.version,
            }
            body = _("Une nouvelle version du bulletin %(name)s est disponible ; elle remplace la précédente.") % {
                "name": french.de(card.student.first_name)
            }
        else:
            title = _("Bulletin du %(period)s publié") % {"period": card.period.name}
            body = _("Le bulletin %(name)s est disponible.") % {"name": french.de(card.student.first_name)}
        notify(
            recipients=[card.student_id],
            kind="reportcards.published",
            title=title,
            body=body,
            url=url,
            target=card,
            establishment_id=card.establishment_id,
            channels=channels,
        )
        if guardians.get(card.student_id):
            notify(
                recipients=guardians[card.student_id],
                kind="reportcards.published",
                title=title,
                body=body,
                url=url,
                target=card,
                establishment_id=card.establishment_id,
                about=card.student_id,
                channels=channels,
            )


def publish_class(
    *,
    actor: Actor,
    school_class: SchoolClass,
    period: Period,
    publish_at: dt.datetime | None = None,
    channels: tuple[str, ...] | None = None,
    confirm_missing: bool = False,
    expected_missing: int | None = None,
) -> list[ReportCard]:
    """Publish the class's unpublished report cards (their latest versions) to families at ``publish_at``
    (now by default). From then on they never change. Families are told at once when the date has come
    (on ``channels``, the kind's default ones unless given), otherwise by the periodic job when it comes.

    When the cards lack appreciations or council decisions, nothing is published (``IncompletePublication``,
    with the list) unless ``confirm_missing``; with ``expected_missing`` (the count the direction was shown),
    only if that many are still missing."""
    authz.require(actor, "reportcards.run_council", school_class)
    now = timezone.now()
    publish_at = publish_at or now
    with transaction.atomic():
        drafts = list(
            ReportCard.objects.select_for_update(of=("self",))
            .filter(
                establishment_id=school_class.establishment_id,
                school_class=school_class,
                period=period,
                published_at__isnull=True,
            )
            .select_related("student", "period")
        )
        if not drafts:
            raise ValidationError(_("Aucun bulletin à publier : produisez d'abord les bulletins de la classe."))
        newer = set(
            ReportCard.objects.filter(Q(period=period) & Q(student_id__in=[d.student_id for d in drafts])).values_list(
                "student_id", "version"
            )
        )
        cards = [d for d in drafts if not any(s == d.student_id and v > d.version for s, v in newer)]
        missing = queries.missing_in(cards)
        if missing.total and not (confirm_missing and (expected_missing is None or expected_missing == missing.total)):
            raise IncompletePublication(missing)
        ids = [c.pk for c in cards]
        notified = now if publish_at <= now else None
        ReportCard.objects.filter(pk__in=ids).update(
            published_at=publish_at, published_by_id=actor.user_id, notified_at=notified
        )
        for card in cards:
            card.published_at = publish_at
        audit.record(
            actor=actor,
            verb="reportcards.publish",
            target=school_class,
            after={
                "period": period.pk,
                "publish_at": publish_at.isoformat(),
                "cards": {str(c.student_id): c.version for c in cards},
                "missing": {"appreciations": missing.appreciations, "decisions": missing.decisions},
            },
            establishment_id=school_class.establishment_id,
        )
        if notified:
            _announce(cards, channels)
    return cards


def announce_due() -> int:
    """Tell families of the report cards whose publication date has come since the last run."""
    now = timezone.now()
    with transaction.atomic():
        cards = list(
            ReportCard.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(published_at__lte=now, notified_at__isnull=True)
            .select_related("student", "period")
            .defer("data")[:500]
        )
        if not cards:
            return 0
        ReportCard.objects.filter(pk__in=[c.pk for c in cards]).update(notified_at=now)
        _announce(cards)
    return len(cards)


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
# Imports here rather than at the top, so that this block merges as one piece.


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    SubjectAppreciation: erasure.delete("student"),
    GeneralAppreciation: erasure.delete("student"),
    CouncilDecision: erasure.delete("student"),
    ReportCard: erasure.delete("student"),
    GenerationRun: erasure.unlink("requested_by"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="reportcards", rules=ERASURE, user=user, model=model, actor=actor)
