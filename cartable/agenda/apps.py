from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "cartable.agenda"
    label = "agenda"
    verbose_name = _("Agenda")

    def ready(self) -> None:
        from cartable.agenda import hooks, policies  # noqa: F401  (registrations)
