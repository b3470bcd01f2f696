"""Where apps declare what they bring: modules, menu entries, dashboard widgets, notification kinds,
personal-data providers, demo loaders, reminder sources and « Travail à faire » sources. Apps register in
their ``hooks.py``, imported from ``AppConfig.ready()``.

The kernel never imports an app; apps come to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Module:
    """A feature an establishment may switch on or off (homework, grades, messaging...)."""

    key: str
    label: Any
    default_enabled: bool = True
    description: Any = ""


@dataclass(frozen=True)
class MenuEntry:
    """A link in the main menu, shown when ``visible(actor)`` is true and its module is on."""

    key: str
    label: Any
    url_name: str
    icon: str = "dot"
    order: int = 100
    module: str | None = None
    visible: Callable[[Any], bool] = lambda actor: True


@dataclass(frozen=True)
class Widget:
    """A dashboard block: ``context(actor)`` returns the template's context, or None to hide it.

    A widget with ``cache_for`` (seconds) keeps each person's context that long in the cache; any audited
    write whose verb starts with one of ``changes_with`` (``"news."``...) forgets every person's copy
    (see ``core.fragments``). Only for blocks a short delay cannot mislead: never one the person changes
    from the dashboard itself.

    ``order`` places the block on every dashboard; ``orders`` (role -> order, built from the directory's role
    sets with ``directory.models.orders_for``) places it otherwise for the roles it matters most to, so that
    what a person must do today comes first on the dashboard of their active role."""

    key: str
    title: Any
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100
    module: str | None = None
    visible: Callable[[Any], bool] = lambda actor: True
    cache_for: int = 0
    changes_with: tuple[str, ...] = ()
    orders: Mapping[str, int] = field(default_factory=dict)

    def order_for(self, role: str | None) -> int:
        """Where the block comes for someone acting in ``role`` (smaller first)."""
        return self.orders.get(role, self.order) if role is not None else self.order


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notice (``grade_published``...) with its label and the channels used by default.

    ``default_channels`` holds "in_app", "email" (sent at once) or "digest" (in the daily digest); each person
    may choose otherwise in their preferences, which group the kinds by ``module`` (by default the key's prefix,
    ``homework`` for ``homework.published``)."""

    key: str
    label: Any
    default_channels: tuple[str, ...] = ("in_app",)
    module: str | None = None

    @property
    def module_key(self) -> str:
        return self.module or self.key.partition(".")[0]


# The basis of an ENT's processing unless a provider says otherwise (arrêté du 30 novembre 2006, art. 1).
PUBLIC_TASK = _("Mission d'intérêt public (article 6.1.e du RGPD), arrêté du 30 novembre 2006 relatif aux ENT")


@dataclass(frozen=True)
class RetentionRule:
    """When a provider's rows have passed their retention, as data: the register prints it, and the job named
    ``job`` applies it through the app's erasure rule (``actions.ERASURE``: delete, or anonymise by unlinking).

    ``clock`` names the row's date field the time runs from (``"created_at"``, ``"closed_at"``) and ``keep`` how
    long after it the row goes; with ``until="school_year"`` the row goes once the school year its clock falls
    in has ended (plus ``keep``). ``where`` narrows the rule to the rows matching it (closed requests only).
    ``source`` says what sets the rule (« Arrêté du 30 novembre 2006, art. 6 »). A rule without ``clock``
    keeps the rows as long as the person's account: they go when the person is erased (the account rule)."""

    clock: str = ""
    keep: dt.timedelta = dt.timedelta(0)
    until: str = ""  # "" or "school_year"
    source: Any = ""
    where: Mapping[str, Any] = field(default_factory=dict)
    job: str = "privacy.apply_retention"  # the periodic job that applies it (an app's own job, as built)

    SCHOOL_YEAR = "school_year"

    @property
    def with_account(self) -> bool:
        return not self.clock


# Kept while the person's account lives, erased with the person (``privacy.actions.erase_person``).
WITH_ACCOUNT = RetentionRule(source=_("Arrêté du 30 novembre 2006, art. 6 : trois mois après la fin de l'inscription"))


