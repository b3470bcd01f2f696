"""The archive of « Mes données »: one zip with a ``LISEZMOI.md``, one JSON file per data provider, and the
person's files, written to a temporary file as it goes (one provider's rows and one file at a time in
memory), then stored."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.core import dates, registry
from cartable.core.audit import plain


def providers() -> list[registry.DataProvider]:
    """Every registered provider, in a stable order (by model label): the archive's files."""
    return sorted(registry.data_providers().values(), key=lambda p: p.model._meta.label_lower)


def json_name(provider: registry.DataProvider) -> str:
    return f"donnees/{provider.model._meta.label_lower}.json"


def _default(value: Any) -> Any:
    converted = plain(value)
    return str(converted) if converted is value else converted


def write_archive(
    target: IO[bytes], *, subject: Any, header: dict[str, str], step: Callable[[], None] = lambda: None
) -> int:
    """Write ``subject``'s archive into ``target``; ``step()`` after each provider. Returns the file count."""
    sections: list[str] = []
    count = 0
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for provider in providers():
            rows = provider.export(subject)
            name = json_name(provider)
            with archive.open(name, "w") as handle:
                handle.write(json.dumps(rows, ensure_ascii=False, indent=2, default=_default).encode())
            files = list(_copy_files(archive, provider, subject))
            count += 1 + len(files)
            sections.append(_section(provider, name, len(rows), files))
            step()
        archive.writestr("LISEZMOI.md", _readme(header, sections))
    return count + 1


def _copy_files(archive: zipfile.ZipFile, provider: registry.DataProvider, subject: Any) -> Iterable[str]:
    if provider.files is None:
        return
    folder = f"fichiers/{provider.model._meta.label_lower}"
    for index, (shown, stored) in enumerate(provider.files(subject), start=1):
        if not stored or not default_storage.exists(stored):
            continue
        name = f"{folder}/{index:04d}-{shown.replace('/', '_')}"
        with default_storage.open(stored, "rb") as source, archive.open(name, "w") as copy:
            shutil.copyfileobj(source, copy, 1024 * 1024)
        yield name


def _section(provider: registry.DataProvider, name: str, rows: int, files: list[str]) -> str:
    meta = provider.model._meta
    lines = [
        f"## {str(meta.verbose_name_plural).capitalize()}",
        "",
        ngettext("- Fichier : `%(name)s` (%(rows)s ligne)", "- Fichier : `%(name)s` (%(rows)s lignes)", rows)
        % {"name": name, "rows": rows},
        _("- Pourquoi : %(purpose)s") % {"purpose": provider.purpose},
        _("- Sur quelle base : %(basis)s") % {"basis": provider.legal_basis},
        _("- Jusqu'à quand : %(retention)s") % {"retention": provider.retention},
    ]
    if files:
        lines.append(
            _("- Fichiers joints : %(count)s, dans `%(folder)s`")
            % {"count": len(files), "folder": files[0].rsplit("/", 1)[0]}
        )
    return "\n".join(lines)


def _readme(header: dict[str, str], sections: list[str]) -> str:
    intro = [
        _("# Vos données dans Cartable : %(name)s") % {"name": header["name"]},
        "",
        _("Archive préparée le %(date)s à la demande de %(requester)s, disponible jusqu'au %(until)s.")
        % {"date": header["date"], "requester": header["requester"], "until": header["until"]},
        "",
        _(
            "Chaque section ci-dessous décrit un fichier : ce qu'il contient, pourquoi l'établissement et la "
            "région traitent ces données, sur quelle base légale, et combien de temps elles sont gardées. Les "
            "fichiers JSON se lisent avec un éditeur de texte ou un tableur."
        ),
        "",
        _(
            "Pour faire rectifier, effacer ou limiter ces données, adressez-vous au délégué à la protection des "
            "données de la région ; vous pouvez aussi saisir la CNIL (www.cnil.fr)."
        ),
        "",
    ]
    return "\n".join(intro) + "\n" + "\n\n".join(sections) + "\n"


def header_for(*, subject: Any, requester: Any, created_at: Any, expires_at: Any) -> dict[str, str]:
    return {
        "name": subject.get_full_name(),
        "requester": requester.get_full_name(),
        "date": dates.date_heure_long(created_at),
        "until": dates.date_heure_long(expires_at),
    }
