"""The privacy centre's own rows: a person's archive of their data (« Mes données »).

* ``PrivacyRequest``: a request to the DPO (access, rectification, erasure, limitation, objection), its due
  date, extension and answer.
* ``DataExport``: one archive asked for by ``requested_by`` about ``subject`` (themself, or a child they are
  legally responsible for), built by a background task with its progress (``done``/``total`` providers),
  kept ``KEPT_FOR`` for the requester only, then purged with its file.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import EstablishmentScoped

KEPT_FOR = dt.timedelta(days=7)


class DataExport(models.Model):
    """An archive of one person's data, asked for by themself or by a legal guardian."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prête")
        FAILED = "failed", _("Échouée")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandée par"), on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne concernée"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(_("archive"), upload_to="privacy/exports/", blank=True, max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("disponible jusqu'au"))
    error = models.TextField(blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("archive de données personnelles")
        verbose_name_plural = _("archives de données personnelles")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "expires_at"], name="export_requester_expiry")]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 January + 1: 28 February)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


class PrivacyRequest(EstablishmentScoped):
    """A request to the data protection officer (RGPD art. 15 to 21), for oneself or a child one is legally
    responsible for; answered by the establishment's head (the controller) or the region (its DPO).

    Due one month after receipt (art. 12(3)); extendable once by two more months, with the reason told to
    the person within the first month. Portability (art. 20) does not apply to a public task: the page offers
    the archive of « Mes données » instead."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Accès à mes données (art. 15)")
        RECTIFICATION = "rectification", _("Rectification (art. 16)")
        ERASURE = "erasure", _("Effacement (art. 17)")
        LIMITATION = "limitation", _("Limitation du traitement (art. 18)")
        OBJECTION = "objection", _("Opposition (art. 21)")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Reçue")
        EXTENDED = "extended", _("Délai prolongé")
        GRANTED = "granted", _("Accordée")
        PARTLY = "partly", _("Accordée en partie")
        REFUSED = "refused", _("Refusée")

    OPEN = (Status.RECEIVED, Status.EXTENDED)

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("demandeur"), on_delete=models.CASCADE, related_name="+"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne concernée"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("demande"), max_length=16, choices=Kind.choices)
    body = models.TextField(_("votre demande"))
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    received_at = models.DateTimeField(_("reçue le"), default=timezone.now)
    due_on = models.DateField(_("réponse due le"))
    extension_reason = models.TextField(_("raison de la prolongation"), blank=True)
    extended_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("réponse"), blank=True)
    closed_at = models.DateTimeField(_("répondue le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("demande au délégué à la protection des données")
        verbose_name_plural = _("demandes au délégué à la protection des données")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["establishment", "status", "due_on"], name="privreq_estab_status_due"),
            models.Index(fields=["requester", "received_at"], name="privreq_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject_id} — {self.status}"

    @property
    def title(self) -> str:
        """What the request is, as its page's heading and its notices name it."""
        return str(self.get_kind_display())

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def first_due_on(self) -> dt.date:
        """One month after receipt: the answer's due date, and the last day to tell of an extension."""
        return add_months(timezone.localtime(self.received_at).date(), 1)

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())


class Limitation(models.Model):
    """« Traitement limité » (RGPD art. 18): a person's data frozen while it lasts.

    Frozen means, concretely: nothing erases or anonymises the person's data, neither the retention job
    (``privacy.retention``) nor ``actions.erase_person`` (art. 18(1)(b) and (c): the person wants it kept, or
    needs it for a claim); the data stays readable for the reasons art. 18(2) allows (the person's consent, a
    legal claim, the school's legal obligations), and the person's « Mes données » page says it is limited.
    Set when a limitation request is granted, lifted by its handler (the person is told first, art. 18(3))."""

    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne concernée"), on_delete=models.CASCADE, related_name="+"
    )
    request = models.ForeignKey(
        PrivacyRequest, verbose_name=_("demande"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("motif"), blank=True)
    since = models.DateTimeField(_("depuis le"), default=timezone.now)
    lifted_at = models.DateTimeField(_("levée le"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("levée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("limitation du traitement")
        verbose_name_plural = _("limitations du traitement")
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject"], condition=models.Q(lifted_at__isnull=True), name="limitation_one_current"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject_id} {self.since:%Y-%m-%d}"

    @property
    def is_current(self) -> bool:
        return self.lifted_at is None


def limited_people() -> models.QuerySet:
    """The ids of the people whose processing is limited now (a subquery)."""
    return Limitation.objects.filter(lifted_at__isnull=True).values("subject_id")
