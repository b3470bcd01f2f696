"""How Cartable reads XML from outside (directory feeds, timetable exports, question banks): lxml with no
entity resolved, no DTD loaded or validated, no network, no huge tree, comments and processing instructions
dropped. ``SAFE_XML`` is for ``etree.iterparse``, which takes the options themselves; ``safe_parser()`` for
``etree.fromstring``/``parse``."""

from __future__ import annotations

from lxml import etree

SAFE_XML: dict[str, bool] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


def safe_parser() -> etree.XMLParser:
    """A parser with the options above (a new one each time: lxml parsers are not shared across threads)."""
    return etree.XMLParser(**SAFE_XML)
