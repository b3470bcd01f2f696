"""Which registered address a CAS ``service`` URL belongs to, compared as Apereo CAS compares them.

Both sides are URL-decoded, the fragment dropped and the case folded; the query string of the service
is ignored. The trailing slash is significant: ``https://x/app/`` covers ``https://x/app/`` and every page
below it (``https://x/app/login?next=/``), never ``https://x/app`` nor ``https://x/application``; an
address without it (``https://x/app``) matches that page only. A service URL with a dot segment
(``/../``) after decoding matches nothing: it could climb out of the registered path.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

DOT_SEGMENTS = ("/../", "/./")


def normalize(url: str) -> str:
    """The URL decoded, without its fragment and query, in lower case."""
    decoded = unquote(url.strip()).split("#", 1)[0]
    return decoded.split("?", 1)[0].lower()


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host, once decoded (a service may arrive encoded once more)."""
    url = unquote(url.strip())
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and "\\" not in url


def matches(address: str, service_url: str) -> bool:
    """Whether ``service_url`` belongs to the registered ``address``."""
    if not is_web_url(service_url) or not is_web_url(address):
        return False
    wanted, given = normalize(address), normalize(service_url)
    if any(segment in given + "/" for segment in DOT_SEGMENTS) or given.endswith(("/..", "/.")):
        return False
    if wanted.endswith("/"):
        return given.startswith(wanted)
    return given == wanted


def first_match(addresses: Iterable[str], service_url: str) -> str | None:
    return next((a for a in addresses if matches(a, service_url)), None)


def same_service(issued_for: str, presented: str) -> bool:
    """Whether the service presented at validation is the one the ticket was issued for (query included)."""

    def fold(url: str) -> str:
        return unquote(url.strip()).split("#", 1)[0].lower()

    return fold(issued_for) == fold(presented)
