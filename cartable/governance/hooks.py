"""Governance registrations: its menu entry, for those who manage the establishment."""

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.core.authz import Action


def _manages(actor) -> bool:
    return actor.establishment is not None and authz.allows(actor, Action.MANAGE, actor.establishment)


registry.register_menu(
    registry.MenuEntry(
        key="governance",
        label=_("Établissement"),
        url_name="governance:modules",
        order=90,
        visible=_manages,
    )
)
