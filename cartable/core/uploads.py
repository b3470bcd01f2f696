"""Receive, check, store and serve uploaded files, for every module.

* ``validate_upload(f, max_bytes=..., allowed={...})`` decides a file's type from its CONTENT (magic bytes,
  the inside of zip containers, UTF-8 text), never from its name or the type the browser declared; refuses
  what is not in ``allowed``, too large or empty, and calls the scanner hook (``CARTABLE_UPLOAD_SCANNER``,
  ClamAV's in ``core/antivirus.py``): a scanner raises ``Infected``, ``ScannerRefused`` or ``ScannerUnavailable``
  and the upload is refused with a French message naming the file (fail closed: unscanned is refused).
  Office files (ODF, OOXML: zips) are bounded first, from the zip's directory: entries, each entry's size,
  the expanded total and the compression ratio (``CARTABLE_UPLOAD_ZIP_*``).
* ``store(checked, folder=...)`` saves it through the default storage under a generated name (uuid + the
  detected extension): a name a person typed never reaches the file system.
* ``serve_file(request, field_file, filename=..., content_type=...)`` answers a download with the headers
  that keep a browser from running it (attachment, ``nosniff``, a CSP sandbox, private caching), and one
  byte range when asked (``Range``: 206 or 416), which audio and video players need. Media files
  are never served by URL: only authorized views call it.

``allowed`` holds extensions as detected (``"pdf"``, ``"png"``, ``"docx"``...); ``DOCUMENTS``, ``IMAGES``,
``MEDIA`` and ``ALL`` are ready-made sets.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any
from urllib.parse import quote

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from storages.backends.s3 import S3Storage
from storages.utils import clean_name as s3_key

from cartable.core import french

# extension -> (content type, label shown in messages)
KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "PDF"),
    "png": ("image/png", "PNG"),
    "jpg": ("image/jpeg", "JPEG"),
    "gif": ("image/gif", "GIF"),
    "webp": ("image/webp", "WebP"),
    "odt": ("application/vnd.oasis.opendocument.text", "ODT"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "ODS"),
    "odp": ("application/vnd.oasis.opendocument.presentation", "ODP"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX"),
    "txt": ("text/plain; charset=utf-8", "TXT"),
    "mp3": ("audio/mpeg", "MP3"),
    "m4a": ("audio/mp4", "M4A"),
    "mp4": ("video/mp4", "MP4"),
}
IMAGES = frozenset({"png", "jpg", "gif", "webp"})
DOCUMENTS = frozenset({"pdf", "odt", "ods", "odp", "docx", "xlsx", "pptx", "txt"}) | IMAGES
MEDIA = frozenset({"mp3", "m4a", "mp4"})
ALL = DOCUMENTS | MEDIA
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})

_ODF = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
_OOXML = (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx"))
_SAME_EXTENSION = {"jpg": {"jpg", "jpeg", "jpe"}, "mp4": {"mp4", "m4v"}}
_MARKUP = re.compile(rb"^\s*<(\?xml|!doctype|html|head|body|script|svg|iframe|meta|!--)", re.IGNORECASE)
_CHUNK = 64 * 1024
NAME_MAX = 200


@dataclass(frozen=True)
class CheckedFile:
    """An upload whose content was checked: its detected type, size, digest and a clean display name."""

    content_type: str
    extension: str
    size: int
    sha256: str
    original_name: str
    source: Any = field(default=None, repr=False, compare=False)


def accepted_labels(allowed: set[str] | frozenset[str]) -> str:
    """The accepted types as people read them: ``PDF, PNG, DOCX``."""
    return ", ".join(sorted(KINDS[e][1] for e in allowed if e in KINDS))


def _bare_name(name: str) -> str:
    """The name without its folders, control or format characters, nor leading and trailing dots."""
    name = re.split(r"[\\/]", name or "")[-1]
    return "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".").strip()


def clean_name(name: str, extension: str) -> str:
    """A display name without folders or control characters, ending with the detected extension."""
    name = _bare_name(name)
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix.lower() in _SAME_EXTENSION.get(extension, {extension}):
        ending = suffix
    else:
        stem, ending = name, extension  # keep the whole name and add the real extension
    stem = stem.strip() or _("fichier")
    return f"{stem[: NAME_MAX - len(ending) - 1]}.{ending}"


def _zip_kind(fileobj: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return None
                return _ODF.get(archive.read("mimetype").strip())
            if "[Content_Types].xml" in names:
                for prefix, ext in _OOXML:
                    if any(n.startswith(prefix) for n in names):
                        return ext
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, NotImplementedError):
        return None
    return None


def _is_text(fileobj: IO[bytes]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    first = True
    fileobj.seek(0)
    while chunk := fileobj.read(_CHUNK):
        if b"\x00" in chunk:
            return False
        if first:
            if _MARKUP.match(chunk.removeprefix(b"\xef\xbb\xbf")):
                return False
            first = False
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return not first


def detect(fileobj: IO[bytes]) -> str | None:
    """The file's extension decided from its content, or None when it is no type we know."""
    fileobj.seek(0)
    head = fileobj.read(64)
    kind: str | None = None
    if head.startswith(b"%PDF-"):
        kind = "pdf"
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif head.startswith(b"\xff\xd8\xff"):
        kind = "jpg"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        kind = "gif"
    elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        kind = "webp"
    elif head[:4] == b"PK\x03\x04":
        fileobj.seek(0)
        kind = _zip_kind(fileobj)
    elif head[4:8] == b"ftyp":
        kind = "m4a" if head[8:12] in (b"M4A ", b"M4B ") else "mp4"
    elif head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        kind = "mp3"
    elif _is_text(fileobj):
        kind = "txt"
    fileobj.seek(0)
    return kind


