"""Resumable uploads: a file sent in chunks of 5 MiB, resumed from the server's offset after a dropped connection.

Our own small protocol (documented in docs/architecture.md), close to tus 1.0's core:

1. ``POST documents:upload_start`` with ``name``, ``size`` (and ``folder``): the size is declared first, so a
   file over the per-file maximum or the room left is refused before a byte is sent (413, a French message
   naming the file). Otherwise 201 with ``{"url", "offset": 0, "chunk_size"}``.
2. ``PATCH url`` with ``Upload-Offset: <n>`` and the next bytes (at most ``chunk_size``): appended when ``n``
   is what the server holds, else 409 with the server's offset. Each request is short.
3. ``GET url``: ``{"offset", "size"}``, to resume after a dropped connection.
4. When the last byte arrives, the whole file is checked by its content like any upload and becomes a file
   of the folder (or a new version), in one transaction with the quota check: a file arrives whole or not at
   all. The answer carries ``{"done": true, "url"}``.

Writes of this protocol are actions (atomic, audited at the end through ``upload_file``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, french, uploads
from cartable.directory.actor import Actor
from cartable.documents import actions, queries
from cartable.documents.actions import Refused
from cartable.documents.models import Document, Folder, UploadSession

CHUNK_SIZE = 5 * 1024 * 1024  # the S3 multipart minimum
STALE_AFTER = dt.timedelta(hours=24)
PARTIAL_FOLDER = "documents/partial"
# Partial files stay on this server's disk under MEDIA_ROOT whatever the default storage (object storage has
# no append): with several web nodes, MEDIA_ROOT must be shared, or the chunks of one upload kept on one node.
PARTIALS = FileSystemStorage()


def _path(session: UploadSession) -> Path:
    return Path(settings.MEDIA_ROOT) / str(session.partial.name)


@transaction.atomic
def start_upload(*, actor: Actor, folder: Folder | None, name: str, size: int) -> UploadSession:
    """Open an upload of ``size`` bytes; refused (413) over the per-file maximum or the room left."""
    if folder is None:
        authz.require(actor, "documents.use_space", None)
        owner_id = actor.user_id
    else:
        authz.require(actor, "documents.contribute", folder)
        owner_id = folder.owner_id
    assert owner_id is not None
    shown = uploads._bare_name(name)[: uploads.NAME_MAX] or _("fichier")
    limit = queries.max_file_bytes()
    if size <= 0:
        raise Refused(_("Ce fichier est vide : %(name)s.") % {"name": shown}, code="empty")
    if size > limit:
        raise Refused(
            _("%(name)s est trop volumineux (%(size)s). La taille maximale est %(max)s.")
            % {"name": shown, "size": french.size(size), "max": french.size(limit)},
            code="too_large",
        )
    actions.check_room(actor=actor, owner_id=owner_id, adding=size, name=shown)
    assert actor.user_id is not None
    session = UploadSession(owner_id=actor.user_id, folder=folder, name=shown, size=size)
    session.partial.name = f"{PARTIAL_FOLDER}/{uuid.uuid4().hex}.part"
    path = _path(session)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()
    session.save()
    audit.record(actor=actor, verb="documents.start_upload", target=session, after={"name": shown, "size": size})
    return session


@transaction.atomic
def append_chunk(*, actor: Actor, session: UploadSession, offset: int, data: bytes) -> Document | None:
    """Append the bytes sent at ``offset`` (``Refused`` with code ``offset`` when it is not the server's);
    the last chunk turns the upload into a file and returns it."""
    authz.require(actor, authz.Action.CHANGE, session)
    locked = UploadSession.objects.select_for_update().get(pk=session.pk)
    if offset != locked.received:
        raise Refused(_("Reprise à l'octet %(offset)s.") % {"offset": locked.received}, code="offset")
    if not data or len(data) > CHUNK_SIZE or locked.received + len(data) > locked.size:
        message = _("Ce morceau ne correspond pas au fichier annoncé : %(name)s.") % {"name": locked.name}
        raise Refused(message, code="chunk")
    with _path(locked).open("r+b") as partial:
        partial.seek(offset)
        partial.write(data)
        partial.truncate()
    locked.received += len(data)
    locked.save(update_fields=["received", "updated_at"])
    session.received = locked.received
    if locked.received < locked.size:
        return None
    return _finish(actor, locked)


def _finish(actor: Actor, session: UploadSession) -> Document:
    path = _path(session)
    with path.open("rb") as handle:
        incoming = File(handle, name=session.name)
        incoming.size = session.size
        checked = uploads.validate_upload(incoming, max_bytes=queries.max_file_bytes(), allowed=uploads.ALL)
        document = actions.upload_file(actor=actor, folder=session.folder, checked=checked)
    uploads.delete_after_commit([session.partial.name], storage=PARTIALS)
    session.delete()
    return document


@transaction.atomic
def purge_stale_uploads(*, now: dt.datetime | None = None) -> int:
    """Forget uploads left unfinished for a day (the periodic job, with the trash's)."""
    stale = list(UploadSession.objects.filter(updated_at__lt=(now or timezone.now()) - STALE_AFTER))
    uploads.delete_after_commit((s.partial.name for s in stale), storage=PARTIALS)
    UploadSession.objects.filter(pk__in=[s.pk for s in stale]).delete()
    return len(stale)


@transaction.atomic
def abandon_upload(*, actor: Actor, session: UploadSession) -> None:
    """Forget an upload (refused at its end, or given up by its sender) and its partial file."""
    authz.require(actor, authz.Action.DELETE, session)
    audit.record(actor=actor, verb="documents.abandon_upload", target=session, after={"name": session.name})
    uploads.delete_after_commit([session.partial.name], storage=PARTIALS)
    UploadSession.objects.filter(pk=session.pk).delete()
