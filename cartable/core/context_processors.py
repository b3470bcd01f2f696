"""Template context shared by every page: site facts and the person's navigation."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from cartable.core import registry


def site(request) -> dict:
    return {"SITE_NAME": settings.CARTABLE_SITE_NAME, "DEMO": settings.DEMO}


def navigation(request) -> dict:
    """The menu entries the actor may use, computed only if the page shows them."""
    actor = getattr(request, "actor", None)
    if actor is None:
        return {}

    def menu():
        if not actor.is_authenticated:
            return []
        return registry.visible_items(registry.menu_entries(), actor, actor.module_settings)

    return {"actor": actor, "menu": SimpleLazyObject(menu)}
