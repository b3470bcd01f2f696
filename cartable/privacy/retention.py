"""Retention that acts: the rows past their registered ``RetentionRule`` go, through their app's erasure rule.

``report(now)`` is the dry run the DPO reads (how many rows each rule would remove today, one count per
rule); ``apply(now)`` runs them in batches of ``BATCH`` rows, each batch one transaction with one audit row
``<app>.apply_retention`` (model, rows, cutoff). A second run finds nothing more. The account rule (an
account whose last membership ended ``ACCOUNT_MONTHS`` months ago, none current: ``expired_accounts``) is
applied by the account life cycle's own daily job, ``provisioning.purge_leavers``, which erases each person
through ``erase_person`` and keeps a record of its runs.

Rows naming a person whose processing is limited (``models.Limitation``) are never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cartable.core import audit, dates, erasure, registry
from cartable.directory.models import Membership, User
from cartable.privacy.models import add_months, limited_people

JOB = "privacy.apply_retention"
BATCH = 500
# Arrêté du 30 novembre 2006, art. 6: erased no later than three months after the last entitlement ends; the
# daily job erases on the day the three months are over.
ACCOUNT_MONTHS = 3
ERASED_PREFIX = "efface-"  # directory.actions' anonymised accounts: efface-<id>
ACCOUNT_RULE_SOURCE = gettext_lazy("Arrêté du 30 novembre 2006, art. 6 : effacement dans les trois mois")


@dataclass(frozen=True)
class Due:
    """One rule's work today: what, from when, how many rows (the dry run's line)."""

    label: str  # app_label.Model, or "accounts" for the account rule
    what: str
    rule: str
    cutoff: Any
    rows: int


def rules() -> list[tuple[registry.DataProvider, registry.RetentionRule]]:
    """The providers whose rule this job applies (a clock, and ``job`` left to ``privacy.apply_retention``)."""
    found = []
    for provider in registry.data_providers().values():
        rule = provider.retention_rule
        if rule is not None and not rule.with_account and rule.job == JOB:
            found.append((provider, rule))
    return sorted(found, key=lambda pair: pair[0].model._meta.label)


def clock_field(model: type[models.Model], path: str) -> Any:
    """The field a clock names, through relations (``roll_call__start``)."""
    *hops, last = path.split("__")
    for hop in hops:
        model = model._meta.get_field(hop).related_model  # type: ignore[assignment]
    return model._meta.get_field(last)


def cutoff(rule: registry.RetentionRule, model: type[models.Model], now: dt.datetime) -> dt.date | dt.datetime:
    """The clock's value before which a row has passed its time (a date for a date field)."""
    today = timezone.localdate(now)
    is_date = not isinstance(clock_field(model, rule.clock), models.DateTimeField)
    if rule.until == registry.RetentionRule.SCHOOL_YEAR:
        start = dates.school_year(today - rule.keep)[0]
        if is_date:
            return start
        return timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    return today - rule.keep if is_date else now - rule.keep


def expired(provider: registry.DataProvider, rule: registry.RetentionRule, now: dt.datetime) -> models.QuerySet:
    """The provider's rows past their time that still name someone, leaving out the people under limitation."""
    model = provider.model
    rows = model._default_manager.filter(**{f"{rule.clock}__lt": cutoff(rule, model, now)}, **rule.where)
    named = Q()
    for name in provider.user_fields:
        named |= Q(**{f"{name}__isnull": False})
    rows = rows.filter(named)
    for name in provider.user_fields:
        rows = rows.exclude(**{f"{name}__in": limited_people()})
    return rows


def account_cutoff(today: dt.date) -> dt.date:
    """The latest last day of entitlement whose ``ACCOUNT_MONTHS`` months are over on ``today``: a membership
    ended on 30 November is due on 28 February, as one ended on 28 November (the shorter month's last day)."""
    day = add_months(today, -ACCOUNT_MONTHS)
    if (today + dt.timedelta(days=1)).month != today.month:  # the month's last day: its month's end too
        day = add_months(day.replace(day=1), 1) - dt.timedelta(days=1)
    return day


