"""Writes of « Mes documents »: folders, uploads and versions, rename, move, copy, trash, shares and quotas.

Atomic and audited. The space's owner is locked (``select_for_update`` on the person) while a file is added,
so the quota is checked in the upload's transaction: two uploads at once cannot both take the last megabytes.
Stored files are removed only after the transaction that dropped their rows commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePosixPath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models as django_models
from django.db import transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure, french, previews, uploads
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, Group, Role, SchoolClass, User
from cartable.documents import queries
from cartable.documents.models import (
    ROOT_PATH,
    Document,
    Folder,
    QuotaRule,
    Resource,
    Share,
    UploadSession,
    Version,
    fold,
)

FOLDER = "documents/%Y/%m/"
KEEP_VERSIONS = 10
TRASH_DAYS = 30
MAX_DEPTH = 20
Item = Folder | Document


class Refused(ValidationError):
    """A write refused with a French message for the person (name taken, over quota, move into itself...)."""


# --- helpers ------------------------------------------------------------------------------------------
def clean_label(name: str) -> str:
    """A folder or file name as typed, without folders, control characters nor dots at its ends."""
    name = uploads._bare_name(name)[: uploads.NAME_MAX]
    if not name:
        raise Refused(_("Donnez un nom."))
    return name


def _siblings(owner_id: int, folder: Folder | None, kind: type[Item]) -> django_models.QuerySet:
    where = {"parent": folder} if kind is Folder else {"folder": folder}
    return kind.objects.filter(owner_id=owner_id, hidden=False, **where)


def _free_name(owner_id: int, folder: Folder | None, kind: type[Item], name: str, exclude: int | None = None) -> str:
    """``name``, or ``name (2)``, ``name (3)``... when a sibling has it already (the extension kept)."""
    taken = set(_siblings(owner_id, folder, kind).exclude(pk=exclude).values_list("name", flat=True))
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".") if kind is Document and "." in name else (name, "", "")
    n = 2
    while f"{stem} ({n}){dot}{ext}" in taken:
        n += 1
    return f"{stem} ({n}){dot}{ext}"


def _lock_space(owner_id: int) -> None:
    User.objects.select_for_update().filter(pk=owner_id).values_list("pk").first()


def check_room(*, actor: Actor, owner_id: int, adding: int, name: str) -> None:
    """Raise ``Refused`` naming the file when the space cannot hold ``adding`` more bytes."""
    quota = queries.quota_of(owner_id, actor)
    left = max(quota - queries.usage_of(owner_id), 0)
    if adding > left:
        message = (
            _("%(name)s ne peut pas être ajouté. Il reste %(left)s dans votre espace.")
            if owner_id == actor.user_id
            else _("%(name)s ne peut pas être ajouté. Il reste %(left)s dans l'espace de la personne qui partage.")
        )
        raise Refused(message % {"name": name, "left": french.size(left)}, code="quota")


def _path_in(folder: Folder | None) -> str:
    return folder.inner_path if folder is not None else ROOT_PATH


def _copy_stored(name: str | None) -> str:
    assert name
    extension = PurePosixPath(name).suffix
    target = str(PurePosixPath(timezone.now().strftime(FOLDER)) / f"{uuid.uuid4().hex}{extension}")
    with default_storage.open(name, "rb") as source:
        return default_storage.save(target, source)


def _kind(item: Item) -> str:
    return "folder" if isinstance(item, Folder) else "document"


def _snapshot(item: Item) -> dict:
    return {"kind": _kind(item), "name": item.name, "path": item.path, "trashed": item.trashed_at is not None}


def _record(actor: Actor, verb: str, item: django_models.Model, **values: Any) -> None:
    audit.record(actor=actor, verb=f"documents.{verb}", target=item, **values)


def _subtree(folder: Folder) -> tuple[django_models.QuerySet, django_models.QuerySet]:
    below = f"/{folder.pk}/"
    return Folder.objects.filter(path__contains=below), Document.objects.filter(path__contains=below)


def _files_of(item: Item) -> list[str]:
    if isinstance(item, Folder):
        versions = Version.objects.filter(document__path__contains=f"/{item.pk}/")
    else:
        versions = Version.objects.filter(document=item)
    return [name for pair in versions.values_list("file", "preview") for name in pair if name]


def _target_folder(actor: Actor, folder: Folder | None) -> None:
    if folder is not None:
        authz.require(actor, Action.MANAGE, folder)
        if folder.hidden:
            raise Refused(_("Ce dossier est dans la corbeille."))
        if folder.path.count("/") > MAX_DEPTH:
            raise Refused(_("Les dossiers ne peuvent pas être imbriqués plus profondément."))


# --- folders and files --------------------------------------------------------------------------------
@transaction.atomic
def create_folder(*, actor: Actor, parent: Folder | None, name: str) -> Folder:
    """Create a folder in one's space (at the root when ``parent`` is None)."""
    authz.require(actor, "documents.use_space", None)
    _target_folder(actor, parent)
    assert actor.user_id is not None
    name = clean_label(name)
    if _siblings(actor.user_id, parent, Folder).filter(name=name).exists():
        raise Refused(_("Un dossier porte déjà ce nom ici : %(name)s.") % {"name": name})
    folder = Folder.objects.create(
        owner_id=actor.user_id, parent=parent, path=_path_in(parent), name=name, name_key=fold(name)
    )
    _record(actor, "create_folder", folder, after=_snapshot(folder))
    return folder