ZIP_CONTAINERS = frozenset({"odt", "ods", "odp", "docx", "xlsx", "pptx"})


def archive_overflow(
    archive: zipfile.ZipFile, *, max_entries: int, max_entry_bytes: int, max_expanded_bytes: int, max_ratio: int
) -> str | None:
    """Why a zip must not be opened further (too many entries, an entry too large or too compressed, too much
    once expanded), from its directory alone, before anything is extracted; None when it is within bounds."""
    entries = archive.infolist()
    if len(entries) > max_entries:
        return "entries"
    total = 0
    for info in entries:
        total += info.file_size
        if info.file_size > max_entry_bytes:
            return "entry_size"
        if total > max_expanded_bytes:
            return "expanded_size"
        if info.file_size > 1024 * 1024 and info.file_size / max(info.compress_size, 1) > max_ratio:
            return "ratio"
    return None


def _check_container(uploaded_file, shown: str) -> None:
    """Refuse an office file (ODF, OOXML: zips) whose content would expand past our bounds: a zip bomb, or an
    entry larger than what the antivirus reads whole (clamd answers OK for an entry over its MaxFileSize)."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            overflow = archive_overflow(
                archive,
                max_entries=settings.CARTABLE_UPLOAD_ZIP_MAX_ENTRIES,
                max_entry_bytes=settings.CARTABLE_UPLOAD_ZIP_MAX_ENTRY_BYTES,
                max_expanded_bytes=settings.CARTABLE_UPLOAD_ZIP_MAX_EXPANDED_BYTES,
                max_ratio=settings.CARTABLE_UPLOAD_ZIP_MAX_RATIO,
            )
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(_("Ce fichier est illisible : %(name)s.") % {"name": shown}, code="unreadable") from exc
    finally:
        uploaded_file.seek(0)
    if overflow:
        raise ValidationError(
            _("Ce fichier se décompresse au-delà des limites permises : %(name)s. Il n'a pas été enregistré.")
            % {"name": shown},
            code="zip_bomb",
        )


class Infected(Exception):
    """A scanner found a virus; ``args[0]`` is the signature's name."""


class ScannerRefused(Exception):
    """The scanner did not read the whole file (a limit exceeded): it is not known to be clean."""


class ScannerUnavailable(Exception):
    """The scanner could not answer (down, too slow): the upload is refused, never taken as clean."""


