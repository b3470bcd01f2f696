from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cartable.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        from cartable.accounts import hooks, policies  # noqa: F401  (registrations)