def _new_version(actor: Actor, document: Document, checked: uploads.CheckedFile) -> Version:
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = Version.objects.create(
        document=document,
        number=last + 1,
        file=uploads.store(checked, folder=FOLDER),
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by_id=actor.user_id,
        preview_state=_preview_state(checked.content_type),
    )
    _set_current(document, version)
    _ask_preview(version)
    return version


def _preview_state(content_type: str) -> str:
    """What a new version's preview starts as: pending for a type the worker draws."""
    drawn = content_type in previews.PREVIEWED or content_type.startswith("text/plain")
    return Version.Preview.PENDING if drawn else Version.Preview.NONE


def _ask_preview(version: Version) -> None:
    """Have the worker draw the version's preview once it is committed (never in the request)."""
    if version.preview_state != Version.Preview.PENDING:
        return
    pk = version.pk
    transaction.on_commit(lambda: _preview_task().enqueue(pk))


def _preview_task() -> Any:
    from cartable.documents.tasks import make_preview

    return make_preview


def make_preview(*, version_id: int) -> bool:
    """The worker's: draw a pending version's preview (``core.previews``, bounded) and store it, and keep its
    text for the search (a PDF's, a text file's); a file that cannot be drawn gets « Aperçu indisponible ».
    No actor: a derived file, audited as the purge is."""
    version = Version.objects.filter(pk=version_id, preview_state=Version.Preview.PENDING).first()
    if version is None:
        return False
    png, text = None, ""
    try:
        with version.file.open("rb") as stored:
            text = previews.extract_text(stored, version.content_type)
            stored.seek(0)
            png = previews.render(stored, version.content_type)
    except (previews.Unpreviewable, OSError):
        png = None
    with transaction.atomic():
        locked = Version.objects.select_for_update().filter(pk=version_id).first()
        if locked is None or locked.preview_state != Version.Preview.PENDING:
            return False
        if png:
            locked.preview.save(f"{uuid.uuid4().hex}.png", ContentFile(png), save=False)
        locked.preview_state = Version.Preview.READY if png else Version.Preview.NONE
        locked.text_key = fold(text)
        locked.save(update_fields=["preview", "preview_state", "text_key"])
        audit.record(actor=None, verb="documents.make_preview", target=locked.document, after={"ready": bool(png)})
    return bool(png)


def _set_current(document: Document, version: Version) -> None:
    document.current = version
    document.save(update_fields=["current", "updated_at"])
    old = list(document.versions.order_by("-number")[KEEP_VERSIONS:])
    if old:
        uploads.delete_after_commit(name for v in old for name in (v.file.name, v.preview.name))
        Version.objects.filter(pk__in=[v.pk for v in old]).delete()


@transaction.atomic
def upload_file(*, actor: Actor, folder: Folder | None, checked: uploads.CheckedFile) -> Document:
    """Add a file to one's space or to a folder shared in contribution; a file of the same name there gets a
    new version. The space's owner is charged, the quota checked under lock."""
    if folder is None:
        authz.require(actor, "documents.use_space", None)
        owner_id = actor.user_id
    else:
        authz.require(actor, "documents.contribute", folder)
        if folder.hidden:
            raise Refused(_("Ce dossier est dans la corbeille."))
        owner_id = folder.owner_id
    assert owner_id is not None
    _lock_space(owner_id)
    check_room(actor=actor, owner_id=owner_id, adding=checked.size, name=checked.original_name)
    document = _siblings(owner_id, folder, Document).filter(name=checked.original_name).first()
    created = document is None
    if document is None:
        name = checked.original_name
        document = Document.objects.create(
            owner_id=owner_id, folder=folder, path=_path_in(folder), name=name, name_key=fold(name)
        )
    version = _new_version(actor, document, checked)
    after = _snapshot(document) | {"version": version.number, "size": checked.size, "sha256": checked.sha256}
    _record(actor, "upload" if created else "add_version", document, after=after, subject_id=owner_id)
    return document


@transaction.atomic
def add_version(*, actor: Actor, document: Document, checked: uploads.CheckedFile) -> Version:
    """« Nouvelle version »: the file keeps its name and place; the last ten versions are kept."""
    authz.require(actor, Action.CHANGE, document)
    _lock_space(document.owner_id)
    check_room(actor=actor, owner_id=document.owner_id, adding=checked.size, name=document.name)
    version = _new_version(actor, document, checked)
    after = {"version": version.number, "size": checked.size, "sha256": checked.sha256}
    _record(actor, "add_version", document, after=after, subject_id=document.owner_id)
    return version


@transaction.atomic
def restore_version(*, actor: Actor, version: Version) -> Version:
    """Make an earlier version current again, as a new version (a copy of its file)."""
    document = version.document
    authz.require(actor, Action.CHANGE, document)
    _lock_space(document.owner_id)
    check_room(actor=actor, owner_id=document.owner_id, adding=version.size, name=document.name)
    last = document.versions.order_by("-number").values_list("number", flat=True).first() or 0
    copy = Version.objects.create(
        document=document,
        number=last + 1,
        file=_copy_stored(version.file.name),
        size=version.size,
        content_type=version.content_type,
        sha256=version.sha256,
        uploaded_by_id=actor.user_id,
        preview_state=_preview_state(version.content_type),
    )
    _set_current(document, copy)
    _ask_preview(copy)
    _record(actor, "restore_version", document, after={"from": version.number, "version": copy.number})
    return copy


@transaction.atomic
def rename(*, actor: Actor, item: Item, name: str) -> Item:
    """Rename a folder or a file of one's space (a file keeps its extension when none is typed)."""
    authz.require(actor, Action.MANAGE, item)
    before = _snapshot(item)
    name = clean_label(name)
    if isinstance(item, Document) and item.current is not None:
        extension = PurePosixPath(item.name).suffix.lstrip(".").lower() or "txt"
        name = uploads.clean_name(name, extension)
    kind = Folder if isinstance(item, Folder) else Document
    parent = item.parent if isinstance(item, Folder) else item.folder
    if _siblings(item.owner_id, parent, kind).exclude(pk=item.pk).filter(name=name).exists():
        raise Refused(_("Ce nom est déjà pris ici : %(name)s.") % {"name": name})
    item.name, item.name_key = name, fold(name)
    item.save(update_fields=["name", "name_key", "updated_at"])
    _record(actor, "rename", item, before=before, after=_snapshot(item))
    return item


