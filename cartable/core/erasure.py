"""Erasure rules: what an app's ``erase_personal_data`` action does to each model holding personal data.

A data provider (``registry.personal_data``) names its app's action by dotted path; the action looks the
model up in the app's rules, applies its rule and records the erasure in the audit trail, in one
transaction. A rule takes the model and the person and returns how many rows it changed::

    ERASURE = {Absence: erasure.delete("student"), RollCall: erasure.keep("the lesson's record")}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models

from cartable.core import audit

type Rule = Callable[[type[models.Model], Any], int]


def delete(*fields: str, **only: Any) -> Rule:
    """Delete the rows pointing to the person through each of ``fields`` (those matching ``only``)."""

    def rule(model: type[models.Model], user: Any) -> int:
        return sum(model._default_manager.filter(**{name: user}, **only).delete()[0] for name in fields)

    return rule


def unlink(*fields: str) -> Rule:
    """Keep the rows, without the person: each of ``fields`` pointing to them is emptied."""

    def rule(model: type[models.Model], user: Any) -> int:
        return sum(model._default_manager.filter(**{name: user}).update(**{name: None}) for name in fields)

    return rule


def keep(why: str) -> Rule:
    """Nothing is erased (``why`` says which obligation keeps the rows, and who they name)."""

    def rule(model: type[models.Model], user: Any) -> int:
        return 0

    return rule


def each(*rules: Rule) -> Rule:
    """The rules one after the other (delete what the person owns, then unlink what they only touched)."""

    def rule(model: type[models.Model], user: Any) -> int:
        return sum(one(model, user) for one in rules)

    return rule


def erase(
    *, app: str, rules: Mapping[type[models.Model], Rule], user: Any, model: type[models.Model], actor: Any
) -> int:
    """Apply ``model``'s rule to ``user`` and record it as ``<app>.erase_personal_data``; call it inside the
    app's atomic action. ``LookupError`` when the app has no rule for ``model``."""
    try:
        rule = rules[model]
    except KeyError:
        raise LookupError(f"{app} has no erasure rule for {model._meta.label}: add one to its actions.py.") from None
    rows = rule(model, user)
    audit.record(
        actor=actor,
        verb=f"{app}.erase_personal_data",
        target=user,
        subject_id=user.pk,
        after={"model": model._meta.label, "rows": rows},
    )
    return rows
