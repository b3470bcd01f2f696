"""Mes documents: a personal space of folders and files (with versions), its trash, its shares and quotas.

A space is its owner's. ``path`` holds the ids of the folders above a row (``"/3/8/"``, ``"/"`` at the root),
so that a share of a folder reaches everything below it in one query and a move rewrites one prefix.
``hidden`` is true for a row in the trash or below a folder in the trash: only its owner sees it, in the trash.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.core import french
from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, EstablishmentScoped, Group, Role, SchoolClass, Subject, User

ROOT_PATH = "/"


def fold(text: str) -> str:
    """A name as searches compare it: folded as everywhere (``core.french.fold``), spaces collapsed."""
    return " ".join(french.fold(text).split())


class SpaceItem(models.Model):
    """What a folder and a file of a personal space share: where it is (``path``, the ids of the folders
    above it), its name and folded name, and whether it lies in the trash."""

    path = models.CharField(max_length=1000, default=ROOT_PATH)
    name = models.CharField(_("nom"), max_length=200)
    name_key = models.CharField(max_length=200, blank=True, editable=False)
    trashed_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Folder(SpaceItem):
    """A folder of a personal space; ``parent`` empty: at the root."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="document_folders")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["owner", "parent"], name="docfolder_owner_parent"),
            models.Index(fields=["path"], name="docfolder_path"),
            models.Index(fields=["trashed_at"], name="docfolder_trashed"),
        ]

    @property
    def inner_path(self) -> str:
        """The ``path`` of the rows directly inside this folder."""
        return f"{self.path}{self.pk}/"


class Document(SpaceItem):
    """A file of a personal space: its name, where it is, and its current version."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    current = models.ForeignKey("Version", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["owner", "folder"], name="document_owner_folder"),
            models.Index(fields=["path"], name="document_path"),
            models.Index(fields=["trashed_at"], name="document_trashed"),
        ]


class Version(models.Model):
    """One version of a document: its stored file (a generated name), type, size and digest, and its preview
    (a PNG the worker draws: ``preview_state`` pending until then, none for a type without one)."""

    class Preview(models.TextChoices):
        NONE = "none", _("Aperçu indisponible")
        PENDING = "pending", _("Aperçu en préparation")
        READY = "ready", _("Aperçu")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to="documents/%Y/%m/")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="document_versions"
    )
    preview = models.FileField(upload_to="previews/%Y/%m/", blank=True)
    preview_state = models.CharField(max_length=8, choices=Preview.choices, default=Preview.NONE)
    text_key = models.TextField(blank=True, editable=False)  # its text, folded (``fold``), for the search
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="docversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class Share(models.Model):
    """A folder or a file shared by its owner with a person, a class, a group or an establishment's staff."""

    class Level(models.TextChoices):
        READ = "read", _("Lecture")
        CONTRIBUTE = "contribute", _("Contribution")

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="document_shares_given")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="document_shares_received"
    )
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="document_shares"
    )
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="document_shares")
    staff_of = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="document_shares"
    )
    level = models.CharField(_("droit"), max_length=12, choices=Level.choices, default=Level.READ)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("partage")
        verbose_name_plural = _("partages")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(folder__isnull=False) & Q(document__isnull=True))
                | (Q(folder__isnull=True) & Q(document__isnull=False)),
                name="docshare_one_target",
            ),
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, school_class__isnull=True, group__isnull=True, staff_of__isnull=True)
                    | Q(person__isnull=True, school_class__isnull=False, group__isnull=True, staff_of__isnull=True)
                    | Q(person__isnull=True, school_class__isnull=True, group__isnull=False, staff_of__isnull=True)
                    | Q(person__isnull=True, school_class__isnull=True, group__isnull=True, staff_of__isnull=False)
                ),
                name="docshare_one_grantee",
            ),
        ]
        indexes = [
            models.Index(fields=["person"], name="docshare_person"),
            models.Index(fields=["school_class"], name="docshare_class"),
            models.Index(fields=["group"], name="docshare_group"),
            models.Index(fields=["staff_of"], name="docshare_staff"),
        ]

    def __str__(self) -> str:
        return f"{self.folder_id or self.document_id} → {self.grantee_label}"

    @property
    def target(self) -> Folder | Document | None:
        return self.folder if self.folder_id else self.document

    @property
    def grantee_label(self) -> str:
        if self.person_id:
            return self.person.get_full_name() if self.person else ""
        if self.school_class_id:
            return str(_("Classe %(name)s") % {"name": self.school_class.name}) if self.school_class else ""
        if self.group_id:
            return str(_("Groupe %(name)s") % {"name": self.group.name}) if self.group else ""
        return str(_("Les personnels de l'établissement"))


class QuotaRule(models.Model):
    """A role's ceiling: the region's (no establishment) or an establishment's adjustment under it, in bytes."""

    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="document_quotas"
    )
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    max_bytes = models.PositiveBigIntegerField(_("espace"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("quota de documents")
        verbose_name_plural = _("quotas de documents")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "role"], name="docquota_unique_role"),
            models.UniqueConstraint(
                fields=["role"], condition=Q(establishment__isnull=True), name="docquota_unique_region_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.establishment_id or 'région'} {self.role}"


class UploadSession(models.Model):
    """A file being sent in chunks (see docs/architecture.md, « Resumable uploads »): its declared size, what
    has arrived so far in ``partial`` (a local file under MEDIA_ROOT), and where it goes."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="document_uploads")
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    partial = models.FileField(upload_to="documents/partial/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("envoi en cours")
        verbose_name_plural = _("envois en cours")
        constraints = [models.CheckConstraint(condition=Q(received__lte=models.F("size")), name="docupload_within")]
        indexes = [models.Index(fields=["updated_at"], name="docupload_updated")]

    def __str__(self) -> str:
        return f"{self.name} {self.received}/{self.size}"


class ResourceArea(EstablishmentScoped):
    """A class's (or a group's) resources in one subject, published by the teachers of that assignment."""

    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="resource_areas"
    )
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.CASCADE, related_name="resource_areas")
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="resource_areas")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("espace de ressources")
        verbose_name_plural = _("espaces de ressources")
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="resarea_class_xor_group",
            ),
            models.UniqueConstraint(fields=["school_class", "subject"], name="resarea_unique_class_subject"),
            models.UniqueConstraint(fields=["group", "subject"], name="resarea_unique_group_subject"),
        ]
        indexes = [models.Index(fields=["establishment", "school_class"], name="resarea_estab_class")]

    def __str__(self) -> str:
        return f"{self.audience_name} — {self.subject}"

    @property
    def audience_name(self) -> str:
        place = self.school_class if self.school_class_id else self.group
        return place.name if place else ""


class Resource(EstablishmentScoped):
    """A file or a link of a resource area, under a chapter, visible from ``publish_at`` until withdrawn."""

    area = models.ForeignKey(ResourceArea, on_delete=models.CASCADE, related_name="resources")
    chapter = models.CharField(_("chapitre"), max_length=120, blank=True)
    title = models.CharField(_("titre"), max_length=200)
    url = models.URLField(_("lien"), blank=True)
    file = models.FileField(upload_to="resources/%Y/%m/", blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    publish_at = models.DateTimeField(_("publication"), default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        ordering = ["chapter", "title", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(file="") ^ Q(url=""), name="resource_file_xor_link"),
        ]
        indexes = [models.Index(fields=["establishment", "area", "publish_at"], name="resource_estab_area")]

    def __str__(self) -> str:
        return self.title
