"""Erasure rules: what an app's ``erase_personal_data`` action does to each model holding personal data.

A data provider (``registry.personal_data``) names its app's action by dotted path; the action looks the
model up in the app's rules, applies its rule and records the erasure in the audit trail, in one
transaction. A rule takes the model and the person and returns how many rows it changed::

    ERASURE = {Absence: erasure.delete("student"), RollCall: erasure.keep("the lesson's record")}

The same rule applies a retention rule (``registry.RetentionRule``) to the rows past their time: the rules made
here also answer ``rule.rows(model, queryset)`` (delete those rows, or anonymise them by emptying the fields),
which ``expire`` calls. A rule written by hand (a plain function) erases a person only: the retention of its
model is applied by its app's own job (``RetentionRule.job``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from django.db import models

from cartable.core import audit


class Rule(Protocol):
    def __call__(self, model: type[models.Model], user: Any, /) -> int: ...


class RowsRule:
    """A rule that erases a person's rows (``rule(model, user)``) and, for retention, given rows
    (``rule.rows(model, queryset)``)."""

    def __init__(
        self,
        person: Callable[[type[models.Model], Any], int],
        rows: Callable[[type[models.Model], models.QuerySet], int],
    ) -> None:
        self._person = person
        self._rows = rows

    def __call__(self, model: type[models.Model], user: Any) -> int:
        return self._person(model, user)

    def rows(self, model: type[models.Model], queryset: models.QuerySet) -> int:
        return self._rows(model, queryset)


def delete(*fields: str, **only: Any) -> RowsRule:
    """Delete the rows pointing to the person through each of ``fields`` (those matching ``only``)."""

    def person(model: type[models.Model], user: Any) -> int:
        return sum(model._default_manager.filter(**{name: user}, **only).delete()[0] for name in fields)

    def rows(model: type[models.Model], queryset: models.QuerySet) -> int:
        return queryset.filter(**only).delete()[0]

    return RowsRule(person, rows)


def unlink(*fields: str) -> RowsRule:
    """Keep the rows, without the person: each of ``fields`` pointing to them is emptied."""

    def person(model: type[models.Model], user: Any) -> int:
        return sum(model._default_manager.filter(**{name: user}).update(**{name: None}) for name in fields)

    def rows(model: type[models.Model], queryset: models.QuerySet) -> int:
        named = models.Q()
        for name in fields:
            named |= models.Q(**{f"{name}__isnull": False})
        return queryset.filter(named).update(**dict.fromkeys(fields))

    return RowsRule(person, rows)


def keep(why: str) -> RowsRule:
    """Nothing is erased (``why`` says which obligation keeps the rows, and who they name)."""

    def nothing(model: type[models.Model], target: Any) -> int:
        return 0

    return RowsRule(nothing, nothing)


def each(*rules: Rule) -> RowsRule:
    """The rules one after the other (delete what the person owns, then unlink what they only touched)."""

    def person(model: type[models.Model], user: Any) -> int:
        return sum(one(model, user) for one in rules)

    def rows(model: type[models.Model], queryset: models.QuerySet) -> int:
        return sum(expire_rows(one, model, queryset) for one in rules)

    return RowsRule(person, rows)


def expire_rows(rule: Rule, model: type[models.Model], queryset: models.QuerySet) -> int:
    """Apply ``rule`` to the rows of ``queryset`` (``TypeError`` for a hand-written rule, which cannot)."""
    if not isinstance(rule, RowsRule):
        raise TypeError(
            f"The erasure rule of {model._meta.label} erases a person only: its app's job applies its retention."
        )
    return rule.rows(model, queryset)


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
