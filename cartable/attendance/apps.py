from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "cartable.attendance"
    label = "attendance"
    verbose_name = _("Vie scolaire : appel et absences")

    def ready(self) -> None:
        from cartable.attendance import hooks, policies  # noqa: F401  (registrations)