@dataclass(frozen=True)
class DataProvider:
    """Declares a model holding personal data: why, for how long, and how to export and erase it.

    ``user_fields`` names the fields that point to a person; ``export(user)`` returns JSON-able rows and
    ``erase(user)`` removes or anonymises them (the retention rule says when). ``erase`` is given as the
    dotted path of the app's audited action (``"cartable.grades.actions.erase_personal_data"``, called with
    ``user=``, ``model=`` and ``actor=``), which registration turns into an :class:`ErasureAction`.
    """

    model: type[models.Model]
    purpose: Any
    retention: Any
    export: Callable[[Any], Sequence[Mapping[str, object]]]
    erase: Callable[..., Any] | str
    user_fields: tuple[str, ...] = field(default_factory=tuple)
    # For the person's archive (« Mes données ») and the register: the RGPD basis of the processing
    # (« Mission d'intérêt public (art. 6.1.e du RGPD) »), and the person's files (``files(user)`` yields
    # ``(name in the archive, storage name)`` pairs: hand-ins, report cards, justifications...).
    legal_basis: Any = PUBLIC_TASK
    files: Callable[[Any], Iterable[tuple[str, str]]] | None = None
    # When its rows go, as data (``RetentionRule``); ``retention`` says it in words. None: not yet structured.
    retention_rule: RetentionRule | None = None


@dataclass(frozen=True)
class ReadVerb:
    """A kind of recorded read (``audit.record_read``), named for families: « Qui a consulté » shows
    ``label`` (« les notes ») after « a consulté ». Verbs with the same label are counted together."""

    key: str
    label: Any


@dataclass(frozen=True)
class ErasureAction:
    """A provider's ``erase``: its app's action (imported when first used), run for the provider's model."""

    path: str
    model: type[models.Model]

    def __call__(self, user: Any, *, actor: Any = None) -> Any:
        return import_string(self.path)(user=user, model=self.model, actor=actor)

    @property
    def rule(self) -> Any:
        """The model's erasure rule in its app's ``ERASURE`` (beside the action, in the same module)."""
        return import_string(self.path.rpartition(".")[0] + ".ERASURE")[self.model]

    @property
    def app(self) -> str:
        """The app whose action it is (``core`` for Django's admin log, which the kernel erases)."""
        return self.path.split(".")[1]


@dataclass(frozen=True)
class PeriodicJob:
    """A task the worker queues on a schedule kept in code (digests, reminders, retention purges)."""

    key: str
    task: Any  # a django.tasks Task taking no argument
    every: Any  # datetime.timedelta
    description: Any = ""


@dataclass(frozen=True)
class DemoLoader:
    """Fills the demo region with an app's data: ``load(personas)``, run after the loaders named in ``after``.

    ``load`` may be a dotted path (``"cartable.news.demo.load_demo"``), imported only when the demo runs."""

    name: str
    target: Callable[[Any], Any] | str
    after: tuple[str, ...] = ()

    def load(self, personas: Any) -> Any:
        target = import_string(self.target) if isinstance(self.target, str) else self.target
        return target(personas)


@dataclass(frozen=True)
class EstablishmentSetup:
    """What an app gives every establishment when it opens (the forums' standing forums...).

    ``run`` is a dotted path to the app's action, called with ``actor=`` and ``establishment_id=``; it must
    be idempotent (the directory runs every setup when an establishment opens, and again on demand)."""

    name: str
    run: str

    def __call__(self, *, actor: Any, establishment_id: int) -> Any:
        return import_string(self.run)(actor=actor, establishment_id=establishment_id)


@dataclass(frozen=True)
class Reminder:
    """One notice for tomorrow: who gets it, what it says, where it leads and what it is about."""

    recipients: Any
    title: str
    body: str
    url: str
    target: models.Model
    establishment_id: int | None = None


@dataclass(frozen=True)
class ReminderSource:
    """Tomorrow's reminders of one notification ``kind``: ``due(tomorrow)`` yields ``Reminder`` rows.

    The notifications app sends each source's reminders once a day (see ``notifications.tasks``)."""

    kind: str
    due: Callable[[Any], Iterable[Reminder]]


@dataclass(frozen=True)
class TodoItem:
    """Something a student has to do by a date that another app than the homework log knows of (a punishment
    with work to do): shown in « Travail à faire » under its own ``kind`` label, linking to ``url``."""

    key: str  # unique on the page: "<source key>:<row id>"
    due_date: Any  # datetime.date
    kind: Any  # what sort of thing it is, in words (« Punition »)
    title: str
    url: str
    done: bool = False
    detail: str = ""
    child: Any = None  # the child it is for, in a guardian's list of all their children

    @property
    def anchor(self) -> str:
        """The item's id in the page: ``todo-discipline-punishment-12``."""
        return "todo-" + self.key.replace(".", "-").replace(":", "-")


@dataclass(frozen=True)
class TodoSource:
    """Another app's contribution to « Travail à faire »: ``items(actor, start, end, merged)`` returns the
    ``TodoItem`` rows due from ``start`` to ``end`` that the actor may see (a student their own; a guardian
    the active child's, or every child's when ``merged``), each source deciding by its own policies. A
    fixed number of queries whatever the data; shown only where ``module`` is on."""

    key: str
    items: Callable[[Any, Any, Any, bool], Iterable[TodoItem]]
    module: str | None = None


