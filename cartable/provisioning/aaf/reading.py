"""Reading a whole AAF set: every file streamed once, the requests kept by identifier, the set's kind
(complete or delta) and the problems that belong to the files themselves (malformed XML, wrong root,
duplicates, missing mandatory attributes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cartable.provisioning.aaf import parser
from cartable.provisioning.aaf.parser import AafError, Request
from cartable.provisioning.aaf.sources import Source

PEOPLE = ("Eleve", "PersRelEleve", "PersEducNat")
MANDATORY = {
    "EtabEducNat": ("ENTStructureUAI",),
    "Eleve": ("ENTPersonJointure", "sn", "givenName", "ENTPersonStructRattach"),
    "PersRelEleve": ("ENTPersonJointure", "sn", "givenName"),
    "PersEducNat": ("ENTPersonJointure", "sn", "givenName"),
}
# Attributes that may not be emptied by a modifyRequest.
NOT_EMPTY = {"sn", "givenName", "ENTPersonJointure", "ENTStructureUAI"}


@dataclass
class AafSet:
    files: list[dict] = field(default_factory=list)
    structures: dict[str, Request] = field(default_factory=dict)
    people: dict[str, Request] = field(default_factory=dict)
    delta: bool = False
    # Who feeds the set: "aaf", or an establishment's own exports ("siecle", "sts") for ``uai``, with the
    # classes and groups they list even when nobody is in them yet: (kind, name, class names of a group).
    feed: str = "aaf"
    uai: str = ""
    uai_at: tuple[str, int] = ("", 0)  # the file and line that name it (PARAMETRES/UAJ)
    units: list[tuple[str, str, list[str]]] = field(default_factory=list)
    errors: list[AafError] = field(default_factory=list)
    warnings: list[AafError] = field(default_factory=list)

    def error(self, message: str, request: Request) -> None:
        self.errors.append(AafError(message, file=request.file, line=request.line))

    def warn(self, message: str, request: Request) -> None:
        self.warnings.append(AafError(message, file=request.file, line=request.line))


def key(request: Request) -> str:
    """A person's jointure (``ENTPersonJointure``, else the request's identifier), a structure's
    ``ENTStructureJointure`` (else its identifier)."""
    name = "ENTStructureJointure" if request.category == "EtabEducNat" else "ENTPersonJointure"
    return request.first(name) or request.ident


def _check(aaf: AafSet, request: Request) -> None:
    if request.op == "add":
        for name in MANDATORY[request.category]:
            if not request.first(name):
                aaf.error(
                    _("Attribut obligatoire manquant : %(attr)s (identifiant %(id)s).")
                    % {"attr": name, "id": request.ident},
                    request,
                )
    elif request.op == "modify":
        for name in NOT_EMPTY & set(request.attrs):
            if not request.first(name):
                aaf.error(
                    _("Attribut obligatoire vidé : %(attr)s (identifiant %(id)s).")
                    % {"attr": name, "id": request.ident},
                    request,
                )


def _file(aaf: AafSet, source: Source) -> None:
    meter = source.meter()
    categories: set[str] = set()
    operations: set[str] = set()
    try:
        for request in parser.read(meter):
            if categories and request.category not in categories:
                raise AafError(
                    _("Le fichier mêle des catégories (%(first)s puis %(other)s) : un fichier par catégorie.")
                    % {"first": next(iter(categories)), "other": request.category},
                    file=request.file,
                    line=request.line,
                )
            categories.add(request.category)
            operations.add(request.op)
            _check(aaf, request)
            table = aaf.structures if request.category == "EtabEducNat" else aaf.people
            ident = key(request)
            seen = table.get(ident)
            if seen is not None:
                aaf.error(
                    _("Identifiant en double « %(id)s » (déjà dans %(file)s, ligne %(line)s).")
                    % {"id": ident, "file": seen.file, "line": seen.line},
                    request,
                )
                continue
            table[ident] = request
    except AafError as error:
        error.file = error.file or source.name
        aaf.errors.append(error)
    if not categories and not any(e.file == source.name for e in aaf.errors):
        aaf.errors.append(AafError(_("Le fichier ne contient aucune entrée."), file=source.name, line=1))
    if operations - {"add"} or "delta" in source.name.lower():
        aaf.delta = True
    aaf.files.append(
        {
            "name": source.name,
            "sha256": meter.sha256.hexdigest(),
            "bytes": meter.size,
            "kind": ", ".join(sorted(categories)),
        }
    )


def read_set(sources: list[Source], on_file: Callable[[int], None] | None = None) -> AafSet:
    """Every file of the set read (in any order); problems collected, nothing looked up yet.
    ``on_file(n)`` is told after each file (the worker's progress bar)."""
    aaf = AafSet()
    if not sources:
        aaf.errors.append(AafError(_("Aucun fichier AAF (.xml) dans ce qui a été donné.")))
    for number, source in enumerate(sources, start=1):
        _file(aaf, source)
        if on_file is not None:
            on_file(number)
    return aaf
