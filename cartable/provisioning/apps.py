from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProvisioningConfig(AppConfig):
    name = "cartable.provisioning"
    label = "provisioning"
    verbose_name = _("Alimentation de l'annuaire")

    def ready(self) -> None:
        from cartable.provisioning import hooks, policies  # noqa: F401  (registrations)