@dataclass(frozen=True)
class SecretLinks:
    """Addresses that open a person's data without their password (a calendar feed's secret URL).

    A password change offers to revoke them: ``count(user)`` says how many are live, ``revoke`` (a dotted
    path to the app's action, called with ``actor=`` and ``user=``) revokes them all and returns how many."""

    key: str
    offer: Callable[[int], str]  # the checkbox's words for that many links (« Révoquer aussi mes 2 liens… »)
    count: Callable[[Any], int]
    revoke: str

    @property
    def field_name(self) -> str:
        return "revoke_" + self.key.replace(".", "_")

    def revoke_all(self, *, actor: Any, user: Any) -> int:
        return int(import_string(self.revoke)(actor=actor, user=user))


@dataclass(frozen=True)
class PersonLink:
    """A link an app offers beside people in the annuaire (« Écrire »): ``links(actor, person_ids)`` answers
    the address for each person the actor may use it on (in a fixed number of queries), leaving out the
    others, so that no link is shown where it would be refused."""

    key: str
    label: Any
    links: Callable[[Any, list[int]], Mapping[int, str]]
    module: str | None = None


_modules: dict[str, Module] = {}
_menu: dict[str, MenuEntry] = {}
_widgets: dict[str, Widget] = {}
_kinds: dict[str, NotificationKind] = {}
_providers: dict[type[models.Model], DataProvider] = {}
_periodic: dict[str, PeriodicJob] = {}
_demo_loaders: dict[str, DemoLoader] = {}
_reminders: dict[str, ReminderSource] = {}
_secret_links: dict[str, SecretLinks] = {}
_setups: dict[str, EstablishmentSetup] = {}
_todo_sources: dict[str, TodoSource] = {}
_person_links: dict[str, PersonLink] = {}
_read_verbs: dict[str, ReadVerb] = {}


def _add(table: dict, key: Any, item: Any) -> Any:
    if key in table and table[key] != item:
        raise RuntimeError(f"{key!r} is registered twice.")
    table[key] = item
    return item


def register_module(item: Module) -> Module:
    return _add(_modules, item.key, item)


def register_menu(item: MenuEntry) -> MenuEntry:
    return _add(_menu, item.key, item)


def register_widget(item: Widget) -> Widget:
    return _add(_widgets, item.key, item)


def register_notification_kind(item: NotificationKind) -> NotificationKind:
    return _add(_kinds, item.key, item)


def register_data_provider(item: DataProvider) -> DataProvider:
    if isinstance(item.erase, str):
        item = replace(item, erase=ErasureAction(item.erase, item.model))
    return _add(_providers, item.model, item)


def register_read_verb(item: ReadVerb) -> ReadVerb:
    return _add(_read_verbs, item.key, item)


def read_verb(key: str) -> ReadVerb:
    """The registered read verb ``key``; ``LookupError`` for one no app declared."""
    try:
        return _read_verbs[key]
    except KeyError:
        raise LookupError(f"Unknown read verb {key!r}: register it with registry.register_read_verb.") from None


def read_verbs() -> list[ReadVerb]:
    return sorted(_read_verbs.values(), key=lambda v: v.key)


def register_periodic(item: PeriodicJob) -> PeriodicJob:
    return _add(_periodic, item.key, item)


def register_demo_loader(name: str, load: Callable[[Any], Any] | str, *, after: Iterable[str] = ()) -> DemoLoader:
    """Declare app ``name``'s demo loader (a function or its dotted path), to run once the loaders named in
    ``after`` have run."""
    if isinstance(after, str):
        raise TypeError(f"Demo loader {name!r}: after= takes a tuple of names, not the string {after!r}.")
    return _add(_demo_loaders, name, DemoLoader(name=name, target=load, after=tuple(after)))


def demo_loaders() -> list[DemoLoader]:
    """Every demo loader, each after those it names; otherwise in the order they were registered.

    ``LookupError`` when one names an unknown loader, ``RuntimeError`` on a cycle."""
    return order_after(list(_demo_loaders.values()))


def order_after(loaders: list[DemoLoader]) -> list[DemoLoader]:
    """``loaders`` sorted so that each comes after those it names in ``after`` (stable otherwise)."""
    names = {loader.name for loader in loaders}
    for loader in loaders:
        unknown = sorted(set(loader.after) - names)
        if unknown:
            raise LookupError(f"Demo loader {loader.name!r} runs after unknown loader(s): {', '.join(unknown)}.")
    done: list[DemoLoader] = []
    placed: set[str] = set()
    waiting = list(loaders)
    while waiting:
        ready = next((item for item in waiting if placed.issuperset(item.after)), None)
        if ready is None:
            cycle = ", ".join(item.name for item in waiting)
            raise RuntimeError(f"Demo loaders wait for each other in a cycle: {cycle}.")
        waiting.remove(ready)
        done.append(ready)
        placed.add(ready.name)
    return done


