"""Hostile input and the check that it comes back inert."""

from html.parser import HTMLParser

HOSTILE = [
    '<script>alert("xss")</script>',
    "<img src=x onerror=alert(1)>",
    '"><img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">clic</a>',
    "<svg onload=alert(1)><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text x="0" y="10">x</text></a></svg>',
    "<iframe src=javascript:alert(1)></iframe>",
    '<p style="background:url(javascript:alert(1))" onmouseover="alert(1)">texte</p>',
]


class _LiveMarkup(HTMLParser):
    """Collects what a browser would run: inline scripts, event handlers, javascript: URLs, SVG, iframes,
    and the payloads' ``<img src=x>``."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag in ("svg", "iframe", "object", "embed") or (tag == "script" and not values.get("src")):
            self.found.append(f"<{tag}>")
        if tag == "img" and values.get("src") == "x":
            self.found.append("<img src=x>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            url_like = name in ("href", "src", "action", "formaction", "xlink:href", "style", "data")
            if url_like and value and "javascript:" in value.replace(" ", "").lower():
                self.found.append(f"{tag}[{name}=javascript:]")


def assert_inert(test, html: str) -> None:
    """No hostile tag, event handler or javascript: URL is live in the page (escaped text is fine)."""
    parser = _LiveMarkup()
    parser.feed(html)
    test.assertEqual(parser.found, [], "live markup in the page")
