"""The directory's module, menu entry and dashboard-free registrations (kept apart from hooks.py)."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry

registry.register_module(
    registry.Module(
        key="directory",
        label=_("Annuaire"),
        description=_("La liste des personnes de l'établissement, selon ce que chacun peut voir."),
    )
)
registry.register_menu(
    registry.MenuEntry(
        key="directory",
        label=_("Annuaire"),
        url_name="directory:people",
        order=80,
        module="directory",
        visible=lambda actor: actor.establishment_id is not None,
    )
)
