from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "cartable.forums"
    label = "forums"
    verbose_name = _("Forums")

    def ready(self) -> None:
        from cartable.forums import hooks, policies  # noqa: F401  (registrations)
