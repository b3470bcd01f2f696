"""Reading AAF files (``ficAlimMENESR``) safely, one request at a time.

The parser streams (lxml ``iterparse``, each request dropped once read), never loads a DTD, never resolves
an entity, never touches the network, and refuses a document that declares entities at all: the AAF
needs none, and a declared entity is how an XML bomb or an external-entity read begins.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from lxml import etree

from cartable.core import french
from cartable.core.xml import SAFE_XML

ROOT = "ficAlimMENESR"
DTD_NAME = "ficAlimMENESR.dtd"
CATEGORIES = ("EtabEducNat", "Eleve", "PersRelEleve", "PersEducNat")
OPERATIONS = {"addRequest": "add", "modifyRequest": "modify", "deleteRequest": "delete"}
PROLOG_BYTES = 65536


class AafError(Exception):
    """A problem in a file, said in French, with the file and line it was found at."""

    def __init__(self, message: str, *, file: str = "", line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file}, ligne {self.line}" if self.line else self.file
        return f"{where} : {self.message}" if where else self.message


@dataclass(slots=True)
class Request:
    """One ``addRequest``, ``modifyRequest`` or ``deleteRequest`` of a file."""

    op: str  # add, modify, delete
    category: str
    ident: str
    attrs: dict[str, list[str]]
    file: str
    line: int
    # The parts this request defines when not every part its operation implies (an export that gives
    # students without their guardians leaves the guardianships alone); None: as the operation says.
    parts: frozenset[str] | None = None

    def first(self, name: str) -> str:
        values = self.attrs.get(name) or [""]
        return values[0].strip()

    def values(self, name: str) -> list[str]:
        return [v.strip() for v in self.attrs.get(name, []) if v.strip()]


class Meter:
    """A binary stream read through: it counts the bytes, hashes them (SHA-256) and refuses past a limit."""

    def __init__(self, stream: IO[bytes], *, name: str, limit: int) -> None:
        self.stream = stream
        self.name = name
        self.limit = limit
        self.size = 0
        self.sha256 = hashlib.sha256()
        self.head = b""

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n if n and n > 0 else 65536)
        self.size += len(data)
        if self.size > self.limit:
            raise AafError(
                _("Le fichier dépasse la taille permise (%(limit)s).") % {"limit": french.size(self.limit)},
                file=self.name,
            )
        if len(self.head) < PROLOG_BYTES:
            self.head += data[: PROLOG_BYTES - len(self.head)]
            if b"<!ENTITY" in self.head:
                raise AafError(_("Le fichier déclare des entités XML : refusé par sécurité."), file=self.name)
        self.sha256.update(data)
        return data


def split(value: str, parts: int) -> list[str]:
    """A ``$``-separated value cut in ``parts`` fields; empty fields are kept, missing ones are empty."""
    fields = value.split("$")
    return (fields + [""] * parts)[:parts] if len(fields) < parts else fields


def date(value: str) -> dt.date | None:
    """A ``dd/mm/yyyy`` date; raises ValueError on anything else but the empty string."""
    value = value.strip()
    if not value:
        return None
    return dt.datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007  (a calendar date)


def yes_no(value: str) -> bool | None:
    """``O`` (oui) or ``N`` (non); None when empty; ValueError otherwise."""
    value = value.strip().upper()
    if not value:
        return None
    if value not in ("O", "N"):
        raise ValueError(value)
    return value == "O"


def _check_document(tree: etree._ElementTree, name: str, line: int) -> None:
    docinfo = tree.docinfo
    if docinfo.internalDTD is not None and list(docinfo.internalDTD.iterentities()):
        raise AafError(_("Le fichier déclare des entités XML : refusé par sécurité."), file=name, line=line)
    root = docinfo.root_name
    if docinfo.doctype and root != ROOT:
        raise AafError(
            _("DTD inattendue « %(doctype)s » : %(expected)s attendue.") % {"doctype": root, "expected": ROOT},
            file=name,
            line=line,
        )
    system = (docinfo.system_url or "").rsplit("/", 1)[-1]
    if system and system != DTD_NAME:
        raise AafError(
            _("DTD inattendue « %(doctype)s » : %(expected)s attendue.") % {"doctype": system, "expected": DTD_NAME},
            file=name,
            line=line,
        )


def _values(element: etree._Element) -> list[str]:
    return [v.text or "" for v in element.iterchildren("value")]


def _request(element: etree._Element, name: str) -> Request:
    op = OPERATIONS[element.tag]
    line = element.sourceline or 0
    category = ""
    for attr in element.iterfind("operationalAttributes/attr"):
        if attr.get("name") in ("categoriePersonne", "categorieStructure"):
            category = (_values(attr) or [""])[0].strip()
    if category not in CATEGORIES:
        raise AafError(
            _("Catégorie inconnue « %(category)s » : %(expected)s attendue.")
            % {"category": category, "expected": ", ".join(CATEGORIES)},
            file=name,
            line=line,
        )
    ident = (element.findtext("identifier/id") or "").strip()
    if not ident:
        raise AafError(_("Identifiant manquant (identifier/id)."), file=name, line=line)
    attrs: dict[str, list[str]] = {}
    path = "modifications/modification" if op == "modify" else "attributes/attr"
    for attr in element.iterfind(path):
        key = attr.get("name") or ""
        if op == "modify" and (attr.get("operation") or "replace") != "replace":
            raise AafError(
                _("Opération « %(operation)s » non prise en charge sur %(attr)s : seul replace l'est.")
                % {"operation": attr.get("operation"), "attr": key},
                file=name,
                line=attr.sourceline or line,
            )
        attrs[key] = attrs.get(key, []) + _values(attr)
    return Request(op, category, ident, attrs, name, line)


def read(stream: Meter) -> Iterator[Request]:
    """The requests of one AAF file, in order; raises AafError (file and line) on the first problem."""
    name = stream.name
    context = etree.iterparse(stream, events=("start", "end"), **SAFE_XML)
    depth = 0
    try:
        for event, element in context:
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_document(element.getroottree(), name, element.sourceline or 1)
                    if element.tag != ROOT:
                        raise AafError(
                            _("Racine inattendue « %(root)s » : %(expected)s attendue.")
                            % {"root": element.tag, "expected": ROOT},
                            file=name,
                            line=element.sourceline or 1,
                        )
                continue
            depth -= 1
            if depth == 1:
                if element.tag not in OPERATIONS:
                    raise AafError(
                        _("Élément inattendu « %(tag)s » : addRequest, modifyRequest ou deleteRequest attendu.")
                        % {"tag": element.tag},
                        file=name,
                        line=element.sourceline or 0,
                    )
                yield _request(element, name)
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as error:
        raise AafError(
            _("XML mal formé : %(detail)s") % {"detail": error.msg}, file=name, line=error.lineno or 0
        ) from None
