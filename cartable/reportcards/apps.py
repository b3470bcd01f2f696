from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportcardsConfig(AppConfig):
    name = "cartable.reportcards"
    label = "reportcards"
    verbose_name = _("Bulletins")

    def ready(self) -> None:
        from cartable.reportcards import hooks, policies  # noqa: F401  (registrations)
