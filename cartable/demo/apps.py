from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo's commands (``load_demo``, ``seed``) and its welcome notice; no models, no pages."""

    name = "cartable.demo"
    label = "demo"

    def ready(self) -> None:
        from cartable.demo import hooks  # noqa: F401  (registrations)
