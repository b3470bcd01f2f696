"""Messagerie: communication rules, messages, each person's mailbox, attachments and abuse reports.

A message is written once and never edited after it is sent. Each participant holds their own copy of it
in their mailbox (:class:`MailboxEntry`): its box (inbox, sent, drafts), their own folder, the trash and
the read state are theirs alone, so deleting a message removes it from one's own mailbox only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, EstablishmentScoped, Role, User


class Reach(models.TextChoices):
    """How far a role may write to another role in an establishment."""

    NONE = "none", _("Personne")
    RELATED = "related", _("Seulement les personnes liées")
    ALL = "all", _("Tout le monde")


class CommunicationRule(EstablishmentScoped):
    """One cell of an establishment's rule table: how far ``author_role`` may write to ``recipient_role``.

    An establishment without rows uses the defaults of ``messaging.rules.DEFAULTS``; a row overrides its cell.
    """

    author_role = models.CharField(_("auteur"), max_length=24, choices=Role.choices)
    recipient_role = models.CharField(_("destinataire"), max_length=24, choices=Role.choices)
    reach = models.CharField(_("portée"), max_length=8, choices=Reach.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("règle de communication")
        verbose_name_plural = _("règles de communication")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "author_role", "recipient_role"], name="messaging_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.author_role} → {self.recipient_role}: {self.reach}"


class Message(EstablishmentScoped):
    """A message (or a draft, while ``sent_at`` is empty). Its thread is its first message's id."""

    thread = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sender = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sent_messages")
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    audience_label = models.CharField(_("destinataires"), max_length=300, blank=True)
    recipient_keys = models.JSONField(default=list, blank=True, help_text=_("Le choix de l'auteur (brouillon)."))
    recipient_ids = models.JSONField(default=list, blank=True, help_text=_("Les personnes à qui il est remis."))
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["establishment", "sent_at"], name="message_estab_sent"),
            models.Index(fields=["establishment", "thread"], name="message_estab_thread"),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def thread_root_id(self) -> int:
        return self.thread_id or self.pk

    @property
    def is_draft(self) -> bool:
        return self.sent_at is None


class Folder(models.Model):
    """A folder a person made for their own messages."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="message_folders")
    name = models.CharField(_("nom"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="messaging_folder_unique")]

    def __str__(self) -> str:
        return self.name


class MailboxEntry(models.Model):
    """A message in one person's mailbox: where it is filed, whether it is read, whether it is in the trash.

    A person's mailbox spans the establishments they belong to, so its index starts with the person; the
    message's establishment is kept for reports and erasure.
    """

    class Box(models.TextChoices):
        INBOX = "inbox", _("Boîte de réception")
        SENT = "sent", _("Envoyés")
        DRAFTS = "drafts", _("Brouillons")

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="entries")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mailbox_entries")
    box = models.CharField(max_length=8, choices=Box.choices)
    folder = models.ForeignKey(Folder, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries")
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    trashed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("mis à la corbeille le"))

    objects = ScopedManager()

    class Meta:
        verbose_name = _("message d'une boîte")
        verbose_name_plural = _("messages des boîtes")
        constraints = [models.UniqueConstraint(fields=["message", "person"], name="messaging_entry_unique")]
        indexes = [
            models.Index(fields=["person", "box", "trashed_at", "sent_at"], name="mailbox_person_box"),
            models.Index(fields=["establishment", "message"], name="mailbox_estab_message"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.message_id} ({self.box})"


class Attachment(EstablishmentScoped):
    """A file joined to a message, checked by content and served only through the guarded view."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("fichier"), upload_to="messaging/%Y/%m/")
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        indexes = [models.Index(fields=["establishment", "message"], name="msg_attachment_estab_msg")]

    def __str__(self) -> str:
        return self.original_name


class Report(EstablishmentScoped):
    """A message reported as abusive to its establishment's direction and ENT administrators."""

    class Status(models.TextChoices):
        OPEN = "open", _("À traiter")
        CLOSED = "closed", _("Traité")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="message_reports")
    reason = models.TextField(_("motif"))
    status = models.CharField(_("état"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("suite donnée"), blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "reporter"], condition=Q(status="open"), name="messaging_report_once_open"
            )
        ]
        indexes = [models.Index(fields=["establishment", "status", "created_at"], name="report_estab_status")]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"
