"""Reads of « Mes documents », scoped to the actor, in a fixed number of queries whatever the files."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from cartable.core import french
from cartable.directory.actor import Actor, current
from cartable.directory.models import STAFF_ROLES, Establishment, Group, Membership, Role, SchoolClass, Subject
from cartable.documents import policies
from cartable.documents.models import Document, Folder, QuotaRule, Resource, ResourceArea, Share, Version, fold
from cartable.messaging.queries import Explainer

MiB = 1024 * 1024
WARN_AT = 0.9


def max_file_bytes() -> int:
    return int(settings.CARTABLE_DOCUMENTS_MAX_FILE_BYTES)


# --- quotas -------------------------------------------------------------------------------------------
def region_ceilings(rules: list[QuotaRule] | None = None) -> dict[str, int]:
    """Each role's ceiling: the region's rule, else the settings' default."""
    ceilings = {str(role): int(size) for role, size in settings.CARTABLE_DOCUMENTS_QUOTAS.items()}
    if rules is None:
        rules = list(QuotaRule.objects.filter(establishment__isnull=True))
    for rule in rules:
        if rule.establishment_id is None:
            ceilings[rule.role] = rule.max_bytes
    return ceilings


def _quota(places: list[tuple[int | None, str]]) -> int:
    establishments = sorted({e for e, _r in places if e is not None})
    rules = list(QuotaRule.objects.filter(Q(establishment__isnull=True) | Q(establishment_id__in=establishments)))
    ceilings = region_ceilings(rules)
    adjusted = {(r.establishment_id, r.role): r.max_bytes for r in rules if r.establishment_id is not None}
    best = 0
    for establishment_id, role in places:
        ceiling = ceilings.get(role, 0)
        best = max(best, min(ceiling, adjusted.get((establishment_id, role), ceiling)))
    return best


def quota_of(user_id: int, actor: Actor | None = None) -> int:
    """A person's space in bytes: the largest over their current roles of the establishment's value (capped by
    the region's ceiling) or the region's. One query for the actor, two for another person."""
    if actor is not None and actor.user_id == user_id:
        places = [(m.establishment_id, m.role) for m in actor.memberships]
    else:
        places = list(current(Membership.objects.filter(person_id=user_id)).values_list("establishment_id", "role"))
    return _quota(places)


def usage_of(user_id: int) -> int:
    """Bytes a space holds: every version of every file, the trash's included (one query)."""
    return int(Version.objects.filter(document__owner_id=user_id).aggregate(total=Sum("size"))["total"] or 0)


@dataclass
class Gauge:
    used: int
    quota: int

    @property
    def left(self) -> int:
        return max(self.quota - self.used, 0)

    @property
    def ratio(self) -> float:
        return self.used / self.quota if self.quota else 1.0

    @property
    def warning(self) -> bool:
        return self.ratio >= WARN_AT

    @property
    def high(self) -> int:
        return int(self.quota * WARN_AT)

    @property
    def left_text(self) -> str:
        return french.size(self.left) if self.left else _("0 Mo")

    @property
    def used_text(self) -> str:
        return french.size(self.used) if self.used else _("0 Mo")

    @property
    def text(self) -> str:
        return _("%(used)s utilisés sur %(quota)s") % {"used": self.used_text, "quota": french.size(self.quota)}


def gauge(actor: Actor) -> Gauge:
    """The actor's gauge, shown on every page of the space (two queries)."""
    assert actor.user_id is not None
    return Gauge(used=usage_of(actor.user_id), quota=quota_of(actor.user_id, actor))


def quota_establishment(actor: Actor) -> Establishment | None:
    """What the quota page is about: the region's ceilings for the region, else the active establishment."""
    return None if actor.is_regional_admin else actor.establishment


def quota_table(establishment: Establishment | None) -> list[dict]:
    """The quota page: each role's region ceiling and, for an establishment, its adjustment (one query)."""
    rules = list(QuotaRule.objects.filter(Q(establishment__isnull=True) | Q(establishment=establishment)))
    ceilings = region_ceilings(rules)
    mine = {r.role: r.max_bytes for r in rules if establishment is not None and r.establishment_id == establishment.pk}
    rows = []
    for role in Role:
        if establishment is not None and role == Role.REGIONAL_ADMIN:
            continue
        ceiling = ceilings.get(role, 0)
        value = mine.get(role)
        rows.append(
            {
                "role": str(role),
                "label": role.label,
                "ceiling": ceiling,
                "ceiling_text": french.size(ceiling),
                "value_mb": (value if value is not None else ceiling) // MiB,
                "adjusted": value is not None,
            }
        )
    return rows


