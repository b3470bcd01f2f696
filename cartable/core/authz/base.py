"""The authorization mechanism: policies, the registry of policies, and the three entry points."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
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

    @property
    def is_regional_admin(self) -> bool: ...

    def establishments_where(self, roles: Iterable[str]) -> frozenset[int]: ...


class Policy[M: models.Model]:
    """Who may do what on one model: a yes/no check and the queryset of what an actor may see.

    Subclasses override :meth:`allows` and :meth:`scope`; both deny by default.
    """

    model: type[models.Model]

    def allows(self, actor: Any, action: Action | str, obj: M) -> bool:
        return False

    def scope(self, actor: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        return queryset.none()


class DenyAll(Policy[models.Model]):
    """The policy of a model nobody declared: nothing is allowed, nothing is visible."""


type AnyPolicy = Policy[Any]

_policies: dict[type[models.Model], AnyPolicy] = {}


def register(model: type[models.Model]) -> Callable[[type[AnyPolicy]], type[AnyPolicy]]:
    """Class decorator: ``@authz.register(Grade)`` makes the policy the one for ``Grade``."""

    def decorate(policy_class: type[AnyPolicy]) -> type[AnyPolicy]:
        policy = policy_class()
        policy.model = model
        if model in _policies:
            raise RuntimeError(f"A policy is already registered for {model.__name__}.")
        _policies[model] = policy
        return policy_class

    return decorate


def registered_policies() -> dict[type[models.Model], AnyPolicy]:
    return dict(_policies)


def policy_for(model: type[models.Model]) -> AnyPolicy:
    concrete = model._meta.concrete_model or model
    return _policies.get(concrete, DenyAll())


# --- named permissions: checks on what is not a row ------------------------------------------------
type Check = Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Permission:
    """A named check: ``check(actor, obj)`` answers whether the actor may; ``about`` is the model of the
    objects it is asked about (a class, an establishment...), or None for a check about nothing (the
    actor alone), so that the suite can ask every permission for every persona."""

    name: str
    check: Check
    about: type[Any] | None
    examples: Callable[[], Iterable[Any]] | None = None


_permissions: dict[str, Permission] = {}


def permission(
    name: str, *, about: type[Any] | None, examples: Callable[[], Iterable[Any]] | None = None
) -> Callable[[Check], Check]:
    """Decorator: ``@authz.permission("grades.view_gradebook", about=SchoolClass)`` declares the check of
    something that is not a row (a class's gradebook, a week of the log, a council). The function takes
    ``(actor, obj)``, where ``obj`` is an instance of ``about`` (None when ``about`` is None), and answers
    True or False. When ``about`` is not a model (a timetable lesson is computed, not stored), ``examples``
    gives a few such objects, so that the suite can ask the permission about them for every persona.

    Views, templates and the API then ask it by name through :func:`require`, :func:`allows` or
    :func:`can`, exactly as they ask a policy about a row."""

    if "." not in name:
        raise ValueError(f"A permission is named app.verb, not {name!r}.")

    def decorate(check: Check) -> Check:
        known = _permissions.get(name)
        if known is not None and known.check is not check:
            raise RuntimeError(f"The permission {name!r} is registered twice.")
        _permissions[name] = Permission(name, check, about, examples)
        return check

    return decorate


def registered_permissions() -> dict[str, Permission]:
    return dict(_permissions)


def _is_named(action: Action | str) -> bool:
    return not isinstance(action, Action) and "." in action


def allows(actor: Any, action: Action | str, obj: Any) -> bool:
    """True when ``actor`` may perform ``action`` on ``obj``. Anonymous actors may do nothing.

    ``action`` is an :class:`Action` on a row (its model's policy decides) or the name of a registered
    permission (``"grades.view_gradebook"``); an unknown name is a programming error and raises."""
    if _is_named(action):
        try:
            named = _permissions[str(action)]
        except KeyError:
            raise LookupError(f"No permission is registered as {action!r}.") from None
        if actor is None or not getattr(actor, "is_authenticated", False):
            return False
        return bool(named.check(actor, obj))
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return policy_for(type(obj)).allows(actor, action, obj)


def can(actor: Any, name: str, obj: Any = None) -> bool:
    """The answer of a named permission, for a template's flag: ``{"can_publish": authz.can(...)}``."""
    if not _is_named(name):
        raise ValueError(f"{name!r} is not a permission name (app.verb).")
    return allows(actor, name, obj)


def require(actor: Any, action: Action | str, obj: Any) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` may perform ``action`` on ``obj`` (a row's action
    or a named permission)."""
    if not allows(actor, action, obj):
        raise PermissionDenied


def require_or_404(actor: Any, action: Action | str, obj: Any) -> None:
    """Like :func:`require`, but answer the 404 of a missing object: for checks whose refusal must not
    tell that the thing exists (another class's gradebook looks like no gradebook)."""
    if not allows(actor, action, obj):
        raise Http404


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
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not allows(actor, action, obj):
        raise Http404
    return obj


class ScopedQuerySet[M: models.Model](models.QuerySet[M]):
    """A queryset that knows how to narrow itself to what an actor may see."""

    def visible_to(self, actor: Any) -> models.QuerySet[M]:
        return scope(actor, self)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    pass


# --- base policies for the shapes that repeat --------------------------------------------------------
class EstablishmentRolePolicy[M: models.Model](Policy[M]):
    """Rows of an establishment (``establishment_id``) that some of its roles see and others change.

    Subclasses declare ``roles``: for each action, the role set whose holders in the row's establishment
    may perform it (the kernel names no role: the sets come from the directory). The regional administrator
    may do everything when ``regional_admin`` is true. Actions not listed are refused."""

    roles: ClassVar[dict[str, frozenset[str]]] = {}
    regional_admin: ClassVar[bool] = True
    establishment_field: ClassVar[str] = "establishment_id"

    def allows(self, actor: Any, action: Action | str, obj: M) -> bool:
        if actor.user_id is None:
            return False
        if self.regional_admin and actor.is_regional_admin:
            return True
        wanted = self.roles.get(str(action))
        return bool(wanted) and getattr(obj, self.establishment_field) in actor.establishments_where(wanted)

    def scope(self, actor: Any, queryset: models.QuerySet[M]) -> models.QuerySet[M]:
        if actor.user_id is None:
            return queryset.none()
        if self.regional_admin and actor.is_regional_admin:
            return queryset
        wanted = self.roles.get(str(Action.VIEW))
        if not wanted:
            return queryset.none()
        return queryset.filter(**{f"{self.establishment_field}__in": sorted(actor.establishments_where(wanted))})
