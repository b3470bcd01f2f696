"""The dashboard's own widgets: who I am here, and my latest notifications."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.core.models import Notification


def _identity(actor):
    return {"actor": actor}


def _notifications(actor):
    latest = list(Notification.objects.filter(recipient_id=actor.user_id).order_by("-created_at", "-id")[:5])
    return {"notifications": latest}


registry.register_menu(
    registry.MenuEntry(key="dashboard", label=_("Tableau de bord"), url_name="dashboard:home", order=0)
)
registry.register_widget(
    registry.Widget(
        key="identity", title=_("Mon profil"), template="dashboard/widgets/identity.html", context=_identity, order=1000
    )  # last: the header already names the person, their role and establishment
)
registry.register_widget(
    registry.Widget(
        key="notifications",
        title=_("Dernières notifications"),
        template="dashboard/widgets/notifications.html",
        context=_notifications,
        order=10,
    )
)
