"""The demo loaders apps register: each after those it names, the registration order otherwise."""

import pytest

from cartable.core import registry
from cartable.core.registry import DemoLoader, order_after


def _names(loaders: list[DemoLoader]) -> list[str]:
    return [loader.name for loader in loaders]


def test_each_loader_runs_after_those_it_names_and_keeps_the_registration_order_otherwise():
    loaders = [DemoLoader("b", print, after=("c",)), DemoLoader("a", print), DemoLoader("c", print)]
    assert _names(order_after(loaders)) == ["a", "c", "b"]


def test_an_unknown_name_is_refused_with_the_loader_that_names_it():
    with pytest.raises(LookupError, match=r"'b' runs after unknown loader.*nowhere"):
        order_after([DemoLoader("a", print), DemoLoader("b", print, after=("nowhere",))])


def test_a_cycle_is_refused_with_the_loaders_in_it():
    with pytest.raises(RuntimeError, match="cycle: a, b"):
        order_after(
            [DemoLoader("a", print, after=("b",)), DemoLoader("b", print, after=("a",)), DemoLoader("c", print)]
        )


def test_after_takes_names_not_one_string():
    with pytest.raises(TypeError):
        registry.register_demo_loader("x", print, after="timetable")


def test_the_apps_loaders_run_in_the_order_the_demo_has_always_used():
    assert _names(registry.demo_loaders()) == [
        "timetable",
        "homework",
        "agenda",
        "attendance",
        "discipline",
        "grades",
        "reportcards",
        "messaging",
        "news",
        "forums",
        "learning",
        "documents",
        "notifications",
        "sso",
        "privacy",
        "provisioning",
        "lti",
    ]


def test_the_reminder_sources_are_homework_then_events():
    assert [s.kind for s in registry.reminder_sources()] == [
        "notifications.homework_due",
        "notifications.event_tomorrow",
        "privacy.request_due",
    ]
