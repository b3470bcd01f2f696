from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "cartable.privacy"
    label = "privacy"
    verbose_name = _("Données personnelles")

    def ready(self) -> None:
        from cartable.privacy import hooks, policies  # noqa: F401  (registrations)
