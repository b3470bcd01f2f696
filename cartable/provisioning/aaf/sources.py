"""Where the files of a set come from: paths (files, folders, zip archives) or uploaded files, each opened
through a ``Meter`` that enforces the size limit; archives are checked entry by entry before any is read
(no ``..``, no absolute path, not too many entries, not too large once expanded, no suspicious ratio)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _

from cartable.core import french
from cartable.provisioning.aaf.parser import DTD_NAME, AafError, Meter


def limit(name: str) -> int:
    return int(getattr(settings, name))


@dataclass
class Source:
    """One file of the set, not opened yet."""

    name: str
    open: Callable[[], IO[bytes]]

    def meter(self) -> Meter:
        return Meter(self.open(), name=self.name, limit=limit("CARTABLE_AAF_MAX_FILE_BYTES"))


def _ignored(name: str) -> bool:
    base = PurePosixPath(name).name
    return base == DTD_NAME or base.startswith(".") or not base.lower().endswith(".xml")


def _zip_sources(archive: zipfile.ZipFile, label: str) -> list[Source]:
    entries = [i for i in archive.infolist() if not i.is_dir()]
    if len(entries) > limit("CARTABLE_AAF_MAX_ARCHIVE_ENTRIES"):
        raise AafError(
            _("L'archive contient trop de fichiers (%(limit)s au plus).")
            % {"limit": limit("CARTABLE_AAF_MAX_ARCHIVE_ENTRIES")},
            file=label,
        )
    total = 0
    sources = []
    for info in entries:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or ":" in info.filename:
            raise AafError(_("Chemin interdit dans l'archive : « %(entry)s ».") % {"entry": info.filename}, file=label)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > limit("CARTABLE_AAF_MAX_FILE_BYTES")
            or total > limit("CARTABLE_AAF_MAX_EXPANDED_BYTES")
            or ratio > limit("CARTABLE_AAF_MAX_COMPRESSION_RATIO")
        ):
            raise AafError(
                _("Archive refusée : « %(entry)s » dépasse les limites de décompression (taille ou taux).")
                % {"entry": info.filename},
                file=label,
            )
        if _ignored(info.filename):
            continue
        sources.append(Source(f"{label}/{info.filename}", _entry(archive, info)))
    return sources


def _entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Callable[[], IO[bytes]]:
    return lambda: archive.open(info)


def _archive(opener: Callable[[], IO[bytes]], label: str) -> list[Source]:
    try:
        archive = zipfile.ZipFile(opener())
    except (zipfile.BadZipFile, OSError):
        raise AafError(_("Archive zip illisible."), file=label) from None
    return _zip_sources(archive, label)


def _is_zip(opener: Callable[[], IO[bytes]]) -> bool:
    with opener() as stream:
        return stream.read(4) == b"PK\x03\x04"


def from_paths(paths: list[Path]) -> list[Source]:
    """The files named on the command line: XML files, folders of them, zip archives."""
    sources: list[Source] = []
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file())
        elif path.is_file():
            files = [path]
        else:
            raise AafError(_("Fichier introuvable."), file=str(path))
        for file in files:
            opener = lambda file=file: file.open("rb")  # noqa: E731
            if _is_zip(opener):
                sources.extend(_archive(opener, file.name))
            elif path.is_file() or not _ignored(file.name):
                if file.stat().st_size > limit("CARTABLE_AAF_MAX_FILE_BYTES"):
                    raise AafError(
                        _("Le fichier dépasse la taille permise (%(limit)s).")
                        % {"limit": french.size(limit("CARTABLE_AAF_MAX_FILE_BYTES"))},
                        file=file.name,
                    )
                sources.append(Source(file.name, opener))
    return sources


def from_uploads(files: list[tuple[str, bytes]]) -> list[Source]:
    """Uploaded files (name, content): XML files or one zip archive."""
    sources: list[Source] = []
    for name, data in files:
        opener = lambda data=data: io.BytesIO(data)  # noqa: E731
        if data[:4] == b"PK\x03\x04":
            sources.extend(_archive(opener, name))
        else:
            sources.append(Source(PurePosixPath(name).name, opener))
    return sources


def iter_names(sources: list[Source]) -> Iterator[str]:
    yield from (s.name for s in sources)
