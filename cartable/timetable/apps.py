from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimetableConfig(AppConfig):
    name = "cartable.timetable"
    label = "timetable"
    verbose_name = _("Emploi du temps")

    def ready(self) -> None:
        from cartable.timetable import hooks, policies  # noqa: F401  (registrations)
