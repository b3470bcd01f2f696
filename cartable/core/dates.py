"""The date styles of the interface, in one place: templates (the ``date_*`` filters, built in to every
template by ``core/templatetags/dates.py``) and Python (notices, messages) use these and no format of their own.

One style per use:

=====================  =====================================  =========================================
style                  French                                 where
=====================  =====================================  =========================================
``date_court``         « 3 déc. », « 1er sept. 2025 »         tables, lists, ranges (« du … au … »); the
                                                              year only outside the current school year
``date_long``          « jeudi 3 décembre 2026 »              a date on its own or in a sentence
``date_jour``          « jeudi 3 décembre »                   the day headings of a week or a list
``date_mois``          « décembre 2026 »                      a month
``date_heure_court``   « 3 déc., 10:00 »                      a moment in a table or a list (same year rule)
``date_heure_long``    « jeudi 3 décembre 2026 à 10:00 »      a moment on its own or in a sentence
``date_avis``          « jeudi 3 décembre »                   a notice's day: never relative (a notice is
                                                              read later than written); the year only
                                                              outside the current school year
``date_heure_avis``    « jeudi 3 décembre à 10:00 »           a notice's moment (same year rule)
=====================  =====================================  =========================================

and the parts a calendar grid or a chart needs: ``date_jour_semaine`` (« jeudi »), ``date_quantieme`` (« 3 », « 1er »),
``date_mois_court`` (« déc. »), and the machine forms ``date_iso`` (« 2026-12-03 », for URLs and ids) and
``datetime_iso`` (ISO 8601, for ``<time datetime>``). Times alone use ``|time:"H:i"``.

The school year runs from 1 September to 31 August (the national calendar): a short date of the current
school year needs no year. French writes the first day of a month « 1er ». Aware datetimes are shown in
the current time zone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import dateformat, timezone
from django.utils.translation import get_language

# Django date format strings by language (a backslash escapes a letter); French is the fallback.
STYLES: dict[str, dict[str, str]] = {
    "fr": {
        "court": "j N",
        "court_annee": "j N Y",
        "long": "l j F Y",
        "jour": "l j F",
        "mois": "F Y",
        "heure_court": "j N, H:i",
        "heure_court_annee": "j N Y, H:i",
        "heure_long": "l j F Y à H:i",
        "jour_heure": "l j F à H:i",
        "jour_semaine": "l",
        "quantieme": "j",
        "mois_court": "N",
    },
    "en": {
        "court": "j M",
        "court_annee": "j M Y",
        "long": "l j F Y",
        "jour": "l j F",
        "mois": "F Y",
        "heure_court": "j M, H:i",
        "heure_court_annee": "j M Y, H:i",
        "heure_long": r"l j F Y \a\t H:i",
        "jour_heure": r"l j F \a\t H:i",
        "jour_semaine": "l",
        "quantieme": "j",
        "mois_court": "M",
    },
}
# Styles where French writes « 1er » for the first day of the month.
ORDINAL_FIRST = {
    "court",
    "court_annee",
    "long",
    "jour",
    "heure_court",
    "heure_court_annee",
    "heure_long",
    "jour_heure",
    "quantieme",
}
# Styles that add the year outside the current school year: style -> the style with the year.
WITH_YEAR = {"court": "court_annee", "heure_court": "heure_court_annee", "avis": "long", "heure_avis": "heure_long"}
# The notices' styles inside the current school year.
NOTICE = {"avis": "jour", "heure_avis": "jour_heure"}


def school_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The school year (1 September – 31 August) that ``day`` belongs to."""
    start = dt.date(day.year if day.month >= 9 else day.year - 1, 9, 1)
    return start, dt.date(start.year + 1, 8, 31)


def _day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def render(value, style: str) -> str:
    """``value`` (a date or datetime, or empty) written in ``style`` in the active language."""
    if value in (None, ""):
        return ""
    value = _local(value)
    language = (get_language() or "fr").split("-")[0]
    formats = STYLES.get(language, STYLES["fr"])
    if style in WITH_YEAR:
        start, end = school_year(timezone.localdate())
        style = NOTICE.get(style, style) if start <= _day(value) <= end else WITH_YEAR[style]
    pattern = formats[style]
    if language == "fr" and style in ORDINAL_FIRST and value.day == 1:
        pattern = pattern.replace("j", r"j\e\r", 1)
    return dateformat.format(value, pattern)


def date_court(value) -> str:
    return render(value, "court")


def date_long(value) -> str:
    return render(value, "long")


def date_jour(value) -> str:
    return render(value, "jour")


def date_mois(value) -> str:
    return render(value, "mois")


def date_heure_court(value) -> str:
    return render(value, "heure_court")


def date_heure_long(value) -> str:
    return render(value, "heure_long")


def date_avis(value) -> str:
    return render(value, "avis")


def date_heure_avis(value) -> str:
    return render(value, "heure_avis")


def date_jour_semaine(value) -> str:
    return render(value, "jour_semaine")


def date_quantieme(value) -> str:
    return render(value, "quantieme")


def date_mois_court(value) -> str:
    return render(value, "mois_court")


def date_iso(value) -> str:
    """The day, « 2026-12-03 » (local for an aware datetime): for URLs, ids and comparisons of days."""
    return "" if value in (None, "") else _day(_local(value)).isoformat()


def datetime_iso(value) -> str:
    """ISO 8601 of a datetime in the current time zone (a date stays a date): for ``<time datetime>``."""
    return "" if value in (None, "") else _local(value).isoformat()


FILTERS = (
    date_court,
    date_long,
    date_jour,
    date_mois,
    date_heure_court,
    date_heure_long,
    date_avis,
    date_heure_avis,
    date_jour_semaine,
    date_quantieme,
    date_mois_court,
    date_iso,
    datetime_iso,
)
