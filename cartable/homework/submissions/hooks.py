"""Online submission's registrations: the notification sent when feedback is returned."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry

registry.register_notification_kind(
    registry.NotificationKind(
        key="homework.feedback",
        label=_("Retour du professeur sur un travail déposé"),
        default_channels=("in_app", "email"),
    )
)
