from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "cartable.learning"
    label = "learning"
    verbose_name = _("Apprentissage")

    def ready(self) -> None:
        from cartable.learning import hooks, policies  # noqa: F401  (registrations)
