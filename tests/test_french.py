"""French, once for all: what the interface writes is written the same way everywhere.

Emoji that need an emoji font, elision before a name, the date styles, role titles by gender, rooms.
"""

import re
import socket
from pathlib import Path

import gunicorn.util

from cartable.core import gunicorn_conf
from tests.support.personas import PersonaTestCase

ROOT = Path(__file__).resolve().parents[1] / "cartable"

# Characters drawn as emoji by default (Unicode's Emoji_Presentation property): without an emoji font
# they show as an empty box. Text-style symbols such as ✓ (U+2713) or ✔ (U+2714) are fine.
EMOJI_PRESENTATION = re.compile(
    "[\u231a\u231b\u23e9-\u23ec\u23f0\u23f3\u25fd\u25fe\u2614\u2615\u2648-\u2653\u267f\u2693\u26a1"
    "\u26aa\u26ab\u26bd\u26be\u26c4\u26c5\u26ce\u26d4\u26ea\u26f2\u26f3\u26f5\u26fa\u26fd\u2705\u270a"
    "\u270b\u2728\u274c\u274e\u2753-\u2755\u2757\u2795-\u2797\u27b0\u27bf\u2b1b\u2b1c\u2b50\u2b55"
    "\ufe0f\U0001f000-\U0001faff]"
)


def interface_files():
    for pattern in ("*.html", "*.css", "*.js", "*.py", "*.txt"):
        for path in ROOT.rglob(pattern):
            if path.name.endswith(".min.js") or "locale" in path.parts:
                continue
            yield path


def test_no_emoji_that_needs_an_emoji_font():
    """No template, stylesheet, script or Python string uses a character drawn only by an emoji font."""
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for path in interface_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if EMOJI_PRESENTATION.search(line)
    ]
    assert not found, "emoji that render as an empty box without an emoji font:\n" + "\n".join(found)


class LongSearchTests(PersonaTestCase):
    """A 5,000-character search answers the usual French page, the search cut and the cut said."""

    def test_the_annuaire_cuts_a_long_search_and_says_so(self):
        self.login("paul.dupont")
        response = self.client.get("/annuaire/", {"q": "dupont" + "x" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Votre recherche a été raccourcie à ses 100 premiers caractères.")
        field = re.search(r'id="people-q" name="q" value="([^"]*)"', response.content.decode())
        self.assertEqual(field.group(1), ("dupont" + "x" * 5000)[:100])

    def test_the_mailbox_cuts_a_long_search_and_says_so(self):
        self.login("paul.dupont")
        response = self.client.get("/messagerie/", {"q": "y" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "raccourcie à ses 200 premiers caractères")

    def test_a_short_search_says_nothing(self):
        self.login("paul.dupont")
        response = self.client.get("/annuaire/", {"q": "dupont"})
        self.assertNotContains(response, "raccourcie")


def test_gunicorn_lets_a_5000_character_search_through_and_answers_longer_lines_in_french():
    """The request line of a 5,000-character search fits gunicorn's limit; a longer one gets a French 414."""
    line = "GET /annuaire/?q=" + "x" * 5000 + " HTTP/1.1"
    assert gunicorn_conf.limit_request_line >= len(line)
    ours, theirs = socket.socketpair()
    with ours, theirs:
        gunicorn.util.write_error(ours, 414, "URI Too Long", "Request Line is too large (9000 > 8190)")
        answer = theirs.recv(65536).decode("utf-8")
    head, body = answer.split("\r\n\r\n", 1)
    assert head.startswith("HTTP/1.1 414 ")
    assert f"Content-Length: {len(body.encode())}" in head
    assert "charset=utf-8" in head
    assert '<html lang="fr">' in body and "Adresse trop longue" in body
    assert "Request Line is too large" not in body
