"""Rich text, sanitized: the only HTML a person may store is what these rules keep (nh3 / ammonia)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import nh3

TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
}
ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize(html: str) -> str:
    """Keep a small set of formatting tags; drop scripts, styles, event handlers and unsafe links."""
    return nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def to_text(html: str) -> str:
    """Plain text of sanitized HTML (for e-mails, calendar descriptions and previews)."""
    return nh3.clean(html or "", tags=set()).strip()


# --- plain text as people type it --------------------------------------------------------------------------
# Teachers do not write HTML: what they type is text, turned into the same small set of tags. A blank line
# starts a paragraph and a single line break stays one; lines beginning with « - », « * » or « • » make a
# list, « 1. » or « 1) » a numbered list; **gras** and *italique*; web addresses become links. Anything that
# looks like markup is shown as typed (escaped), then the result is sanitized like any rich text.
_BULLET = re.compile(r"^\s*[-*•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_URL = re.compile(r"\bhttps?://[^\s<>\"']+")
_TRAILING = ".,;:!?)»"


def _inline(line: str) -> str:
    text = html.escape(line.strip(), quote=True)
    text = _BOLD.sub(r"<strong>\1</strong>", text)
    text = _ITALIC.sub(r"<em>\1</em>", text)

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        tail = ""
        while url and url[-1] in _TRAILING:
            url, tail = url[:-1], url[-1] + tail
        return f'<a href="{url}">{url}</a>{tail}'

    return _URL.sub(link, text)


def _block(lines: list[str]) -> str:
    parts: list[str] = []
    run: list[str] = []
    kind = ""

    def close() -> None:
        if not run:
            return
        if kind == "p":
            parts.append("<p>" + "<br>".join(run) + "</p>")
        else:
            parts.append(f"<{kind}>" + "".join(f"<li>{item}</li>" for item in run) + f"</{kind}>")
        run.clear()

    for line in lines:
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        this = "ul" if bullet else "ol" if numbered else "p"
        if this != kind:
            close()
            kind = this
        match = bullet or numbered
        run.append(_inline(match.group(1) if match else line))
    close()
    return "".join(parts)


def from_text(text: str) -> str:
    """Plain text typed in a form, as sanitized HTML (see the rules above)."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    return sanitize("".join(_block([line for line in b.split("\n") if line.strip()]) for b in blocks))


class _Plain(HTMLParser):
    """Stored HTML back into the text a person edits (the inverse of ``from_text`` for what it writes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[list[Any]] = []  # [tag, items so far]
        self.href: str | None = None
        self.link_text: list[str] = []

    def _newlines(self, n: int) -> None:
        text = "".join(self.out).rstrip(" ")
        have = len(text) - len(text.rstrip("\n"))
        if text and have < n:
            self.out.append("\n" * (n - have))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "ul", "ol", "blockquote", "pre", "h3", "h4", "table"):
            self._newlines(2)
        if tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li":
            self._newlines(1)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.out.append(f"{self.lists[-1][1]}. ")
            else:
                self.out.append("- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []
        elif tag == "tr":
            self._newlines(1)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._newlines(2)
        elif tag in ("p", "blockquote", "pre", "h3", "h4", "table"):
            self._newlines(2)
        elif tag in ("strong", "b"):
            self.out.append("**")
        elif tag in ("em", "i"):
            self.out.append("*")
        elif tag == "a":
            label = "".join(self.link_text)
            if self.href and self.href != label:
                self.out.append(f" ({self.href})")
            self.href = None
        elif tag in ("td", "th"):
            self.out.append(" ")

    def handle_data(self, data: str) -> None:
        if self.href is not None:
            self.link_text.append(data)
        self.out.append(data)


def to_editable(stored: str) -> str:
    """The text to put back in a form for stored rich text: paragraphs, line breaks, lists, bold, italic."""
    parser = _Plain()
    parser.feed(stored or "")
    parser.close()
    lines = [line.rstrip() for line in "".join(parser.out).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
