"""Question texts as HTML, sanitized whatever their format (html, markdown, plain, moodle).

Texts are kept as written, so that an export gives them back unchanged; what a page shows always goes
through the rules of ``core/richtext.py``, plus images, and only the question's own (``@@PLUGINFILE@@/name``,
served by ``learning:file``): an image from elsewhere would tell a third party who reads the question.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import nh3
from django.utils.safestring import SafeString, mark_safe

from cartable.core import richtext

PLUGINFILE = "@@PLUGINFILE@@/"


def _clean(text: str, files: Mapping[str, str]) -> str:
    def keep(element: str, attribute: str, value: str) -> str | None:
        if element == "img" and attribute == "src":
            return files.get(value.removeprefix(PLUGINFILE)) if value.startswith(PLUGINFILE) else None
        return value

    return nh3.clean(
        text,
        tags=richtext.TAGS | {"img"},
        attributes=richtext.ATTRIBUTES | {"img": {"src", "alt", "width", "height"}},
        url_schemes=richtext.URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        attribute_filter=keep,
    )


def to_html(text: str, text_format: str, files: Mapping[str, str] | None = None) -> SafeString:
    """``text`` written in ``text_format`` as sanitized HTML; ``files`` maps embedded file names to URLs."""
    files = files or {}
    if text_format == "plain":
        body = "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
    elif text_format == "markdown":
        body = richtext.from_text(text)
    elif text_format == "moodle":  # Moodle's automatic format: HTML allowed, line breaks kept
        body = text.replace("\n", "<br>")
    else:
        body = text
    return mark_safe(_clean(body, files))  # noqa: S308 - cleaned by nh3 just above
