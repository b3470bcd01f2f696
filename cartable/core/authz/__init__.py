"""Authorization in one place.

Each app declares one :class:`Policy` per model in its ``policies.py`` and registers it with
:func:`register`. Three entry points only:

* :func:`require` raises :class:`PermissionDenied` when an action is not allowed on an object;
* :func:`access` fetches an object by primary key and checks it, answering the same 404 whether
  the object is missing or forbidden;
* ``Model.objects.visible_to(actor)`` (:class:`ScopedQuerySet`) scopes a list to what the actor
  may see.

Deny by default: a model without a policy allows nothing and scopes to nothing.
"""

from cartable.core.authz.base import (
    Action,
    ActorLike,
    DenyAll,
    Policy,
    ScopedManager,
    ScopedQuerySet,
    access,
    allows,
    policy_for,
    register,
    registered_policies,
    require,
    scope,
)

__all__ = [
    "Action",
    "ActorLike",
    "DenyAll",
    "Policy",
    "ScopedManager",
    "ScopedQuerySet",
    "access",
    "allows",
    "policy_for",
    "register",
    "registered_policies",
    "require",
    "scope",
]
