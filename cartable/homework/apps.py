from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeworkConfig(AppConfig):
    name = "cartable.homework"
    label = "homework"
    verbose_name = _("Cahier de textes")

    def ready(self) -> None:
        from cartable.homework import hooks, policies  # noqa: F401  (registrations)
