from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisciplineConfig(AppConfig):
    name = "cartable.discipline"
    label = "discipline"
    verbose_name = _("Discipline")

    def ready(self) -> None:
        from cartable.discipline import hooks, policies  # noqa: F401  (registrations)