def register_establishment_setup(item: EstablishmentSetup) -> EstablishmentSetup:
    return _add(_setups, item.name, item)


def establishment_setups() -> list[EstablishmentSetup]:
    """The setups an opening establishment runs, in the order they were registered."""
    return list(_setups.values())


def register_reminder_source(item: ReminderSource) -> ReminderSource:
    return _add(_reminders, item.kind, item)


def register_secret_links(item: SecretLinks) -> SecretLinks:
    return _add(_secret_links, item.key, item)


def register_todo_source(item: TodoSource) -> TodoSource:
    return _add(_todo_sources, item.key, item)


def todo_sources(settings: dict[str, bool] | None = None) -> list[TodoSource]:
    """The « Travail à faire » sources whose module is on (given an establishment's ``module_settings``)."""
    return [s for s in sorted(_todo_sources.values(), key=lambda s: s.key) if module_enabled(settings, s.module)]


def register_person_link(item: PersonLink) -> PersonLink:
    return _add(_person_links, item.key, item)


def person_links(actor: Any, person_ids: Sequence[int], settings: dict | None) -> dict[int, list[tuple[Any, str]]]:
    """For each person, the (label, address) of the links of the modules that are on, in key order."""
    found: dict[int, list[tuple[Any, str]]] = {}
    ids = list(person_ids)
    for item in sorted(_person_links.values(), key=lambda i: i.key):
        if not ids or not module_enabled(settings, item.module):
            continue
        for person_id, url in item.links(actor, ids).items():
            found.setdefault(person_id, []).append((item.label, url))
    return found


def secret_links() -> list[SecretLinks]:
    return list(_secret_links.values())


def reminder_sources() -> list[ReminderSource]:
    """The reminder sources, in the order they were registered."""
    return list(_reminders.values())


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_periodic.values(), key=lambda j: j.key)


def personal_data(
    model: type[models.Model],
    purpose: Any,
    retention: Any,
    export: Callable[[Any], Sequence[Mapping[str, object]]],
    erase: Callable[..., Any] | str,
    *user_fields: str,
    legal_basis: Any = PUBLIC_TASK,
    files: Callable[[Any], Iterable[tuple[str, str]]] | None = None,
    retention_rule: RetentionRule | None = None,
) -> DataProvider:
    """Shortcut for ``register_data_provider``: the model, why, how long, export and erase, then the fields
    that point to a person (and, by keyword, the legal basis and the person's files)."""
    return register_data_provider(
        DataProvider(
            model=model,
            purpose=purpose,
            retention=retention,
            export=export,
            erase=erase,
            user_fields=user_fields,
            legal_basis=legal_basis,
            files=files,
            retention_rule=retention_rule,
        )
    )


def modules() -> list[Module]:
    return sorted(_modules.values(), key=lambda m: m.key)


def module(key: str) -> Module | None:
    return _modules.get(key)


def menu_entries() -> list[MenuEntry]:
    return sorted(_menu.values(), key=lambda e: (e.order, e.key))


def widgets(actor: Any = None) -> list[Widget]:
    """The widgets in the order of the actor's active role (``Widget.order_for``), else their own order."""
    role = getattr(actor, "role", None)
    return sorted(_widgets.values(), key=lambda w: (w.order_for(role), w.key))


def widgets_changed_by(verb: str) -> list[str]:
    """The cached widgets an audited write of ``verb`` makes stale."""
    return [w.key for w in _widgets.values() if w.cache_for and verb.startswith(w.changes_with)]


def notification_kind(key: str) -> NotificationKind:
    try:
        return _kinds[key]
    except KeyError:
        raise LookupError(f"Unknown notification kind {key!r}: register it in the app's hooks.py.") from None


def notification_kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda k: k.key)


def data_providers() -> dict[type[models.Model], DataProvider]:
    return dict(_providers)


def data_provider(model: type[models.Model]) -> DataProvider | None:
    return _providers.get(model)


def module_enabled(settings: dict[str, bool] | None, key: str | None) -> bool:
    """Whether module ``key`` is on, given an establishment's ``module_settings`` mapping."""
    if key is None:
        return True
    declared = _modules.get(key)
    default = declared.default_enabled if declared else False
    return bool((settings or {}).get(key, default))


def visible_items[T: (MenuEntry, Widget)](items: Iterable[T], actor: Any, settings: dict | None) -> list[T]:
    return [i for i in items if module_enabled(settings, i.module) and i.visible(actor)]
