from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "cartable.dashboard"
    label = "dashboard"
    verbose_name = _("Tableau de bord")

    def ready(self) -> None:
        from cartable.dashboard import hooks  # noqa: F401  (registrations)
