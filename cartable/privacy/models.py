"""The privacy centre's own rows: a person's archive of their data (« Mes données »).

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
