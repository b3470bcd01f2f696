"""Forums: a class's, a group's, the establishment's and the staff room; topics, posts and subscriptions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import EstablishmentScoped, Group, SchoolClass, User


class Forum(EstablishmentScoped):
    """A place to talk. Class and group forums are made by their teachers or the staff; the establishment
    forum and the staff room exist once per establishment."""

    class Kind(models.TextChoices):
        CLASS = "class", _("Classe")
        GROUP = "group", _("Groupe")
        ESTABLISHMENT = "establishment", _("Établissement")
        STAFF = "staff", _("Salle des professeurs")

    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    school_class = models.ForeignKey(
        SchoolClass, null=True, blank=True, on_delete=models.CASCADE, related_name="forums", verbose_name=_("classe")
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.CASCADE, related_name="forums", verbose_name=_("groupe")
    )
    title = models.CharField(_("titre"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    open_to_parents = models.BooleanField(
        _("ouvert aux parents"), default=False, help_text=_("Les parents des élèves lisent et écrivent aussi.")
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["kind", "title", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="class", school_class__isnull=False, group__isnull=True))
                | Q(kind="group", school_class__isnull=True, group__isnull=False)
                | Q(kind__in=["establishment", "staff"], school_class__isnull=True, group__isnull=True),
                name="forum_kind_target",
            ),
            models.UniqueConstraint(
                fields=["establishment", "kind"],
                condition=Q(kind__in=["establishment", "staff"]),
                name="forum_one_per_establishment",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "kind"], name="forum_estab_kind")]

    def __str__(self) -> str:
        return self.title


class Topic(EstablishmentScoped):
    """A conversation in a forum; a moderator may lock it (no more replies but theirs)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("titre"), max_length=200)
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("auteur"))
    created_at = models.DateTimeField(default=timezone.now)
    last_post_at = models.DateTimeField()
    post_count = models.PositiveIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("sujet")
        verbose_name_plural = _("sujets")
        ordering = ["-last_post_at", "-id"]
        indexes = [models.Index(fields=["establishment", "forum", "last_post_at"], name="topic_estab_forum_last")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Post(EstablishmentScoped):
    """A message in a topic. A hidden post keeps its text for the moderators and shows who hid it, and when."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("auteur"))
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("message de forum")
        verbose_name_plural = _("messages de forum")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["establishment", "topic", "created_at"], name="post_estab_topic_created")]

    def __str__(self) -> str:
        return f"{self.topic} #{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Subscription(EstablishmentScoped):
    """A person follows a forum (every new post) or one topic."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="forum_subscriptions")
    forum = models.ForeignKey(Forum, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        constraints = [
            models.CheckConstraint(
                condition=Q(forum__isnull=False, topic__isnull=True) | Q(forum__isnull=True, topic__isnull=False),
                name="subscription_forum_xor_topic",
            ),
            models.UniqueConstraint(fields=["user", "forum"], name="subscription_unique_forum"),
            models.UniqueConstraint(fields=["user", "topic"], name="subscription_unique_topic"),
        ]
        indexes = [
            models.Index(fields=["establishment", "forum"], name="subscription_estab_forum"),
            models.Index(fields=["establishment", "topic"], name="subscription_estab_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.forum or self.topic}"


# The forums every establishment has from its opening, with their titles: stored data, in French like the rest
# of the school's data (not interface strings).
STANDING = ((Forum.Kind.ESTABLISHMENT, "Forum de l'établissement"), (Forum.Kind.STAFF, "Salle des professeurs"))
