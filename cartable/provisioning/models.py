"""What feeds the directory: import runs and their reports, the AAF function codes as data, the
establishments AAF feeds, and the contact details the académie's directory gives for each person."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, EstablishmentScoped, Role, User

KINDS = (
    "establishments",
    "people",
    "memberships",
    "classes",
    "groups",
    "subjects",
    "enrolments",
    "group_memberships",
    "guardianships",
    "teaching",
    "contacts",
)
OUTCOMES = ("created", "changed", "ended", "unchanged")


class ImportRun(models.Model):
    """One import of a set of files: who, when, which files, what it changed or would change."""

    class SourceKind(models.TextChoices):
        AAF_COMPLETE = "aaf_complete", _("AAF complet")
        AAF_DELTA = "aaf_delta", _("AAF différentiel")
        SIECLE = "siecle", _("SIECLE (élèves, responsables)")
        STS = "sts", _("STS-web (enseignants, services)")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        APPLIED = "applied", _("Appliqué")
        DRY_RUN = "dry_run", _("Simulé (rien d'écrit)")
        REFUSED = "refused", _("Refusé")

    requested_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("demandé par")
    )
    started_at = models.DateTimeField(_("début"), auto_now_add=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    source_kind = models.CharField(_("type"), max_length=16, choices=SourceKind.choices, blank=True)
    dry_run = models.BooleanField(_("simulation"), default=False)
    outcome = models.CharField(_("issue"), max_length=8, choices=Outcome.choices, default=Outcome.RUNNING)
    # [{"name": ..., "sha256": ..., "bytes": ..., "kind": ...}]
    files = models.JSONField(_("fichiers"), default=list)
    # {kind: {"created": n, "changed": n, "ended": n, "unchanged": n}}
    counts = models.JSONField(_("décomptes"), default=dict)
    # [{"file": ..., "line": ..., "message": ...}]
    warnings = models.JSONField(_("avertissements"), default=list)
    errors = models.JSONField(_("erreurs"), default=list)
    # Progress of a run made by the worker: files read, then the difference, then the writing.
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_source_kind_display()} — {self.started_at:%Y-%m-%d %H:%M} — {self.get_outcome_display()}"

    def count(self, outcome: str) -> int:
        """How many rows of every kind had this outcome."""
        return sum(c.get(outcome, 0) for c in self.counts.values())

    @property
    def is_finished(self) -> bool:
        return self.outcome not in (self.Outcome.PENDING, self.Outcome.RUNNING)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, int(self.done * 100 / self.total)) if self.total else 0


class FunctionRole(models.Model):
    """An AAF function code (``ENTPersonFonctions``) and the role it gives; kept as data, edited in the
    admin. A code missing here is reported by the import, never guessed."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    label = models.CharField(_("libellé"), max_length=80)
    role = models.CharField(_("rôle"), max_length=24, choices=[c for c in Role.choices if c[0] != Role.REGIONAL_ADMIN])

    class Meta:
        verbose_name = _("fonction AAF")
        verbose_name_plural = _("fonctions AAF")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} → {self.get_role_display()}"


class FedEstablishment(models.Model):
    """An establishment the académie's directory (AAF) feeds, with its ``ENTStructureJointure``."""

    establishment = models.OneToOneField(Establishment, on_delete=models.CASCADE, related_name="+")
    academy_code = models.CharField(_("académie"), max_length=16)
    jointure = models.CharField(_("jointure"), max_length=64)

    class Meta:
        verbose_name = _("établissement alimenté par l'AAF")
        verbose_name_plural = _("établissements alimentés par l'AAF")
        constraints = [models.UniqueConstraint(fields=["academy_code", "jointure"], name="fed_estab_jointure")]

    def __str__(self) -> str:
        return f"{self.academy_code}:{self.jointure}"


class LocalFeed(models.Model):
    """An establishment the académie's directory does not feed: its own SIECLE exports (students,
    guardians) and STS-web export (teachers, services) do. AAF then refuses it, as these imports refuse
    an establishment AAF feeds (``FedEstablishment``)."""

    establishment = models.OneToOneField(Establishment, on_delete=models.CASCADE, related_name="+")
    started_on = models.DateField(_("depuis le"), default=timezone.localdate)

    class Meta:
        verbose_name = _("établissement alimenté par SIECLE et STS-web")
        verbose_name_plural = _("établissements alimentés par SIECLE et STS-web")

    def __str__(self) -> str:
        return f"{self.establishment_id}: SIECLE/STS"


class ContactDetails(models.Model):
    """A person's postal address and telephones, as the académie's directory gives them."""

    person = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    address = models.CharField(_("adresse"), max_length=255, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=16, blank=True)
    city = models.CharField(_("commune"), max_length=120, blank=True)
    country = models.CharField(_("pays"), max_length=60, blank=True)
    phone = models.CharField(_("téléphone"), max_length=32, blank=True)
    mobile = models.CharField(_("portable"), max_length=32, blank=True)
    address_shared = models.BooleanField(_("adresse diffusable"), default=False)

    class Meta:
        verbose_name = _("coordonnées")
        verbose_name_plural = _("coordonnées")

    def __str__(self) -> str:
        return f"{self.person_id}: {self.city}"


class ImportUpload(models.Model):
    """A file uploaded for a run the worker has not made yet; deleted once the run is over (its name,
    size and SHA-256 stay in the run)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(_("nom"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="provisioning/")

    class Meta:
        verbose_name = _("fichier déposé")
        verbose_name_plural = _("fichiers déposés")

    def __str__(self) -> str:
        return self.name


class LeaverPurge(models.Model):
    """One run of the daily purge of leavers (arrêté du 30 novembre 2006, art. 6): the accounts whose last
    membership ended three months ago, erased through the privacy centre, and those kept (limited)."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminée")
        PARTIAL = "partial", _("Incomplète")  # some erasures failed: the next run tries them again
        STOPPED = "stopped", _("Interrompue")  # the run was killed before its end: the next run finishes it

    started_at = models.DateTimeField(_("début"), auto_now_add=True)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    cutoff = models.DateField(_("dernière inscription finie au plus tard le"))
    outcome = models.CharField(_("issue"), max_length=8, choices=Outcome.choices, default=Outcome.RUNNING)
    due = models.PositiveIntegerField(_("comptes à effacer"), default=0)
    erased = models.PositiveIntegerField(_("comptes effacés"), default=0)
    limited = models.PositiveIntegerField(_("comptes gardés (traitement limité)"), default=0)
    # [{"person": id, "message": ...}]: the erasures that failed (rolled back; retried by the next run)
    errors = models.JSONField(_("erreurs"), default=list)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("purge des départs")
        verbose_name_plural = _("purges des départs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} — {self.get_outcome_display()}"


class LetterBatch(EstablishmentScoped):
    """A class's activation letters, asked for by its direction or ENT administrator and built by the worker:
    new codes for whoever has not activated their account, in a PDF kept a day for its requester."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêtes")
        FAILED = "failed", _("Échouées")

    school_class = models.ForeignKey(
        "directory.SchoolClass", on_delete=models.CASCADE, related_name="+", verbose_name=_("classe")
    )
    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("demandées par"))
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(_("lettres"), upload_to="provisioning/letters/", blank=True, max_length=200)
    created_at = models.DateTimeField(_("demandées le"), auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("disponibles jusqu'au"))
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("lettres d'activation")
        verbose_name_plural = _("lettres d'activation")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["establishment", "school_class"], name="letters_estab_class")]

    def __str__(self) -> str:
        return f"{self.school_class_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, int(self.done * 100 / self.total)) if self.total else 0