def _scan_refusal(exc: Exception, shown: str) -> ValidationError:
    """The French refusal of a scanner's verdict, naming the file."""
    if isinstance(exc, Infected):
        message = _(
            "L'antivirus a trouvé un virus dans ce fichier : %(name)s (%(signature)s). Il n'a pas été enregistré."
        ) % {"name": shown, "signature": exc.args[0] if exc.args else "?"}
        return ValidationError(message, code="infected")
    if isinstance(exc, ScannerRefused):
        message = _("L'antivirus n'a pas pu analyser ce fichier en entier : %(name)s. Il n'a pas été enregistré.") % {
            "name": shown
        }
        return ValidationError(message, code="unscanned")
    message = _("L'antivirus ne répond pas : %(name)s n'a pas été enregistré. Réessayez dans quelques minutes.") % {
        "name": shown
    }
    return ValidationError(message, code="scanner_unavailable")


def _scan(uploaded_file, shown: str) -> None:
    """Call ``CARTABLE_UPLOAD_SCANNER`` with the file's path (on disk), its bytes (small, in memory) or the
    file itself (positioned at its start, to stream); turn its verdict into a French refusal naming the file."""
    dotted = getattr(settings, "CARTABLE_UPLOAD_SCANNER", None)
    if not dotted:
        return
    scanner = import_string(dotted)
    uploaded_file.seek(0)
    try:
        if hasattr(uploaded_file, "temporary_file_path"):
            scanner(uploaded_file.temporary_file_path())
        elif uploaded_file.size <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            scanner(uploaded_file.read())
        else:
            scanner(uploaded_file)
    except (Infected, ScannerRefused, ScannerUnavailable) as exc:
        raise _scan_refusal(exc, shown) from exc
    finally:
        uploaded_file.seek(0)


def validate_upload(uploaded_file, *, max_bytes: int | None = None, allowed: set[str] | frozenset[str]) -> CheckedFile:
    """Check one uploaded file by its content; raise a French ``ValidationError`` when it is refused."""
    if max_bytes is None:
        max_bytes = settings.CARTABLE_UPLOAD_MAX_BYTES
    raw_name = getattr(uploaded_file, "name", "") or ""
    shown = _bare_name(raw_name)[:NAME_MAX] or _("fichier")
    size = uploaded_file.size
    if not size:
        raise ValidationError(_("Ce fichier est vide : %(name)s.") % {"name": shown}, code="empty")
    if size > max_bytes:
        raise ValidationError(
            _("Ce fichier est trop volumineux : %(name)s (%(size)s). La taille maximale est %(max)s.")
            % {"name": shown, "size": french.size(size), "max": french.size(max_bytes)},
            code="too_large",
        )
    extension = detect(uploaded_file)
    if extension is None or extension not in allowed:
        raise ValidationError(
            _("Ce type de fichier n'est pas accepté : %(name)s. Types acceptés : %(types)s.")
            % {"name": shown, "types": accepted_labels(allowed)},
            code="type",
        )
    if extension in ZIP_CONTAINERS:
        _check_container(uploaded_file, shown)
    digest = hashlib.sha256()
    uploaded_file.seek(0)
    while chunk := uploaded_file.read(_CHUNK):
        digest.update(chunk)
    uploaded_file.seek(0)
    _scan(uploaded_file, shown)
    return CheckedFile(
        content_type=KINDS[extension][0],
        extension=extension,
        size=size,
        sha256=digest.hexdigest(),
        original_name=clean_name(raw_name, extension),
        source=uploaded_file,
    )


def store(checked: CheckedFile, *, folder: str, storage: Storage | None = None) -> str:
    """Save a checked file under ``folder`` (strftime codes allowed) with a generated name; return its name."""
    storage = storage or default_storage
    folder = timezone.now().strftime(folder).strip("/")
    name = str(PurePosixPath(folder) / f"{uuid.uuid4().hex}.{checked.extension}")
    checked.source.seek(0)
    return storage.save(name, checked.source)


def delete_stored(name: str, *, storage: Storage | None = None) -> None:
    """Remove a stored file, ignoring one already gone (call it from ``transaction.on_commit``)."""
    if name:
        (storage or default_storage).delete(name)


