from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cartable.core"
    label = "core"
    verbose_name = _("Noyau")

    def ready(self) -> None:
        from cartable.core import hooks  # noqa: F401  (registrations)
