"""The authorization mechanism: policies, the registry of policies, and the three entry points."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404


class Action(StrEnum):
    """What an actor wants to do with an object."""

    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    MANAGE = "manage"


class ActorLike(Protocol):
    """What the kernel needs of an actor; the directory's ``Actor`` provides it."""

    @property
    def user_id(self) -> int | None: ...

    @property
    def is_authenticated(self) -> bool: ...


class Policy[M: models.Model]:
    """Who may do what on one model: a yes/no check and the queryset of what an actor may see.

    Subclasses override :meth:`allows` and :meth:`scope`; both deny by default.
    """

    model: type[models.Model]

    def allows(self, actor: Any, action: Action | str, obj: M) -> bool:
        return False

    def scope(self, actor: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        return queryset.none()


class DenyAll(Policy):
    """The policy of a model nobody declared: nothing is allowed, nothing is visible."""


_policies: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model]):
    """Class decorator: ``@authz.register(Grade)`` makes the policy the one for ``Grade``."""

    def decorate(policy_class: type[Policy]) -> type[Policy]:
        policy = policy_class()
        policy.model = model
        if model in _policies:
            raise RuntimeError(f"A policy is already registered for {model.__name__}.")
        _policies[model] = policy
        return policy_class

    return decorate


def registered_policies() -> dict[type[models.Model], Policy]:
    return dict(_policies)


def policy_for(model: type[models.Model]) -> Policy:
    concrete = model._meta.concrete_model or model
    return _policies.get(concrete, DenyAll())


def allows(actor: Any, action: Action | str, obj: models.Model) -> bool:
    """True when ``actor`` may perform ``action`` on ``obj``. Anonymous actors may do nothing."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return policy_for(type(obj)).allows(actor, action, obj)


def require(actor: Any, action: Action | str, obj: models.Model) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may perform ``action`` on ``obj``."""
    if not allows(actor, action, obj):
        raise PermissionDenied


def scope[M: models.Model](actor: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
    """Narrow ``queryset`` to the rows ``actor`` may see."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return queryset.none()
    return policy_for(queryset.model).scope(actor, queryset)


def access[M: models.Model](
    actor: Any,
    model: type[M] | models.QuerySet[M],
    pk: Any,
    action: Action | str = Action.VIEW,
) -> M:
    """Fetch one object and check ``action`` on it; the same 404 whether missing or forbidden.

    ``model`` may be a queryset to preload related rows (``select_related``) in the same query.
    """
    queryset = model if isinstance(model, models.QuerySet) else model._default_manager.all()
    try:
        obj = queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not allows(actor, action, obj):
        raise Http404
    return obj


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what an actor may see."""

    def visible_to(self, actor: Any) -> models.QuerySet:
        return scope(actor, self)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass
