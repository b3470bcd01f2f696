"""Who may read and write documents.

A personal space is its owner's and its sharees' only: not the direction, not the ENT administrator, not the
region. A share reaches its folder and everything below it (``path``), for the people it names now: a class
share reaches the class's current students, a group share the group's, a staff share the establishment's
current staff. *Lecture* reads and downloads; *contribution* also adds files and new versions to a shared
folder (or a new version of a shared file). Only the owner renames, moves, copies, trashes and shares. A row
in the trash (``hidden``) is its owner's only, so trashing a shared folder stops its shares at once.

Class resource areas (per class or group and subject): seen by its current students, their guardians, the
teachers of that assignment and the direction, each resource from its publication date until withdrawn; the
teachers of that assignment publish and see everything in it.

Quota rules: the region's (no establishment) are the regional administrator's; an establishment's are read
and set by its direction and ENT administrators (and the region).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import ADMIN_ROLES, STAFF_ROLES, Establishment, Role
from cartable.documents.models import (
    Document,
    Folder,
    QuotaRule,
    Resource,
    ResourceArea,
    Share,
    UploadSession,
    Version,
)

Level = Share.Level


def received_shares(actor: Actor) -> list[Share]:
    """The shares that reach the actor now, with their target and owner (one query, once per request)."""

    def load() -> list[Share]:
        if actor.user_id is None:
            return []
        reach = Q(person_id=actor.user_id)
        if actor.has_role(Role.STUDENT):
            reach |= Q(school_class_id__in=sorted(actor.class_ids)) | Q(group_id__in=sorted(actor.group_ids))
        staff_of = actor.establishments_where(STAFF_ROLES)
        if staff_of:
            reach |= Q(staff_of_id__in=sorted(staff_of))
        return list(
            Share.objects.filter(reach)
            .exclude(owner_id=actor.user_id)
            .select_related("owner", "folder", "document__current", "school_class", "group", "staff_of")
            .order_by("-created_at", "-id")
        )

    return actor.memo("documents.received_shares", load)


def _live(share: Share) -> bool:
    target = share.folder if share.folder_id else share.document
    return target is not None and not target.hidden


def level_of(actor: Actor, item: Folder | Document) -> str | None:
    """``owner``, ``contribute``, ``read`` or None: what the actor may do with a folder or a file."""
    if actor.user_id is None:
        return None
    if item.owner_id == actor.user_id:
        return "owner"
    if item.hidden:
        return None
    found: str | None = None
    ancestors = set(item.ancestor_ids)
    is_folder = isinstance(item, Folder)
    for share in received_shares(actor):
        if not _live(share):
            continue
        hits = share.folder_id in ancestors or (
            share.folder_id == item.pk if is_folder else share.document_id == item.pk
        )
        if hits:
            if share.level == Level.CONTRIBUTE:
                return Level.CONTRIBUTE
            found = Level.READ
    return found


def shared_q(actor: Actor, *, folders: bool) -> Q:
    """The rows the actor's received shares reach, as a Q (no query beyond the shares)."""
    reach = Q(pk__in=[])
    for share in received_shares(actor):
        if not _live(share):
            continue
        if share.folder_id:
            reach |= Q(path__contains=f"/{share.folder_id}/")
            if folders:
                reach |= Q(pk=share.folder_id)
        elif not folders:
            reach |= Q(pk=share.document_id)
    return reach


def _scope[M: (Folder, Document)](actor: Actor, queryset: QuerySet[M], *, folders: bool) -> QuerySet[M]:
    if actor is None or actor.user_id is None:
        return queryset.none()
    return queryset.filter(Q(owner_id=actor.user_id) | (Q(hidden=False) & shared_q(actor, folders=folders)))


def _allows(actor: Actor, action: Action | str, obj: Folder | Document) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    level = level_of(actor, obj)
    if action == Action.VIEW:
        return level is not None
    if action == Action.CHANGE:  # new versions of a file
        return level in ("owner", Level.CONTRIBUTE)
    if action in (Action.CREATE, Action.DELETE, Action.MANAGE):
        return level == "owner"
    return False