def leavers(now: dt.datetime) -> models.QuerySet[User]:
    """Accounts that have had a membership but none current, nor ended after ``account_cutoff``; not yet
    erased, not an administrator's (those under limitation included: see ``expired_accounts``)."""
    since = account_cutoff(timezone.localdate(now))
    any_membership = Membership.objects.filter(person=OuterRef("pk"))
    recent = any_membership.filter(Q(end_date__isnull=True) | Q(end_date__gt=since))
    return (
        User.objects.filter(Exists(any_membership))
        .exclude(Exists(recent))
        .exclude(is_superuser=True)
        .exclude(username__startswith=ERASED_PREFIX)
    )


def expired_accounts(now: dt.datetime) -> models.QuerySet[User]:
    """The accounts the account rule erases now: the ``leavers`` but those whose processing is limited."""
    return leavers(now).exclude(pk__in=limited_people())


def describe(rule: registry.RetentionRule, model: type[models.Model]) -> str:
    """The rule in words for the register and the dry run (« 30 jours après « mis à la corbeille le » »)."""
    if model is User._meta.concrete_model:
        months = ngettext("%(count)d mois", "%(count)d mois", ACCOUNT_MONTHS) % {"count": ACCOUNT_MONTHS}
        return _("Effacé %(delay)s après la fin de la dernière inscription.") % {"delay": months}
    if rule.with_account:
        return _("Tant que le compte existe ; effacées avec la personne.")
    clock = str(getattr(clock_field(model, rule.clock), "verbose_name", rule.clock))
    if rule.until == registry.RetentionRule.SCHOOL_YEAR:
        if rule.keep:
            return _("%(delay)s après la fin de l'année scolaire de « %(clock)s ».") % {
                "delay": delay(rule.keep),
                "clock": clock,
            }
        return _("Jusqu'à la fin de l'année scolaire de « %(clock)s ».") % {"clock": clock}
    return _("%(delay)s après « %(clock)s ».") % {"delay": delay(rule.keep), "clock": clock}


def delay(span: dt.timedelta) -> str:
    """A retention delay in words: « 12 mois », « 3 ans », « 30 jours »."""
    days = span.days
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d an", "%(count)d ans", years) % {"count": years}
    if days >= 60 and days % 30 == 0:
        months = days // 30
        return ngettext("%(count)d mois", "%(count)d mois", months) % {"count": months}
    return ngettext("%(count)d jour", "%(count)d jours", days) % {"count": days}


def report(now: dt.datetime | None = None) -> list[Due]:
    """The dry run: for each rule, how many rows it would remove or anonymise now (one count per rule)."""
    now = now or timezone.now()
    lines = []
    for provider, rule in rules():
        meta = provider.model._meta
        lines.append(
            Due(
                label=meta.label,
                what=str(meta.verbose_name_plural).capitalize(),
                rule=describe(rule, provider.model),
                cutoff=cutoff(rule, provider.model, now),
                rows=expired(provider, rule, now).count(),
            )
        )
    lines.append(
        Due(
            label="accounts",
            what=_("Comptes sans inscription en cours"),
            rule=describe(registry.WITH_ACCOUNT, User),
            cutoff=account_cutoff(timezone.localdate(now)),
            rows=expired_accounts(now).count(),
        )
    )
    return lines


def apply_rule(provider: registry.DataProvider, rule: registry.RetentionRule, now: dt.datetime) -> int:
    """Remove or anonymise the provider's rows past their time, by batches of ``BATCH`` (a transaction and an
    audit row each), through the model's erasure rule in its app's ``ERASURE``."""
    model = provider.model
    erase = provider.erase
    if not isinstance(erase, registry.ErasureAction):
        raise TypeError(f"{model._meta.label}: its provider names no erasure action.")
    wanted = expired(provider, rule, now).order_by("pk")
    limit = cutoff(rule, model, now)
    total, last = 0, None
    while True:
        page = wanted if last is None else wanted.filter(pk__gt=last)
        ids = list(page.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        last = ids[-1]
        with transaction.atomic():
            rows = erasure.expire_rows(erase.rule, model, model._default_manager.filter(pk__in=ids))
            audit.record(
                actor=None,
                verb=f"{erase.app}.apply_retention",
                after={"model": model._meta.label, "rows": rows, "before": limit.isoformat()},
            )
        total += rows


def apply(now: dt.datetime | None = None) -> dict[str, int]:
    """Apply every rule; returns the rows changed per model. The account rule is the account life cycle's job
    (``provisioning.purge_leavers``), which runs daily beside this one."""
    now = now or timezone.now()
    return {provider.model._meta.label: apply_rule(provider, rule, now) for provider, rule in rules()}
