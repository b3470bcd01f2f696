"""French, once for all: what the interface writes is written the same way everywhere.

Emoji that need an emoji font, elision before a name, the date styles, role titles by gender, rooms.
"""

import re
from pathlib import Path

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