# --- a folder's page ----------------------------------------------------------------------------------
@dataclass
class Listing:
    folder: Folder | None
    folders: list[Folder]
    documents: list[Document]
    crumbs: list[Folder] = field(default_factory=list)


def folder_queryset() -> QuerySet[Folder]:
    return Folder.objects.select_related("owner")


def document_queryset() -> QuerySet[Document]:
    return Document.objects.select_related("owner", "current", "folder")


def listing(actor: Actor, folder: Folder | None) -> Listing:
    """What a folder holds (the actor's root when None) and the way up to it that the actor may see; three
    queries: the folders inside, the files with their current version, the folders above."""
    if folder is None:
        folders = Folder.objects.filter(owner_id=actor.user_id, parent__isnull=True, hidden=False)
        documents = Document.objects.filter(owner_id=actor.user_id, folder__isnull=True, hidden=False)
        return Listing(None, list(folders.order_by("name", "id")), list(documents.select_related("current")))
    folders = Folder.objects.filter(parent=folder, hidden=False).order_by("name", "id")
    documents = Document.objects.filter(folder=folder, hidden=False).select_related("current").order_by("name", "id")
    above = folder.ancestor_ids
    crumbs = list(Folder.objects.visible_to(actor).filter(pk__in=above)) if above else []
    crumbs.sort(key=lambda f: above.index(f.pk))
    return Listing(folder, list(folders), list(documents), crumbs)


def trash(actor: Actor) -> tuple[list[Folder], list[Document]]:
    """What the actor put in the trash, newest first (two queries)."""
    mine = {"owner_id": actor.user_id, "trashed_at__isnull": False}
    return (
        list(Folder.objects.filter(**mine).order_by("-trashed_at", "-id")),
        list(Document.objects.filter(**mine).select_related("current").order_by("-trashed_at", "-id")),
    )


def shared_with_me(actor: Actor) -> list[Share]:
    """« Partagés avec moi »: what others share with the actor now, newest first, by whom (one query)."""
    return [s for s in policies.received_shares(actor) if not (s.folder or s.document).hidden]  # type: ignore[union-attr]


def versions(document: Document) -> list[Version]:
    """A file's versions, newest first, with who sent them (one query)."""
    return list(document.versions.select_related("uploaded_by").order_by("-number"))


def shares_of(item: Folder | Document) -> list[Share]:
    """Who the owner shares a folder or a file with (one query)."""
    key = "folder" if isinstance(item, Folder) else "document"
    return list(
        Share.objects.filter(**{key: item}).select_related("person", "school_class", "group", "staff_of").order_by("id")
    )


def move_targets(actor: Actor, item: Folder | Document | None = None) -> list[Folder]:
    """The actor's folders a row may go to (not itself nor below it), by path (one query)."""
    folders = Folder.objects.filter(owner_id=actor.user_id, hidden=False).order_by("path", "name")
    if isinstance(item, Folder):
        folders = folders.exclude(pk=item.pk).exclude(path__contains=f"/{item.pk}/")
    return list(folders)


# --- sharing: who may share with whom ----------------------------------------------------------------
@dataclass(frozen=True)
class ShareDecision:
    allowed: bool
    reason: str


def share_decision(actor: Actor, kind: str, grantee: object) -> ShareDecision:
    """Whether the actor may share with that person, class, group or staff, and why (the communication
    rules of the messaging decide for a person)."""
    if kind == "person" and isinstance(grantee, int):
        decision = Explainer(actor, [grantee])(grantee)
        return ShareDecision(decision.allowed, decision.reason)
    if kind in ("class", "group") and isinstance(grantee, (SchoolClass, Group)):
        if actor.holds_in(grantee.establishment_id, STAFF_ROLES):
            return ShareDecision(True, _("Les personnels de l'établissement peuvent partager avec ses classes."))
        return ShareDecision(
            False, _("Seuls les personnels de l'établissement partagent avec une classe ou un groupe.")
        )
    if kind == "staff" and isinstance(grantee, Establishment):
        if actor.holds_in(grantee.pk, STAFF_ROLES):
            return ShareDecision(True, _("Vous faites partie des personnels de cet établissement."))
        return ShareDecision(False, _("Seuls les personnels de l'établissement partagent avec ses personnels."))
    return ShareDecision(False, _("Cette personne est introuvable."))


def share_choices(actor: Actor) -> dict[str, list]:
    """The classes, groups and staff the actor may share with: those of the establishments where they are staff
    (two queries)."""
    where = sorted(actor.establishments_where(STAFF_ROLES))
    classes = list(SchoolClass.objects.filter(establishment_id__in=where).order_by("name")) if where else []
    groups = list(Group.objects.filter(establishment_id__in=where).order_by("name")) if where else []
    staff = [m.establishment for m in actor.memberships if m.establishment_id in where and m.establishment]
    return {"classes": classes, "groups": groups, "staff": list({e.pk: e for e in staff}.values())}


