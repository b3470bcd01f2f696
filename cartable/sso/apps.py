from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "cartable.sso"
    label = "sso"
    verbose_name = _("Applications et authentification unique")

    def ready(self) -> None:
        from cartable.sso import hooks, policies  # noqa: F401  (registrations)
