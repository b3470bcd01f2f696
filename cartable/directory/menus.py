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


def _opens_admin(actor) -> bool:
    """The Django admin opens for staff accounts (the regional administration)."""
    return actor.user is not None and actor.user.is_active and actor.user.is_staff


registry.register_menu(
    registry.MenuEntry(
        key="directory.admin", label=_("Administration"), url_name="admin:index", order=95, visible=_opens_admin
    )
)
registry.register_widget(
    registry.Widget(
        key="directory.admin",
        title=_("Administration régionale"),
        template="directory/widgets/admin.html",
        context=lambda actor: {},
        order=1,
        visible=_opens_admin,
    )
)
