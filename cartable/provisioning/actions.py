"""Provisioning's writes: an AAF import, or an establishment's SIECLE and STS-web exports (the run recorded,
its plan written in one transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure, uploads
from cartable.core.authz import Action
from cartable.directory import actions as directory_actions
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    ExternalIdentifier,
    Group,
    GroupMembership,
    Guardianship,
    Membership,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    User,
)
from cartable.privacy.models import limited_people
from cartable.provisioning import letters, queries
from cartable.provisioning.aaf import plan as aaf_plan
from cartable.provisioning.aaf import sources as aaf_sources
from cartable.provisioning.aaf.parser import AafError
from cartable.provisioning.aaf.reading import AafSet, read_set
from cartable.provisioning.aaf.sources import Source
from cartable.provisioning.models import (
    KINDS,
    OUTCOMES,
    ContactDetails,
    FedEstablishment,
    FunctionRole,
    ImportRun,
    ImportUpload,
    LeaverPurge,
    LetterBatch,
    LocalFeed,
)
from cartable.provisioning.siecle import reading as siecle_reading

# The order rows are created in: each list's foreign keys point to rows of the lists before it.
CREATION_ORDER: list[type[models.Model]] = [
    FedEstablishment,
    LocalFeed,
    User,
    ExternalIdentifier,
    ContactDetails,
    SchoolYear,
    Subject,
    SchoolClass,
    Group,
    Membership,
    Enrolment,
    GroupMembership,
    TeachingAssignment,
    Guardianship,
]
UPDATE_ORDER: list[type[models.Model]] = [*CREATION_ORDER]


def _issues(errors: list[AafError]) -> list[dict]:
    return [e.as_dict() for e in errors]


def _counts(plan: aaf_plan.Plan) -> dict:
    return {k: {o: plan.counts[k][o] for o in OUTCOMES} for k in KINDS}


def import_aaf(
    *, actor: Actor | None, sources: list[Source], dry_run: bool = False, run: ImportRun | None = None
) -> tuple[ImportRun, aaf_plan.Plan]:
    """Import an AAF set (complete or delta): read every file, compute the difference, and unless
    ``dry_run`` (or an error anywhere) write it in one transaction. The run is recorded either way; a
    ``run`` already requested (an upload) is the one filled, its progress updated as files are read."""
    return _import(actor=actor, sources=sources, dry_run=dry_run, run=run, read=read_set)


def import_exports(
    *,
    actor: Actor | None,
    sources: list[Source],
    feed: str | None,
    uai: str = "",
    dry_run: bool = False,
    run: ImportRun | None = None,
) -> tuple[ImportRun, aaf_plan.Plan]:
    """Import an establishment's own exports, where AAF does not feed it: SIECLE (``feed="siecle"``:
    students, guardians) or STS-web (``"sts"``: teachers, services), or whichever the files are (``None``).
    The same guarantees as an AAF set: one transaction, the run recorded, a bad file refuses the set."""

    def read(found: list[Source], on_file: Callable[[int], None] | None = None) -> AafSet:
        return siecle_reading.read_set(found, feed=feed, uai=uai, on_file=on_file)

    return _import(actor=actor, sources=sources, dry_run=dry_run, run=run, read=read)


def import_any(
    *, actor: Actor | None, sources: list[Source], dry_run: bool = False, run: ImportRun | None = None
) -> tuple[ImportRun, aaf_plan.Plan]:
    """Import a set recognised by its content (the upload page): SIECLE or STS-web exports by their root
    element, anything else as an AAF set (whose reader says what is wrong with it)."""
    roots = {siecle_reading.root_of(source) for source in sources}
    if roots & set(siecle_reading.FEED_OF):
        return import_exports(actor=actor, sources=sources, feed=None, dry_run=dry_run, run=run)
    return import_aaf(actor=actor, sources=sources, dry_run=dry_run, run=run)


def _import(
    *,
    actor: Actor | None,
    sources: list[Source],
    dry_run: bool,
    run: ImportRun | None,
    read: Callable[..., AafSet],
) -> tuple[ImportRun, aaf_plan.Plan]:
    if actor is not None:
        authz.require(actor, "provisioning.import", None)
    if run is None:
        run = ImportRun.objects.create(requested_by_id=getattr(actor, "user_id", None), dry_run=dry_run)
    total = len(sources) + 2  # every file, then the difference, then the writing
    ImportRun.objects.filter(pk=run.pk).update(total=total, done=0)

    def progress(done: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(done=done)

    try:
        aaf = read(sources, on_file=progress)
        plan = aaf_plan.build(aaf)
    except AafError as error:  # a problem before any file could be read (an archive refused whole)
        aaf = AafSet()
        aaf.errors = [error]
        plan = aaf_plan.Plan(aaf)
    progress(total - 1)
    run.total, run.done = total, total
    run.files = aaf.files
    if aaf.feed != "aaf":
        run.source_kind = ImportRun.SourceKind(aaf.feed)
    else:
        run.source_kind = ImportRun.SourceKind.AAF_DELTA if aaf.delta else ImportRun.SourceKind.AAF_COMPLETE
    run.warnings = _issues(aaf.warnings)
    run.errors = _issues(aaf.errors)
    run.counts = _counts(plan)
    if not plan.ok:
        run.outcome = ImportRun.Outcome.REFUSED
    elif dry_run:
        run.outcome = ImportRun.Outcome.DRY_RUN
    else:
        try:
            _write(actor=actor, plan=plan, run=run)
        except Exception as error:  # the run says why it failed, then the error goes on to the caller
            run.outcome = ImportRun.Outcome.REFUSED
            run.errors = [{"file": "", "line": 0, "message": f"{type(error).__name__}: {error}"}]
            run.finished_at = timezone.now()
            run.save()
            raise
        run.outcome = ImportRun.Outcome.APPLIED
    run.finished_at = timezone.now()
    run.save()
    return run, plan


@transaction.atomic
def request_import(*, actor: Actor, files: list[UploadedFile], dry_run: bool) -> ImportRun:
    """The regional administrator's upload: the files kept for the worker, the run queued (pending).
    Their content is checked by the import itself (streamed, measured, archives inspected): the generic
    upload rules, which refuse XML as markup, do not apply to a directory feed."""
    authz.require(actor, "provisioning.import", None)
    run = ImportRun.objects.create(requested_by_id=actor.user_id, dry_run=dry_run, outcome=ImportRun.Outcome.PENDING)
    for uploaded in files:
        name = PurePosixPath(uploaded.name or "fichier").name[:200]
        stored = default_storage.save(f"provisioning/{uuid.uuid4().hex}", uploaded)
        ImportUpload.objects.create(run=run, name=name, file=stored)
    audit.record(
        actor=actor,
        verb="provisioning.request_import",
        target=run,
        after={"files": [PurePosixPath(f.name or "").name for f in files], "dry_run": dry_run},
    )

    def enqueue() -> None:
        from cartable.provisioning.tasks import run_import

        run_import.enqueue(run.pk)

    transaction.on_commit(enqueue)
    return run


def run_requested(run_id: int) -> ImportRun:
    """Make a requested run (the worker's task): claimed once, imported as its requester, its uploaded
    files deleted afterwards whatever the outcome."""
    claimed = ImportRun.objects.filter(pk=run_id, outcome=ImportRun.Outcome.PENDING).update(
        outcome=ImportRun.Outcome.RUNNING
    )
    run = ImportRun.objects.select_related("requested_by").get(pk=run_id)
    if not claimed:
        return run
    uploads = list(run.uploads.all())
    actor = Actor(run.requested_by) if run.requested_by else None
    try:
        found = aaf_sources.from_uploads([(u.name, u.file.open("rb").read()) for u in uploads])
        run, _plan = import_any(actor=actor, sources=found, dry_run=run.dry_run, run=run)
    except AafError as error:
        run.outcome = ImportRun.Outcome.REFUSED
        run.errors = [error.as_dict()]
        run.finished_at = timezone.now()
        run.save()
    finally:
        for upload in uploads:
            upload.file.delete(save=False)
        ImportUpload.objects.filter(run_id=run_id).delete()
    return run


@transaction.atomic
def _write(*, actor: Actor | None, plan: aaf_plan.Plan, run: ImportRun) -> None:
    """Write a plan: new establishments opened through the directory (their apps' set-ups run), then every
    other row in bulk, each audited with the run's id; all or nothing."""
    note = {"import_run": run.pk}
    for academy in plan.creates.get(Academy, []):
        academy.save()
    for establishment in plan.new_establishments:
        establishment.academy_id = establishment.academy.pk
        directory_actions.open_establishment(actor=actor, establishment=establishment)
    establishment_updates = [u for u in plan.updates.items() if u[0].__name__ == "Establishment"]
    directory_actions.write_in_bulk(
        actor=actor,
        verb=f"provisioning.{plan.feed}",
        creates=[plan.creates.get(model, []) for model in CREATION_ORDER],
        updates=establishment_updates + [(m, plan.updates.get(m, [])) for m in UPDATE_ORDER],
        removals=list(plan.removals),
        note=note,
    )
    through = Group.classes.through
    links = [through(group_id=g.pk, schoolclass_id=c.pk) for g, classes in plan.group_classes for c in classes]
    through.objects.bulk_create(links, ignore_conflicts=True)
    _close_sessions_of_leavers(actor=actor, plan=plan, run=run)
    audit.record(
        actor=actor,
        verb="provisioning.import",
        target=run,
        after={"files": run.files, "counts": run.counts, "dry_run": run.dry_run},
    )


def _close_sessions_of_leavers(*, actor: Actor | None, plan: aaf_plan.Plan, run: ImportRun) -> int:
    """Whoever this plan ended a membership of and holds no current one any more loses access at once: their
    open sessions end (two queries, then the accounts app's action). Returns how many sessions ended."""
    from cartable.accounts.actions import end_sessions_of

    rows = [cast(Membership, row) for row, _values in plan.updates.get(Membership, [])]
    ended = {row.person_id for row in rows if row.end_date is not None and row.end_date < plan.today}
    if not ended:
        return 0
    still = set(current(Membership.objects.filter(person_id__in=ended)).values_list("person_id", flat=True))
    return end_sessions_of(actor=actor, user_ids=sorted(ended - still), reason=f"provisioning.import:{run.pk}")


def _delete_letters(model: type[models.Model], user: User) -> int:
    rows = LetterBatch.objects.filter(requested_by=user)
    uploads.delete_after_commit(rows.values_list("file", flat=True))
    return rows.delete()[0]


ERASURE: dict[type[models.Model], erasure.Rule] = {
    ImportRun: erasure.unlink("requested_by"),
    LetterBatch: _delete_letters,
    ContactDetails: erasure.delete("person"),
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[models.Model], actor: Actor | None = None) -> int:
    """Erase what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="provisioning", rules=ERASURE, user=user, model=model, actor=actor)


FUNCTION_FIELDS = ("code", "label", "role")


@transaction.atomic
def save_function_role(*, actor: Actor | None, function: FunctionRole) -> FunctionRole:
    """Add or change an AAF function code's role (the next import uses it); audited with before and after."""
    if actor is not None:
        authz.require(actor, "provisioning.import", None)
    stored = FunctionRole.objects.filter(pk=function.pk).first() if function.pk else None
    before = audit.snapshot(stored, FUNCTION_FIELDS) if stored else None
    function.save()
    audit.record(
        actor=actor,
        verb="provisioning.save_function_role",
        target=function,
        before=before,
        after=audit.snapshot(function, FUNCTION_FIELDS),
    )
    return function


@transaction.atomic
def delete_function_role(*, actor: Actor | None, function: FunctionRole) -> None:
    """Remove a function code (its people then get a warning, not a role, at the next import)."""
    if actor is not None:
        authz.require(actor, "provisioning.import", None)
    audit.record(
        actor=actor,
        verb="provisioning.delete_function_role",
        target=function,
        before=audit.snapshot(function, FUNCTION_FIELDS),
    )
    function.delete()


LETTER_CODE_DAYS = 30  # how long a printed activation code stays valid


LETTERS_KEPT = timedelta(days=1)  # the PDF holds codes in clear: kept a day for its requester, then deleted
LETTERS_FOLDER = "provisioning/letters"


@transaction.atomic
def request_letters(*, actor: Actor, school_class: SchoolClass) -> LetterBatch:
    """Queue a class's activation letters (the worker builds them): audited; the page follows its progress.

    A batch of the same class the actor already asked for and still under way is returned instead."""
    establishment = school_class.establishment
    authz.require(actor, "provisioning.print_letters", establishment)
    under_way = (
        LetterBatch.objects.select_for_update()
        .filter(
            requested_by_id=actor.user_id,
            school_class=school_class,
            status__in=[LetterBatch.Status.PENDING, LetterBatch.Status.RUNNING],
        )
        .first()
    )
    if under_way is not None:
        return under_way
    batch = LetterBatch.objects.create(
        establishment=establishment,
        school_class=school_class,
        requested_by_id=actor.user_id,
        expires_at=timezone.now() + LETTERS_KEPT,
    )
    audit.record(actor=actor, verb="provisioning.request_letters", target=batch, establishment_id=establishment.pk)

    def enqueue() -> None:
        from cartable.provisioning.tasks import build_letters as task

        task.enqueue(batch.pk)

    transaction.on_commit(enqueue)
    return batch


def build_letters(batch_id: int) -> LetterBatch:
    """Build a queued batch (the worker's task): a new code for each student and legal guardian of the class
    who has not activated their account (their earlier codes stop working), then the PDF, one page each, its
    progress moving page by page; the batch's earlier PDFs of the same class are deleted, their codes being
    dead. Audited: who printed which class's letters, for whom (never the codes, in clear only in the PDF).
    Should the PDF fail, the batch says so and a new request gives everyone new codes again."""
    claimed = LetterBatch.objects.filter(pk=batch_id, status=LetterBatch.Status.PENDING).update(
        status=LetterBatch.Status.RUNNING
    )
    batch = LetterBatch.objects.select_related("school_class__establishment", "requested_by").get(pk=batch_id)
    if not claimed:
        return batch
    stored = ""
    try:
        pages = _issue_letter_codes(batch)

        def step(done: int) -> None:
            LetterBatch.objects.filter(pk=batch.pk).update(done=1 + done)

        school_class = batch.school_class
        pdf = letters.render(
            pages,
            establishment=school_class.establishment.name,
            school_class=school_class.name,
            address=settings.CARTABLE_BASE_URL.rstrip("/") + reverse("accounts:activate"),
            site=settings.CARTABLE_SITE_NAME,
            on_page=step,
        )
        stored = default_storage.save(f"{LETTERS_FOLDER}/{batch.pk}-{uuid.uuid4().hex}.pdf", ContentFile(pdf))
        with transaction.atomic():
            older = LetterBatch.objects.filter(school_class=school_class, pk__lt=batch.pk).exclude(file="")
            uploads.delete_after_commit(list(older.values_list("file", flat=True)))
            older.update(file="")
            LetterBatch.objects.filter(pk=batch.pk).update(
                status=LetterBatch.Status.DONE, file=stored, done=F("total"), finished_at=timezone.now()
            )
    except Exception as error:
        uploads.delete_stored(stored)
        LetterBatch.objects.filter(pk=batch.pk).update(
            status=LetterBatch.Status.FAILED, finished_at=timezone.now(), error=str(error)[:500]
        )
        raise
    batch.refresh_from_db()
    return batch


@transaction.atomic
def _issue_letter_codes(batch: LetterBatch) -> list[letters.Letter]:
    """The new codes of a batch's people, one transaction with the audit row; the total set for the bar."""
    from cartable.accounts.actions import issue_activation_code

    school_class = batch.school_class
    actor = Actor(batch.requested_by)
    authz.require(actor, "provisioning.print_letters", school_class.establishment)
    expires = timezone.localdate(timezone.now() + timedelta(days=LETTER_CODE_DAYS))
    addressees = queries.letter_addressees(school_class)
    LetterBatch.objects.filter(pk=batch.pk).update(total=len(addressees) + 1, done=1)
    pages = [
        letters.Letter(
            name=addressee.person.display_name,
            school_class=school_class.name,
            login=addressee.person.username,
            code=issue_activation_code(actor=actor, user=addressee.person, valid_days=LETTER_CODE_DAYS),
            expires=expires,
            children=[child.display_name for child in addressee.children],
        )
        for addressee in addressees
    ]
    audit.record(
        actor=actor,
        verb="provisioning.print_letters",
        target=school_class,
        establishment_id=school_class.establishment_id,
        after={"people": [a.person.pk for a in addressees], "expires": expires.isoformat(), "batch": batch.pk},
    )
    return pages


@transaction.atomic
def download_letters(*, actor: Actor, batch: LetterBatch) -> LetterBatch:
    """Record that the requester downloads a batch's PDF (the view then sends the file)."""
    authz.require(actor, Action.VIEW, batch)
    audit.record(
        actor=actor, verb="provisioning.download_letters", target=batch, establishment_id=batch.establishment_id
    )
    return batch


@transaction.atomic
def purge_expired_letters(*, now: datetime | None = None) -> int:
    """Delete the batches past their day, and their PDFs once the deletion commits."""
    expired = LetterBatch.objects.filter(expires_at__lte=now or timezone.now())
    names = [name for name in expired.values_list("file", flat=True) if name]
    count = expired.delete()[0]
    uploads.delete_after_commit(names)
    if count:
        audit.record(actor=None, verb="provisioning.purge_letters", after={"deleted": count})
    return count


# --- leaving: the purge three months after the last entitlement (arrêté du 30 novembre 2006, art. 6) -------
PURGE_BATCH = 200


def purge_leavers(*, now: datetime | None = None) -> LeaverPurge:
    """The daily job: erase every account whose last membership ended three months ago and that holds none
    current (``privacy.retention.expired_accounts``), each through ``privacy.actions.erase_person`` in its own
    transaction, audited with this run's number. A person still entitled anywhere (a student moving within
    the region keeps the same account) is not a leaver; a person whose processing is limited is kept and
    counted (the privacy centre's rule). A failed erasure is rolled back, noted, and tried again by the next
    run, which also marks a run killed before its end as interrupted. A rerun finds nothing to do."""
    from cartable.privacy import retention
    from cartable.privacy.actions import erase_person

    now = now or timezone.now()
    LeaverPurge.objects.filter(outcome=LeaverPurge.Outcome.RUNNING).update(
        outcome=LeaverPurge.Outcome.STOPPED, finished_at=now
    )
    due = retention.expired_accounts(now)
    run = LeaverPurge.objects.create(
        cutoff=retention.account_cutoff(timezone.localdate(now)),
        due=due.count(),
        limited=retention.leavers(now).filter(pk__in=limited_people()).count(),
    )
    reason = _("Départ depuis trois mois (arrêté du 30 novembre 2006, art. 6) — purge n° %(run)s") % {"run": run.pk}
    last = 0
    while people := list(due.filter(pk__gt=last).order_by("pk")[:PURGE_BATCH]):
        for person in people:
            try:
                erase_person(actor=None, person=person, reason=reason)
            except Exception as error:  # rolled back whole: this person waits for the next run
                run.errors.append({"person": person.pk, "message": f"{type(error).__name__}: {error}"[:300]})
            else:
                run.erased += 1
            LeaverPurge.objects.filter(pk=run.pk).update(erased=run.erased, errors=run.errors)
        last = people[-1].pk
    run.outcome = LeaverPurge.Outcome.PARTIAL if run.errors else LeaverPurge.Outcome.DONE
    run.finished_at = timezone.now()
    with transaction.atomic():
        run.save()
        audit.record(
            actor=None,
            verb="provisioning.purge_leavers",
            target=run,
            after={
                "cutoff": run.cutoff.isoformat(),
                "erased": run.erased,
                "limited": run.limited,
                "failed": [e["person"] for e in run.errors],
            },
        )
    return run


# --- a new school year --------------------------------------------------------------------------------------
@transaction.atomic
def open_school_year(*, actor: Actor | None, today: date | None = None) -> list[SchoolYear]:
    """Open the next school year in every establishment: its ``SchoolYear`` rows, into which the next import
    creates the classes and groups; last year's enrolments, group memberships and teaching assignments end on
    its last day (its classes, logs, grades and report cards stay, as their retention rules say). Audited per
    establishment with what was ended. Refused (``ValidationError``) when the next year is already open."""
    if actor is not None:
        authz.require(actor, "provisioning.import", None)
    today = today or timezone.localdate()
    upcoming = queries.next_school_year(today)
    if upcoming is None:
        raise ValidationError(_("L'année scolaire suivante est déjà ouverte."))
    label, start, end = upcoming
    have = set(SchoolYear.objects.filter(label=label).values_list("establishment_id", flat=True))
    previous = {
        year.establishment_id: year for year in SchoolYear.objects.filter(end_date__lt=start).order_by("start_date")
    }  # each establishment's latest year before the new one (the last one wins)
    opened = SchoolYear.objects.bulk_create(
        [
            SchoolYear(establishment_id=pk, label=label, start_date=start, end_date=end)
            for pk in Establishment.objects.exclude(pk__in=have).values_list("pk", flat=True)
        ]
    )
    for year in previous.values():
        ended = _end_school_year(year)
        audit.record(
            actor=actor,
            verb="provisioning.open_school_year",
            target=year,
            establishment_id=year.establishment_id,
            after={"opened": label, "ended_on": year.end_date.isoformat(), **ended},
        )
    audit.record(
        actor=actor, verb="provisioning.open_school_year", after={"label": label, "establishments": len(opened)}
    )
    return opened


def _end_school_year(year: SchoolYear) -> dict[str, int]:
    """End on the year's last day every row of its classes and groups still running past it (three updates)."""
    running = Q(end_date__isnull=True) | Q(end_date__gt=year.end_date)
    in_year = {"establishment_id": year.establishment_id}
    return {
        "enrolments": Enrolment.objects.filter(running, **in_year, school_class__school_year=year).update(
            end_date=year.end_date
        ),
        "group_memberships": GroupMembership.objects.filter(running, **in_year, group__school_year=year).update(
            end_date=year.end_date
        ),
        "teaching": TeachingAssignment.objects.filter(running, **in_year)
        .filter(Q(school_class__school_year=year) | Q(group__school_year=year))
        .update(end_date=year.end_date),
    }
