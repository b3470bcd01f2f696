from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    name = "cartable.news"
    label = "news"
    verbose_name = _("Actualités")

    def ready(self) -> None:
        from cartable.news import hooks, policies  # noqa: F401  (registrations)