@authz.register(Folder)
class FolderPolicy(authz.Policy[Folder]):
    """Folders: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Folder) -> bool:
        return _allows(actor, action, obj)

    def scope(self, actor: Actor, queryset: QuerySet[Folder]) -> QuerySet[Folder]:
        return _scope(actor, queryset, folders=True)


@authz.register(Document)
class DocumentPolicy(authz.Policy[Document]):
    """Files: see the module docstring."""

    def allows(self, actor: Actor, action: Action | str, obj: Document) -> bool:
        return _allows(actor, action, obj)

    def scope(self, actor: Actor, queryset: QuerySet[Document]) -> QuerySet[Document]:
        return _scope(actor, queryset, folders=False)


@authz.register(Version)
class VersionPolicy(authz.Policy[Version]):
    """A version: as its file."""

    def allows(self, actor: Actor, action: Action | str, obj: Version) -> bool:
        return _allows(actor, Action.VIEW if action == Action.VIEW else Action.MANAGE, obj.document)

    def scope(self, actor: Actor, queryset: QuerySet[Version]) -> QuerySet[Version]:
        return queryset.filter(document__in=_scope(actor, Document.objects.all(), folders=False))


@authz.register(Share)
class SharePolicy(authz.Policy[Share]):
    """A share: its owner sees and revokes it; the people it reaches see it (« Partagés avec moi »)."""

    def allows(self, actor: Actor, action: Action | str, obj: Share) -> bool:
        if actor is None or actor.user_id is None:
            return False
        if obj.owner_id == actor.user_id:
            return True
        return action == Action.VIEW and any(s.pk == obj.pk for s in received_shares(actor))

    def scope(self, actor: Actor, queryset: QuerySet[Share]) -> QuerySet[Share]:
        if actor is None or actor.user_id is None:
            return queryset.none()
        return queryset.filter(Q(owner_id=actor.user_id) | Q(pk__in=[s.pk for s in received_shares(actor)]))


def quota_establishments(actor: Actor) -> frozenset[int]:
    return actor.establishments_where(ADMIN_ROLES)


@authz.register(QuotaRule)
class QuotaRulePolicy(authz.Policy[QuotaRule]):
    """Class resource areas (per class or group and subject): seen by its current students, their guardians, the
    teachers of that assignment and the direction, each resource from its publication date until withdrawn; the
    teachers of that assignment publish and see everything in it.

    Quota rules: the region's for the regional administrator; an establishment's for its managers."""

    def allows(self, actor: Actor, action: Action | str, obj: QuotaRule) -> bool:
        if actor is None or not actor.is_authenticated:
            return False
        if actor.is_regional_admin:
            return True
        return obj.establishment_id is not None and obj.establishment_id in quota_establishments(actor)

    def scope(self, actor: Actor, queryset: QuerySet[QuotaRule]) -> QuerySet[QuotaRule]:
        if actor is None or not actor.is_authenticated:
            return queryset.none()
        if actor.is_regional_admin:
            return queryset
        return queryset.filter(establishment_id__in=sorted(quota_establishments(actor)))


@authz.permission("documents.contribute", about=Folder)
def can_contribute(actor: Actor, folder: Folder) -> bool:
    """Add files to a folder: its owner, and the people it is shared with in contribution."""
    return _allows(actor, Action.CHANGE, folder)


@authz.permission("documents.set_quotas", about=Establishment)
def can_set_quotas(actor: Actor, establishment: Establishment | None) -> bool:
    """Set the quotas: the region's ceilings (no establishment) for the region; an establishment's for its
    direction and ENT administrators."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_regional_admin:
        return True
    return establishment is not None and establishment.pk in quota_establishments(actor)


@authz.permission("documents.use_space", about=None)
def can_use_space(actor: Actor, _obj: None = None) -> bool:
    """Have a personal space: every signed-in person with a current membership."""
    return actor is not None and actor.is_authenticated and bool(actor.memberships)


@authz.register(UploadSession)
class UploadSessionPolicy(authz.Policy[UploadSession]):
    """A file being sent: its sender's only."""

    def allows(self, actor: Actor, action: Action | str, obj: UploadSession) -> bool:
        return actor is not None and actor.user_id is not None and obj.owner_id == actor.user_id

    def scope(self, actor: Actor, queryset: QuerySet[UploadSession]) -> QuerySet[UploadSession]:
        if actor is None or actor.user_id is None:
            return queryset.none()
        return queryset.filter(owner_id=actor.user_id)


# --- class resource areas ---------------------------------------------------------------------------------
def teaches_area(actor: Actor, area: ResourceArea) -> bool:
    """The teachers of that assignment: that subject to that class or group, now."""
    return actor.teaches_subject_to(subject_id=area.subject_id, class_id=area.school_class_id, group_id=area.group_id)


def _family_places(actor: Actor) -> tuple[frozenset[int], frozenset[int]]:
    classes: frozenset[int] = frozenset()
    groups: frozenset[int] = frozenset()
    if actor.has_role(Role.STUDENT):
        classes, groups = classes | actor.class_ids, groups | actor.group_ids
    if actor.has_role(Role.GUARDIAN):
        classes, groups = classes | actor.children_class_ids, groups | actor.children_group_ids
    return classes, groups


def sees_area(actor: Actor, area: ResourceArea) -> bool:
    """Its students and their guardians, its teachers, the establishment's direction."""
    if actor is None or actor.user_id is None:
        return False
    if area.establishment_id in actor.direction_ids or teaches_area(actor, area):
        return True
    classes, groups = _family_places(actor)
    return (area.school_class_id in classes) or (area.group_id in groups)


def area_q(actor: Actor, prefix: str = "") -> Q:
    """The areas the actor sees, as a Q (``prefix`` ``"area__"`` for resources)."""
    classes, groups = _family_places(actor)
    reach = Q(**{f"{prefix}establishment_id__in": sorted(actor.direction_ids)})
    reach |= Q(**{f"{prefix}school_class_id__in": sorted(classes)}) | Q(**{f"{prefix}group_id__in": sorted(groups)})
    return reach | taught_q(actor, prefix)


def taught_q(actor: Actor, prefix: str = "") -> Q:
    reach = Q(pk__in=[])
    for t in actor.teaching:
        place = {f"{prefix}school_class_id": t.class_id} if t.class_id else {f"{prefix}group_id": t.group_id}
        reach |= Q(**place, **{f"{prefix}subject_id": t.subject_id})
    return reach


@authz.register(ResourceArea)
class ResourceAreaPolicy(authz.Policy[ResourceArea]):
    """A resource area: seen by its students, their guardians, its teachers and the direction; its teachers
    publish in it."""

    def allows(self, actor: Actor, action: Action | str, obj: ResourceArea) -> bool:
        if action == Action.VIEW:
            return sees_area(actor, obj)
        return actor is not None and actor.user_id is not None and teaches_area(actor, obj)

    def scope(self, actor: Actor, queryset: QuerySet[ResourceArea]) -> QuerySet[ResourceArea]:
        if actor is None or actor.user_id is None:
            return queryset.none()
        return queryset.filter(area_q(actor))


def resource_published(resource: Resource) -> bool:
    return resource.withdrawn_at is None and resource.publish_at <= timezone.now()


@authz.register(Resource)
class ResourcePolicy(authz.Policy[Resource]):
    """A resource: those who see its area, once published and until withdrawn; its area's teachers always."""

    def allows(self, actor: Actor, action: Action | str, obj: Resource) -> bool:
        if actor is None or actor.user_id is None:
            return False
        if teaches_area(actor, obj.area):
            return True
        return action == Action.VIEW and resource_published(obj) and sees_area(actor, obj.area)

    def scope(self, actor: Actor, queryset: QuerySet[Resource]) -> QuerySet[Resource]:
        if actor is None or actor.user_id is None:
            return queryset.none()
        published = Q(withdrawn_at__isnull=True, publish_at__lte=timezone.now())
        return queryset.filter(taught_q(actor, "area__") | (published & area_q(actor, "area__")))


@authz.permission("documents.publish_resource", about=ResourceArea)
def can_publish_resource(actor: Actor, area: ResourceArea) -> bool:
    """Publish in a class's resource area: the teachers of that assignment."""
    return actor is not None and actor.user_id is not None and teaches_area(actor, area)
