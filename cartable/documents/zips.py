"""A folder as a zip, streamed in bounded memory: one 64 KiB chunk of one file in memory at a time.

Entry names are the cleaned display names (never a stored name nor a path a person typed: no ``..``, no
leading ``/``), made unique within their folder. Files that cannot be added (their stored file is missing,
or the zip would pass ``CARTABLE_DOCUMENTS_ZIP_MAX_BYTES``) are left out and listed in ``LISEZMOI.txt``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from django.conf import settings
from django.utils.translation import gettext as _

from cartable.core import uploads
from cartable.documents.models import Document, Folder

CHUNK = 64 * 1024
README = "LISEZMOI.txt"


class _Sink:
    """An unseekable file that keeps what zipfile writes until the response takes it."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    candidate, n = name, 2
    while candidate.casefold() in taken:
        candidate = f"{stem} ({n}){dot}{ext}"
        n += 1
    taken.add(candidate.casefold())
    return candidate


def entries(folder: Folder) -> list[tuple[str, Document]]:
    """The files below ``folder`` not in the trash, each with its place in the zip (two queries)."""
    below = f"/{folder.pk}/"
    folders = {f.pk: f for f in Folder.objects.filter(path__contains=below, hidden=False).order_by("path", "name")} | {
        folder.pk: folder
    }
    places: dict[int, str] = {folder.pk: ""}
    taken: dict[str, set[str]] = {"": set()}
    for sub in sorted(folders.values(), key=lambda f: f.path.count("/")):
        if sub.pk == folder.pk or sub.parent_id not in places:
            continue
        parent = places[sub.parent_id]
        name = _unique(uploads._bare_name(sub.name) or _("dossier"), taken.setdefault(parent, set()))
        places[sub.pk] = f"{parent}{name}/"
        taken.setdefault(places[sub.pk], set())
    documents = Document.objects.filter(path__contains=below, hidden=False, current__isnull=False)
    result = []
    for document in documents.select_related("current").order_by("path", "name", "id"):
        place = places.get(document.folder_id or 0)
        if place is None:
            continue
        name = _unique(uploads._bare_name(document.name) or _("fichier"), taken[place])
        result.append((f"{place}{name}", document))
    return result


def stream(folder: Folder) -> Iterator[bytes]:
    """The zip's bytes, chunk after chunk."""
    limit = int(getattr(settings, "CARTABLE_DOCUMENTS_ZIP_MAX_BYTES", 2 * 1024**3))
    sink = _Sink()
    left_out: list[str] = []
    total = 0
    archive = zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_DEFLATED)  # type: ignore[call-overload]
    for name, document in entries(folder):
        version = document.current
        assert version is not None
        if total + version.size > limit:
            left_out.append(_("%(name)s : le zip dépasserait sa taille maximale.") % {"name": name})
            continue
        try:
            source = version.file.open("rb")
        except (FileNotFoundError, OSError):
            left_out.append(_("%(name)s : le fichier est introuvable.") % {"name": name})
            continue
        total += version.size
        with source, archive.open(name, "w", force_zip64=True) as target:
            while chunk := source.read(CHUNK):
                target.write(chunk)
                yield sink.take()
        yield sink.take()
    if left_out:
        text = _("Ces fichiers ne sont pas dans ce zip :") + "\n" + "\n".join(left_out) + "\n"
        archive.writestr(README, text.encode("utf-8"))
    archive.close()
    yield sink.take()
