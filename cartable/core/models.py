"""Kernel models: the audit trail, the notification outbox and the preferences that route it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager


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
    # The role the actor acted through at the time (memberships change; « Qui a consulté » shows this one).
    role = models.CharField(_("rôle"), max_length=32, blank=True, default="")

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

    objects = ScopedManager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at", "created_at"], name="notif_recipient_unread"),
            # The notices about one thing, taken back when it is deleted (``notify.withdraw``).
            models.Index(fields=["target_type", "target_id"], name="notif_target"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """The outbox: one row per notification and channel beyond in-app, delivered once by a task."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Courriel")
        DIGEST = "digest", _("Résumé quotidien")

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
    # Quiet hours: the e-mail waits until then (the in-app notice is there at once).
    not_before = models.DateTimeField(_("pas avant"), null=True, blank=True)
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


class NotificationPreference(models.Model):
    """How one person wants one kind of notice: in the app only, also by e-mail, in the daily digest, or not
    at all. A row naming a child (``about``) applies to the notices about that child; without a row the
    person's general choice, then the kind's default applies."""

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("Dans Cartable seulement")
        EMAIL = "email", _("Dans Cartable et par courriel")
        DIGEST = "digest", _("Dans Cartable et dans le résumé du jour")
        OFF = "off", _("Jamais")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=64)
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enfant concerné"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("réception"), max_length=8, choices=Channel.choices)

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], condition=Q(about__isnull=True), name="notif_pref_once_general"
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "about"], condition=Q(about__isnull=False), name="notif_pref_once_per_child"
            ),
        ]
        indexes = [models.Index(fields=["kind", "user"], name="notif_pref_kind_user")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}:{self.about_id}:{self.channel}"


class QuietHours(models.Model):
    """When no e-mail goes out: a person's own hours, or an establishment's (set by its administrator).

    A night window (``start``-``end``, crossing midnight when ``start`` > ``end``), and optionally the whole
    weekend. E-mails due in a quiet window wait for its end; the in-app notice is never held."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # A plain id: the kernel knows no school.
    establishment_id = models.BigIntegerField(_("établissement"), null=True, blank=True, unique=True)
    start = models.TimeField(_("début"), null=True, blank=True)
    end = models.TimeField(_("fin"), null=True, blank=True)
    weekends = models.BooleanField(_("tout le week-end"), default=False)

    class Meta:
        verbose_name = _("heures de tranquillité")
        verbose_name_plural = _("heures de tranquillité")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, establishment_id__isnull=True)
                | Q(user__isnull=True, establishment_id__isnull=False),
                name="quiet_hours_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id or ''}/{self.establishment_id or ''} {self.start}-{self.end} {self.weekends}"


class DigestRun(models.Model):
    """One row per person and day a digest was sent: the unique claim that never sends it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("résumé quotidien")
        verbose_name_plural = _("résumés quotidiens")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="digest_once_per_day")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.day}"
