"""Notifications: models. The notices, deliveries, preferences and quiet hours live in the kernel
(``cartable.core.models``), since ``notify`` applies the preferences where it writes; this app keeps what only
its jobs need."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReminderRun(models.Model):
    """One row per reminder kind and day: the unique claim that sends a day's reminders once."""

    kind = models.CharField(_("type"), max_length=64)
    day = models.DateField(_("jour"))
    ran_at = models.DateTimeField(auto_now_add=True)
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("envoi de rappels")
        verbose_name_plural = _("envois de rappels")
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="reminder_once_per_day")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.day}"
