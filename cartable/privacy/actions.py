"""Every write of the privacy centre: keyword-only, atomic, audited."""

from __future__ import annotations

import tempfile
from types import SimpleNamespace

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models as django_models
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cartable.core import audit, authz, erasure, uploads
from cartable.directory.actor import Actor
from cartable.directory.models import User
from cartable.privacy import archive
from cartable.privacy.models import KEPT_FOR, DataExport

FOLDER = "privacy/exports"


@transaction.atomic
def request_export(*, actor: Actor, subject: User) -> DataExport:
    """Queue the archive of ``subject``'s data (oneself, or a child one is legally responsible for).

    An archive of the same person already under way is returned instead of a second one."""
    authz.require(actor, "privacy.export_data", subject)
    under_way = (
        DataExport.objects.select_for_update()
        .filter(
            requested_by_id=actor.user_id,
            subject=subject,
            status__in=[DataExport.Status.PENDING, DataExport.Status.RUNNING],
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if under_way is not None:
        return under_way
    now = timezone.now()
    export = DataExport.objects.create(
        requested_by_id=actor.user_id,
        subject=subject,
        total=len(archive.providers()),
        created_at=now,
        expires_at=now + KEPT_FOR,
    )
    audit.record(actor=actor, verb="privacy.request_export", target=export, subject_id=subject.pk)

    def enqueue() -> None:
        from cartable.privacy.tasks import build_export

        build_export.enqueue(export.pk)

    transaction.on_commit(enqueue)
    return export


def build_export(export_id: int) -> DataExport:
    """Write the archive of a queued export (the background task), moving its progress provider by provider.

    The zip is written to a temporary file (bounded memory), then stored; the progress is committed as it
    goes so that the page's bar moves while the task runs."""
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.RUNNING
    )
    export = DataExport.objects.select_related("subject", "requested_by").get(pk=export_id)
    if not claimed:
        return export
    header = archive.header_for(
        subject=export.subject,
        requester=export.requested_by,
        created_at=export.created_at,
        expires_at=export.expires_at,
    )

    def step() -> None:
        DataExport.objects.filter(pk=export.pk).update(done=F("done") + 1)

    stored = ""
    try:
        with tempfile.TemporaryFile() as spool:
            files = archive.write_archive(spool, subject=export.subject, header=header, step=step)
            size = spool.tell()
            spool.seek(0)
            stored = default_storage.save(f"{FOLDER}/{export.pk}-{timezone.now():%Y%m%d%H%M%S}.zip", File(spool))
        with transaction.atomic():
            DataExport.objects.filter(pk=export.pk).update(
                status=DataExport.Status.DONE, file=stored, size=size, finished_at=timezone.now()
            )
            audit.record(
                actor=SimpleNamespace(user_id=export.requested_by_id, establishment_id=None, ip_address=None),
                verb="privacy.build_export",
                target=export,
                subject_id=export.subject_id,
                after={"files": files, "size": size},
            )
    except Exception as exc:
        uploads.delete_stored(stored)
        DataExport.objects.filter(pk=export.pk).update(
            status=DataExport.Status.FAILED, finished_at=timezone.now(), error=str(exc)[:500]
        )
        raise
    export.refresh_from_db()
    return export


@transaction.atomic
def download_export(*, actor: Actor, export: DataExport) -> DataExport:
    """Record that the requester downloads their archive (the view then sends the file)."""
    authz.require(actor, authz.Action.VIEW, export)
    audit.record(actor=actor, verb="privacy.download_export", target=export, subject_id=export.subject_id)
    return export


@transaction.atomic
def purge_expired_exports(*, now=None) -> int:
    """Delete the archives past their seven days, and their files once the deletion commits."""
    expired = DataExport.objects.filter(expires_at__lte=now or timezone.now())
    names = list(expired.values_list("file", flat=True))
    count = expired.delete()[0]
    uploads.delete_after_commit(names)
    if count:
        audit.record(actor=None, verb="privacy.purge_exports", after={"deleted": count})
    return count


# --- erasure of a person's data (named by the data provider in hooks.py) -------------------------------
def _delete_exports(model: type[django_models.Model], user: User) -> int:
    rows = DataExport.objects.filter(Q(requested_by=user) | Q(subject=user))
    uploads.delete_after_commit(rows.values_list("file", flat=True))
    return rows.delete()[0]


ERASURE: dict[type[django_models.Model], erasure.Rule] = {DataExport: _delete_exports}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase or anonymise what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="privacy", rules=ERASURE, user=user, model=model, actor=actor)