def _repath(item: Item, to: Folder | None) -> None:
    new_path = _path_in(to)
    if isinstance(item, Folder):
        old_inner = item.inner_path
        item.parent, item.path = to, new_path
        item.save(update_fields=["parent", "path", "updated_at"])
        new_inner = item.inner_path
        rewrite = Concat(Value(new_inner), Substr("path", len(old_inner) + 1))
        for model in (Folder, Document):
            model.objects.filter(path__startswith=old_inner).update(path=rewrite)
    else:
        item.folder, item.path = to, new_path
        item.save(update_fields=["folder", "path", "updated_at"])


@transaction.atomic
def move(*, actor: Actor, item: Item, to: Folder | None) -> Item:
    """Move a folder or a file to another folder of one's space (or its root)."""
    authz.require(actor, Action.MANAGE, item)
    _target_folder(actor, to)
    if isinstance(item, Folder) and to is not None and (to.pk == item.pk or item.pk in to.ancestor_ids):
        raise Refused(_("Un dossier ne peut pas être déplacé dans lui-même."))
    kind = Folder if isinstance(item, Folder) else Document
    if _siblings(item.owner_id, to, kind).exclude(pk=item.pk).filter(name=item.name).exists():
        raise Refused(_("Ce nom est déjà pris dans ce dossier : %(name)s.") % {"name": item.name})
    before = _snapshot(item)
    _repath(item, to)
    _record(actor, "move", item, before=before, after=_snapshot(item))
    return item


def _copy_document(actor: Actor, document: Document, to: Folder | None, name: str) -> Document:
    copy = Document.objects.create(owner_id=actor.user_id, folder=to, path=_path_in(to), name=name, name_key=fold(name))
    if document.current is not None:
        source = document.current
        version = Version.objects.create(
            document=copy,
            number=1,
            file=_copy_stored(source.file.name),
            size=source.size,
            content_type=source.content_type,
            sha256=source.sha256,
            uploaded_by_id=actor.user_id,
            preview_state=_preview_state(source.content_type),
        )
        copy.current = version
        copy.save(update_fields=["current"])
        _ask_preview(version)
    return copy


@transaction.atomic
def copy(*, actor: Actor, item: Item, to: Folder | None) -> Item:
    """Copy a file (its current version) or a folder and what it holds into one's space; counted in the quota."""
    authz.require(actor, Action.MANAGE, item)
    _target_folder(actor, to)
    assert actor.user_id is not None
    _lock_space(actor.user_id)
    kind = Folder if isinstance(item, Folder) else Document
    name = _free_name(actor.user_id, to, kind, item.name)
    if isinstance(item, Document):
        check_room(actor=actor, owner_id=actor.user_id, adding=item.current.size if item.current else 0, name=name)
        result: Item = _copy_document(actor, item, to, name)
    else:
        if to is not None and (to.pk == item.pk or item.pk in to.ancestor_ids):
            raise Refused(_("Un dossier ne peut pas être copié dans lui-même."))
        folders, documents = _subtree(item)
        documents = documents.filter(hidden=False).select_related("current")
        size = sum(d.current.size for d in documents if d.current)
        check_room(actor=actor, owner_id=actor.user_id, adding=size, name=name)
        top = Folder.objects.create(
            owner_id=actor.user_id, parent=to, path=_path_in(to), name=name, name_key=fold(name)
        )
        result = top
        made: dict[int | None, Folder] = {item.pk: top}
        for folder in sorted(folders.filter(hidden=False), key=lambda f: f.path.count("/")):
            parent = made[folder.parent_id]
            made[folder.pk] = Folder.objects.create(
                owner_id=actor.user_id,
                parent=parent,
                path=parent.inner_path,
                name=folder.name,
                name_key=folder.name_key,
            )
        for document in documents:
            _copy_document(actor, document, made[document.folder_id], document.name)
    _record(actor, "copy", result, before=_snapshot(item), after=_snapshot(result))
    return result