# --- class resource areas ---------------------------------------------------------------------------------
@dataclass
class AreaChoice:
    """A line of the areas page: an area that exists, or an assignment whose teacher may open one."""

    label: str
    subject: Subject
    area: ResourceArea | None = None
    school_class: SchoolClass | None = None
    group: Group | None = None


def areas(actor: Actor) -> list[AreaChoice]:
    """The areas the actor sees, and for a teacher the assignments without an area yet (three queries)."""
    found = list(
        ResourceArea.objects.visible_to(actor)
        .select_related("school_class", "group", "subject")
        .order_by("school_class__name", "group__name", "subject__name")
    )
    lines = [AreaChoice(f"{a.audience_name} — {a.subject.name}", a.subject, a) for a in found]
    have = {(a.school_class_id, a.group_id, a.subject_id) for a in found}
    missing = [t for t in actor.teaching if (t.class_id, t.group_id, t.subject_id) not in have]
    if missing:
        classes = SchoolClass.objects.in_bulk([t.class_id for t in missing if t.class_id])
        groups = Group.objects.in_bulk([t.group_id for t in missing if t.group_id])
        subjects = Subject.objects.in_bulk([t.subject_id for t in missing])
        for t in missing:
            place = classes.get(t.class_id) if t.class_id else groups.get(t.group_id)
            subject = subjects[t.subject_id]
            line = AreaChoice(f"{place.name if place else ''} — {subject.name}", subject)
            line.school_class, line.group = classes.get(t.class_id or 0), groups.get(t.group_id or 0)
            lines.append(line)
    return lines


def area_queryset() -> QuerySet[ResourceArea]:
    return ResourceArea.objects.select_related("school_class", "group", "subject", "establishment")


def area_resources(actor: Actor, area: ResourceArea) -> list[tuple[str, list[Resource]]]:
    """An area's resources the actor sees, by chapter (one query)."""
    rows = Resource.objects.visible_to(actor).filter(area=area).order_by("chapter", "title", "id")
    chapters: dict[str, list[Resource]] = {}
    for resource in rows:
        chapters.setdefault(resource.chapter, []).append(resource)
    return list(chapters.items())


def resource_picker(actor: Actor, *, school_class_id: int | None = None, group_id: int | None = None) -> list[Resource]:
    """The resources a teacher may link (from a homework, a learning path): those of the areas they teach,
    for one class or group when given, published or scheduled, not withdrawn (one query)."""
    rows = Resource.objects.filter(policies.taught_q(actor, "area__"), withdrawn_at__isnull=True)
    if school_class_id is not None:
        rows = rows.filter(area__school_class_id=school_class_id)
    if group_id is not None:
        rows = rows.filter(area__group_id=group_id)
    return list(rows.select_related("area__subject").order_by("area__subject__name", "chapter", "title"))


@dataclass(frozen=True)
class ResourceReference:
    """What a page that links a resource shows: its title and address, or « ressource retirée »."""

    title: str
    url: str
    withdrawn: bool


def resource_reference(actor: Actor, resource_id: int) -> ResourceReference:
    """A linked resource as the actor may see it now (one query): a withdrawn, missing or not yet published
    one reads « ressource retirée »."""
    resource = Resource.objects.visible_to(actor).filter(pk=resource_id, withdrawn_at__isnull=True).first()
    if resource is None:
        return ResourceReference(_("ressource retirée"), "", True)
    return ResourceReference(resource.title, reverse("documents:resource", args=[resource.pk]), False)


# --- search -------------------------------------------------------------------------------------------
SEARCH_MAX = 50


def search(actor: Actor, words: str) -> tuple[list[Folder], list[Document]]:
    """Folders and files the actor may open whose names (or, for a file, its current version's text: a PDF's,
    a text file's) hold every word, accents and case aside (« expose » finds « Exposé »): one's own space and
    what is shared with one, the trash left out. Two queries (three when something is shared with the actor)."""
    keys = fold(words).split()[:6]
    if not keys:
        return [], []
    folders = Folder.objects.visible_to(actor).filter(hidden=False)
    documents = Document.objects.visible_to(actor).filter(hidden=False)
    for key in keys:
        folders = folders.filter(name_key__contains=key)
        documents = documents.filter(Q(name_key__contains=key) | Q(current__text_key__contains=key))
    return (
        list(folders.select_related("owner").order_by("name", "id")[:SEARCH_MAX]),
        list(documents.select_related("owner", "current", "folder").order_by("name", "id")[:SEARCH_MAX]),
    )
