from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Installed for its management commands (``load_demo``, ``seed``); it has no models, pages nor hooks."""

    name = "cartable.demo"
    label = "demo"