def delete_after_commit(names: Iterable[str | None], *, storage: Storage | None = None) -> None:
    """Remove stored files once the transaction that dropped their rows commits (never if it rolls back)."""
    kept = [name for name in names if name]

    def remove() -> None:
        for name in kept:
            delete_stored(name, storage=storage)

    if kept:
        transaction.on_commit(remove)


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A ``Content-Disposition`` value with an ASCII fallback and the UTF-8 name (RFC 6266)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = re.sub(r"[^A-Za-z0-9._ -]", "_", ascii_name).strip() or "fichier"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def serve_file(request, field_file, *, filename: str, content_type: str, inline: bool = False) -> FileResponse:
    """Answer a stored file as a download that browsers will not sniff or run (inline only PDF and images)."""
    if not field_file:
        raise Http404
    inline = inline and content_type in INLINE_TYPES
    try:
        size = field_file.size
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    span = _byte_range(request.headers.get("Range", ""), size) if request is not None else None
    if span == "unsatisfiable":
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused  # type: ignore[return-value]
    try:
        handle = _open_stored(field_file, span if isinstance(span, tuple) else None)
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    if isinstance(span, tuple):
        start, end = span
        response = FileResponse(_LimitedReader(handle, end - start + 1), content_type=content_type, status=206)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _open_stored(field_file, span: tuple[int, int] | None) -> Any:
    """The stored file opened for reading at ``span``'s start. On object storage, one GET of just that range,
    streamed (django-storages' own file would first copy the whole object to a temporary file)."""
    storage = field_file.storage
    if isinstance(storage, S3Storage):
        extra = {"Range": f"bytes={span[0]}-{span[1]}"} if span else {}
        try:
            return storage.bucket.Object(storage._normalize_name(s3_key(field_file.name))).get(**extra)["Body"]
        except ClientError as exc:
            raise FileNotFoundError(field_file.name) from exc
    handle = field_file.open("rb")
    if span:
        handle.seek(span[0])
    return handle


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    """The one byte range a ``Range`` header asks (players and iOS need it): ``(start, end)``, None for the whole
    file (no header, several ranges, a unit we do not know), or ``"unsatisfiable"``."""
    match = _RANGE.match(header.strip())
    if not match or not (match[1] or match[2]):
        return None
    if match[1]:
        start = int(match[1])
        end = min(int(match[2]), size - 1) if match[2] else size - 1
    else:
        start, end = max(size - int(match[2]), 0), size - 1
    if start >= size or start > end:
        return "unsatisfiable"
    return start, end


class _LimitedReader:
    """A file read from where it stands for ``left`` bytes only (the body of a 206 answer)."""

    def __init__(self, handle: Any, left: int) -> None:
        self.handle, self.left = handle, left

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size is None or size < 0 else min(size, self.left)
        chunk = self.handle.read(size)
        self.left -= len(chunk)
        return chunk

    def close(self) -> None:
        self.handle.close()


def referenced_files() -> set[str]:
    """Every stored name that a row of any model's file field still points to (one query per field)."""
    from django.apps import apps
    from django.db import models

    names: set[str] = set()
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField) and model_field.concrete:
                name = model_field.name
                rows = model._default_manager.exclude(**{name: ""}).values_list(name, flat=True)
                names.update(n for n in rows.iterator() if n)
    return names


def stored_names(storage: Storage) -> Iterable[tuple[str, float]]:
    """Every file of a storage with its last change (a timestamp): a walk of the folder on the file system,
    a paginated listing on object storage (one request per thousand objects, no HEAD per object)."""
    if isinstance(storage, S3Storage):
        prefix = f"{storage.location.strip('/')}/" if storage.location else ""
        for summary in storage.bucket.objects.filter(Prefix=prefix):
            name = summary.key[len(prefix) :].lstrip("/") if prefix else summary.key
            yield name, summary.last_modified.timestamp()
        return
    root = Path(getattr(storage, "location", settings.MEDIA_ROOT))
    if not root.is_dir():
        return
    for path in root.rglob("*"):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path.stat().st_mtime


def sweep_orphans(*, older_than: dt.timedelta = dt.timedelta(hours=1), storage: Storage | None = None) -> int:
    """Delete stored files no row points to any more (left by cascades, erasures or failed transactions).

    Files younger than ``older_than`` are kept: an upload may be stored before its row commits.
    Works on the file system and on object storage (``stored_names``); returns how many files were removed.
    """
    storage = storage or default_storage
    keep = referenced_files()
    limit = timezone.now().timestamp() - older_than.total_seconds()
    removed = 0
    for name, changed in stored_names(storage):
        if name in keep or changed > limit:
            continue
        storage.delete(name)
        removed += 1
    return removed
