"""Kernel models: the audit trail and the notification outbox."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One row per write (and per sensitive read), in the same transaction as the change."""

    class Kind(models.TextChoices):
        WRITE = "write", _("Modification")
        READ = "read", _("Consultation")

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.WRITE)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Plain ids, not foreign keys: the kernel knows no school, and the trail outlives its targets.
    establishment_id = models.BigIntegerField(_("établissement"), null=True, blank=True)
    subject_id = models.BigIntegerField(
        _("personne concernée"), null=True, blank=True, help_text=_("La personne dont les données sont en jeu.")
    )
    verb = models.CharField(_("action"), max_length=80)
    target_type = models.CharField(_("type d'objet"), max_length=80, blank=True)
    target_id = models.CharField(_("objet"), max_length=64, blank=True)
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["establishment_id", "at"], name="audit_estab_at"),
            models.Index(fields=["subject_id", "at"], name="audit_subject_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.verb} {self.target_type}:{self.target_id}"


class Notification(models.Model):
    """An in-app notice for one person, written by ``notify`` in the same transaction as its cause."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("type"), max_length=64)
    # The student the notice is about, when it goes to their guardians: preferences can differ per child.
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concerne"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    establishment_id = models.BigIntegerField(_("établissement"), null=True, blank=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "created_at"], name="notif_recipient_unread")]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """The outbox: one row per notification and channel beyond in-app, delivered once by a task."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Courriel")

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyée")
        FAILED = "failed", _("Échec")
        SKIPPED = "skipped", _("Non envoyée")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text=_("Quand un processus a pris l'envoi."))
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel")]
        indexes = [models.Index(fields=["status", "created_at"], name="delivery_pending")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.notification_id}:{self.status}"


class JobRun(models.Model):
    """When each periodic job was last queued: the claim that keeps two workers from queuing it twice."""

    key = models.CharField(max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self) -> str:
        return self.key
