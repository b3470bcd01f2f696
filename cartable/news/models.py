"""Actualités: establishment news with an audience, and region-wide news from the regional administrator."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.core.authz import ScopedManager
from cartable.directory.models import Establishment, SchoolClass, User


class NewsItem(models.Model):
    """A piece of news shown from ``publish_at`` until ``expires_at`` to its audience.

    ``establishment`` empty: region-wide news, written by the regional administrator for everyone in the region.
    """

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Tout l'établissement")
        CLASSES = "classes", _("Certaines classes (élèves et familles)")
        STAFF = "staff", _("Personnels seulement")
        FAMILIES = "families", _("Familles seulement")

    establishment = models.ForeignKey(
        Establishment, null=True, blank=True, on_delete=models.CASCADE, related_name="news_items"
    )
    audience = models.CharField(_("public"), max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    classes = models.ManyToManyField(SchoolClass, blank=True, related_name="news_items", verbose_name=_("classes"))
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), blank=True)
    pinned = models.BooleanField(_("épinglée"), default=False)
    publish_at = models.DateTimeField(_("publication"), default=timezone.now)
    expires_at = models.DateTimeField(_("expiration"), null=True, blank=True)
    image = models.FileField(_("image"), upload_to="news/%Y/%m/", blank=True)
    image_name = models.CharField(_("nom de l'image"), max_length=200, blank=True)
    image_type = models.CharField(max_length=100, blank=True)
    image_alt = models.CharField(_("texte alternatif"), max_length=250, blank=True)
    author = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="news_items", verbose_name=_("auteur")
    )
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")
        ordering = ["-pinned", "-publish_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("publish_at")), name="news_dates"
            ),
            models.CheckConstraint(
                condition=Q(establishment__isnull=False) | Q(audience="everyone"), name="news_region_everyone"
            ),
            models.CheckConstraint(condition=Q(image="") | ~Q(image_alt=""), name="news_image_alt"),
        ]
        indexes = [
            models.Index(fields=["establishment", "publish_at"], name="news_estab_publish"),
            models.Index(fields=["notified_at", "publish_at"], name="news_to_announce"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_regional(self) -> bool:
        return self.establishment_id is None

    def state(self, now=None) -> str:
        """``scheduled``, ``published`` or ``expired`` at ``now``."""
        now = now or timezone.now()
        if self.publish_at > now:
            return "scheduled"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "published"
