"""The date styles of ``core.dates`` as template filters, built in to every template (settings: ``builtins``).

``{{ homework.due_date|date_long }}`` -> « jeudi 3 décembre 2026 »; no template writes a date format of its
own (tests/test_french.py checks it)."""

from django import template

from cartable.core import dates

register = template.Library()

for _style in dates.FILTERS:
    register.filter(_style.__name__, _style, expects_localtime=True)
