"""Template filters of the report cards."""

from django import template

from cartable.reportcards.pdf import decimal_text

register = template.Library()


@register.filter
def comma(value) -> str:
    """A stored number with a French decimal comma (``"12.35"`` -> ``"12,35"``), or an em dash."""
    return decimal_text(value)


@register.filter
def classes_with_states(period, home) -> list:
    """The home page's classes, each with where its report cards of ``period`` stand."""
    return home.classes_of(period)
