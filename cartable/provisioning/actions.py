"""Provisioning's writes: an AAF import, or an establishment's SIECLE and STS-web exports (the run recorded,
its plan written in one transaction)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import PurePosixPath
from typing import cast

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from cartable.core import audit, authz, erasure
from cartable.directory import actions as directory_actions
from cartable.directory.actor import Actor, current
from cartable.directory.models import (
    Academy,
    Enrolment,
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


ERASURE: dict[type[models.Model], erasure.Rule] = {
    ImportRun: erasure.unlink("requested_by"),
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


@transaction.atomic
def print_activation_letters(*, actor: Actor, school_class: SchoolClass) -> bytes:
    """The PDF of a class's activation letters: a new code for each of its students and legal guardians who
    have not activated their account (their earlier codes stop working), one page each. Audited: who printed
    which class's letters, for whom (never the codes, which exist in clear only in the PDF)."""
    from cartable.accounts.actions import issue_activation_code

    establishment = school_class.establishment
    authz.require(actor, "provisioning.print_letters", establishment)
    expires = timezone.localdate(timezone.now() + timedelta(days=LETTER_CODE_DAYS))
    pages = []
    addressees = queries.letter_addressees(school_class)
    for addressee in addressees:
        person = addressee.person
        pages.append(
            letters.Letter(
                name=person.display_name,
                school_class=school_class.name,
                login=person.username,
                code=issue_activation_code(actor=actor, user=person, valid_days=LETTER_CODE_DAYS),
                expires=expires,
                children=[child.display_name for child in addressee.children],
            )
        )
    audit.record(
        actor=actor,
        verb="provisioning.print_letters",
        target=school_class,
        establishment_id=establishment.pk,
        after={"people": [a.person.pk for a in addressees], "expires": expires.isoformat()},
    )
    return letters.render(
        pages,
        establishment=establishment.name,
        school_class=school_class.name,
        address=settings.CARTABLE_BASE_URL.rstrip("/") + reverse("accounts:activate"),
        site=settings.CARTABLE_SITE_NAME,
    )
