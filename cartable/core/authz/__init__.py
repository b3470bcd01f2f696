"""Authorization in one place.

Each app declares one :class:`Policy` per model in its ``policies.py`` and registers it with
:func:`register`. Three entry points only:

* :func:`require` raises :class:`PermissionDenied` when an action is not allowed on an object;
* :func:`access` fetches an object by primary key and checks it, answering the same 404 whether
  the object is missing or forbidden;
* ``Model.objects.visible_to(actor)`` (:class:`ScopedQuerySet`) scopes a list to what the actor
  may see.

What is not a row (a class's gradebook, a week of the log, a council) is checked through a named
permission that the app declares beside its policies with :func:`permission` and that the same entry
points answer: ``authz.require(actor, "grades.view_gradebook", school_class)``; :func:`can` gives a
template its flag.

Deny by default: a model without a policy allows nothing and scopes to nothing.
"""

from cartable.core.authz.base import (
    Action,
    ActorLike,
    DenyAll,
    EstablishmentRolePolicy,
    Permission,
    Policy,
    ScopedManager,
    ScopedQuerySet,
    access,
    allows,
    can,
    permission,
    policy_for,
    register,
    registered_permissions,
    registered_policies,
    require,
    require_or_404,
    scope,
)

__all__ = [
    "Action",
    "ActorLike",
    "DenyAll",
    "EstablishmentRolePolicy",
    "Permission",
    "Policy",
    "ScopedManager",
    "ScopedQuerySet",
    "access",
    "allows",
    "can",
    "permission",
    "policy_for",
    "register",
    "registered_permissions",
    "registered_policies",
    "require",
    "require_or_404",
    "scope",
]