# --- the trash ----------------------------------------------------------------------------------------
@transaction.atomic
def trash(*, actor: Actor, item: Item) -> Item:
    """Put a folder or a file in the trash; what a folder holds goes with it, and its shares stop at once."""
    authz.require(actor, Action.MANAGE, item)
    item.trashed_at, item.hidden = timezone.now(), True
    item.save(update_fields=["trashed_at", "hidden", "updated_at"])
    if isinstance(item, Folder):
        for rows in _subtree(item):
            rows.update(hidden=True)
    _record(actor, "trash", item, after=_snapshot(item))
    return item


@transaction.atomic
def restore(*, actor: Actor, item: Item) -> Item:
    """Take a folder or a file out of the trash, back where it was, or to the root when that folder is gone."""
    authz.require(actor, Action.MANAGE, item)
    if item.trashed_at is None:
        raise Refused(_("Cet élément n'est pas dans la corbeille."))
    parent = item.parent if isinstance(item, Folder) else item.folder
    if parent is not None and parent.hidden:
        parent = None
    kind = Folder if isinstance(item, Folder) else Document
    item.name = _free_name(item.owner_id, parent, kind, item.name, exclude=item.pk)
    item.name_key, item.trashed_at, item.hidden = fold(item.name), None, False
    item.save(update_fields=["name", "name_key", "trashed_at", "hidden", "updated_at"])
    _repath(item, parent)
    if isinstance(item, Folder):
        folders, documents = _subtree(item)
        folders.update(hidden=False)
        documents.update(hidden=False)
        for still in folders.filter(trashed_at__isnull=False):  # trashed on their own before: they stay
            Folder.objects.filter(Q(pk=still.pk) | Q(path__contains=f"/{still.pk}/")).update(hidden=True)
            Document.objects.filter(path__contains=f"/{still.pk}/").update(hidden=True)
        documents.filter(trashed_at__isnull=False).update(hidden=True)
    _record(actor, "restore", item, after=_snapshot(item))
    return item


def _delete(item: Item) -> None:
    uploads.delete_after_commit(_files_of(item))
    if isinstance(item, Document):
        Document.objects.filter(pk=item.pk).update(current=None)
    else:
        Document.objects.filter(path__contains=f"/{item.pk}/").update(current=None)
    item.delete()


@transaction.atomic
def delete_for_good(*, actor: Actor, item: Item) -> None:
    """Delete a folder or a file from the trash, with its versions and files."""
    authz.require(actor, Action.MANAGE, item)
    if item.trashed_at is None:
        raise Refused(_("Mettez d'abord cet élément à la corbeille."))
    _record(actor, "delete", item, before=_snapshot(item))
    _delete(item)


@transaction.atomic
def empty_trash(*, actor: Actor) -> int:
    """Delete everything in one's trash."""
    authz.require(actor, "documents.use_space", None)
    items: list[Item] = [*Folder.objects.filter(owner_id=actor.user_id, trashed_at__isnull=False)]
    items += Document.objects.filter(owner_id=actor.user_id, trashed_at__isnull=False)
    for item in items:
        if type(item).objects.filter(pk=item.pk).exists():  # not gone with a folder already deleted
            _delete(item)
    audit.record(actor=actor, verb="documents.empty_trash", after={"items": len(items)})
    return len(items)


@transaction.atomic
def purge_trash(*, now: dt.datetime | None = None) -> int:
    """The periodic job: delete what has been in a trash for more than 30 days; returns how many items."""
    limit = (now or timezone.now()) - dt.timedelta(days=TRASH_DAYS)
    count = 0
    for model in (Folder, Document):
        for item in model.objects.filter(trashed_at__lt=limit).order_by("path"):
            if model.objects.filter(pk=item.pk).exists():
                audit.record(actor=None, verb="documents.purge", target=item, subject_id=item.owner_id)
                _delete(item)
                count += 1
    return count


