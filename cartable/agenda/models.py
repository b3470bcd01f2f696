"""Agenda models: events with an audience, and secret calendar-feed tokens."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, SchoolClass, User


class Event(models.Model):
    """Something on a date: a meeting, a trip, a parent-teacher evening, an exam week, or a personal note.

    Establishment events have an audience; class events concern the listed classes (their students,
    guardians and teachers); personal events are seen by their owner only.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Réunion")
        TRIP = "trip", _("Sortie")
        PARENTS_EVENING = "parents_evening", _("Rencontre parents-professeurs")
        EXAMS = "exams", _("Examens")
        CEREMONY = "ceremony", _("Cérémonie")
        OTHER = "other", _("Autre")
        PERSONAL = "personal", _("Personnel")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Tout l'établissement")
        STAFF = "staff", _("Personnels")
        FAMILIES = "families", _("Familles")
        STUDENTS = "students", _("Élèves")
        CLASSES = "classes", _("Certaines classes")
        PERSONAL = "personal", _("Moi seulement")

    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    audience = models.CharField(_("public"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    classes = models.ManyToManyField(SchoolClass, blank=True, related_name="events", verbose_name=_("classes"))
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    all_day = models.BooleanField(_("toute la journée"), default=False)
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="events", verbose_name=_("auteur"))
    sequence = models.PositiveIntegerField(default=0, help_text=_("Augmente à chaque modification (iCalendar)."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="event_dates"),
            models.CheckConstraint(
                condition=Q(audience="personal") | Q(establishment__isnull=False), name="event_establishment"
            ),
        ]
        indexes = [models.Index(fields=["establishment", "start"], name="event_estab_start")]

    def __str__(self) -> str:
        return self.title


class CalendarFeed(models.Model):
    """A person's secret feed address. Only a hash of the token is kept; regenerating revokes the old one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    child = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Pour un parent : le flux d'un seul enfant ; vide : tous les enfants."),
    )
    role = models.CharField(
        max_length=24, blank=True, help_text=_("Le rôle pour lequel le flux a été créé (enseignant, parent...).")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("flux d'agenda")
        verbose_name_plural = _("flux d'agenda")
        indexes = [models.Index(fields=["user", "revoked_at"], name="feed_user_active")]

    def __str__(self) -> str:
        return f"{self.user} ({'révoqué' if self.revoked_at else 'actif'})"
