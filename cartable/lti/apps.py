from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "cartable.lti"
    label = "lti"
    verbose_name = _("Outils LTI")

    def ready(self) -> None:
        from cartable.lti import hooks, policies  # noqa: F401  (registrations)
