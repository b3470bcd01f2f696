from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "cartable.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from cartable.documents import hooks, policies  # noqa: F401  (registrations)
