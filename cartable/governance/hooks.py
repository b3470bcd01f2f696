"""Governance registrations: its menu entry, for those who manage the establishment."""

from django.utils.translation import gettext_lazy as _

from cartable.core import authz, registry
from cartable.core.authz import Action
from cartable.directory.models import Role, orders_for


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


def _tasks(actor) -> dict | None:
    from cartable.governance.queries import admin_tasks

    return admin_tasks(actor)


registry.register_widget(
    registry.Widget(
        key="governance.tasks",
        title=_("Administration de l'établissement"),
        template="governance/widgets/tasks.html",
        context=_tasks,
        order=30,
        visible=_manages,
        orders=orders_for(({Role.ESTABLISHMENT_ADMIN}, 1)),  # her day's work: first on her dashboard
        cache_for=60,  # activations are audited writes, which forget every copy at once
        changes_with=("accounts.activate", "accounts.deactivate", "directory.", "governance."),
    )
)