# --- sharing ------------------------------------------------------------------------------------------
GRANTEES: dict[str, tuple[str, type[django_models.Model]]] = {
    "person": ("person", User),
    "class": ("school_class", SchoolClass),
    "group": ("group", Group),
    "staff": ("staff_of", Establishment),
}


@transaction.atomic
def share(*, actor: Actor, item: Item, kind: str, grantee_id: int, level: str) -> Share:
    """Share a folder or a file with a person, a class, a group or an establishment's staff, when the
    communication rules allow it (``Refused`` gives their reason); sharing again changes the level."""
    authz.require(actor, Action.MANAGE, item)
    if item.hidden:
        raise Refused(_("Cet élément est dans la corbeille."))
    if kind not in GRANTEES or level not in Share.Level.values:
        raise Refused(_("Choisissez avec qui partager."))
    field, model = GRANTEES[kind]
    grantee = grantee_id if kind == "person" else model._default_manager.filter(pk=grantee_id).first()
    decision = queries.share_decision(actor, kind, grantee)
    if not decision.allowed:
        raise Refused(decision.reason, code="rules")
    target = {_kind(item): item}
    found, created = Share.objects.get_or_create(
        owner_id=item.owner_id, **target, **{f"{field}_id": grantee_id}, defaults={"level": level}
    )
    before = None if created else {"level": found.level}
    found.level = level
    found.save(update_fields=["level"])
    after = {"kind": kind, "grantee": grantee_id, "level": level, "reason": decision.reason}
    _record(actor, "share", item, before=before, after=after, subject_id=grantee_id if kind == "person" else None)
    return found


@transaction.atomic
def revoke_share(*, actor: Actor, share: Share) -> None:
    """Stop a share at once: the next request of the people it reached is refused."""
    authz.require(actor, Action.DELETE, share)
    before = {"level": share.level, "person": share.person_id, "class": share.school_class_id}
    _record(actor, "revoke_share", share, before=before | {"group": share.group_id, "staff": share.staff_of_id})
    share.delete()


# --- quotas -------------------------------------------------------------------------------------------
@transaction.atomic
def set_quotas(*, actor: Actor, establishment: Establishment | None, values: dict[str, int]) -> int:
    """Set each role's space in bytes: the region's ceilings (no establishment) or an establishment's values,
    which may not pass the region's. Returns how many rules changed."""
    authz.require(actor, "documents.set_quotas", establishment)
    ceilings = queries.region_ceilings()
    changed = 0
    for role, size in values.items():
        if role not in Role.values:
            continue
        if establishment is not None and size > ceilings.get(role, 0):
            raise Refused(
                _("%(role)s : la région autorise au plus %(max)s.")
                % {"role": Role(role).label, "max": french.size(ceilings.get(role, 0))}
            )
        rule, created = QuotaRule.objects.get_or_create(
            establishment=establishment, role=role, defaults={"max_bytes": size}
        )
        if created or rule.max_bytes != size:
            before = None if created else {"max_bytes": rule.max_bytes}
            rule.max_bytes = size
            rule.save(update_fields=["max_bytes"])
            audit.record(
                actor=actor,
                verb="documents.set_quota",
                target=rule,
                before=before,
                after={"role": role, "max_bytes": size},
                establishment_id=establishment.pk if establishment else None,
            )
            changed += 1
    return changed


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
def _erase_space(model: type[django_models.Model], user: User) -> int:
    rows = list(model._default_manager.filter(owner=user, parent__isnull=True) if model is Folder else [])
    if model is Document:
        rows = list(Document.objects.filter(owner=user))
    for row in rows:
        _delete(row)
    return len(rows)


ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Folder: _erase_space,  # a person's space goes with them, files included
    Document: _erase_space,
    Version: erasure.unlink("uploaded_by"),  # what they added to others' shared folders stays, unsigned
    Share: erasure.delete("owner", "person"),
    UploadSession: erasure.delete("owner"),  # the partial file goes with the sweep of orphan files
    Resource: erasure.unlink("author"),  # the class keeps its resources, unsigned
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="documents", rules=ERASURE, user=user, model=model, actor=actor)
