from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "cartable.directory"
    label = "directory"
    verbose_name = _("Annuaire")

    def ready(self) -> None:
        from cartable.directory import hooks, menus, policies  # noqa: F401  (registrations)
