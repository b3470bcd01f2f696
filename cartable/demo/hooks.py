"""The demo's registrations: the notice greeting each persona (its key keeps the directory's prefix, under
which people's preferences already group it)."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry

registry.register_notification_kind(
    registry.NotificationKind(key="directory.demo_welcome", label=_("Bienvenue dans la démonstration"))
)
