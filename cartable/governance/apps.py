from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "cartable.governance"
    label = "governance"
    verbose_name = _("Gouvernance")

    def ready(self) -> None:
        from cartable.governance import hooks  # noqa: F401  (registrations)
