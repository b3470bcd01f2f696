"""Refusing passwords that follow a pattern guessers try first, as NIST SP 800-63B asks of a blocklist.

Django's validators refuse the 20,000 most common passwords and those too close to the person's name; they
do not know the French keyboard. ``azerty123456`` passes them although it is among the first guesses in
France. :class:`PredictablePatternValidator` takes away from the password everything predictable — keyboard
walks on AZERTY and QWERTY (rows and columns), runs such as ``123456`` or ``abcd``, a character repeated,
years, common French words and the person's own names — and asks that enough remains.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.core.french import fold

# Keyboard rows, and their columns read top to bottom one after the other (``aqwzsx`` is a walk).
KEYBOARD_LINES = [
    # AZERTY (French)
    "&é\"'(-è_çà)=",
    "1234567890°+",
    "azertyuiop^$",
    "qsdfghjklmù*",
    "<wxcvbn,;:!",
    "aqwzsxedcrfvtgbyhnujik,ol;pm:",
    "1aq2zs3ed4rf5tg6yh7uj8ik9ol0pm",
    # QWERTY
    "`1234567890-=",
    "qwertyuiop[]",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    # the numeric keypad, row by row and column by column
    "789456123",
    "741852963",
]
MIN_WALK = 4
# Words tried before any other, beyond Django's list (which is mostly English).
COMMON_WORDS = [
    "motdepasse", "password", "azerty", "qwerty", "bonjour", "bonsoir", "salut", "coucou", "soleil", "amour",
    "jetaime", "doudou", "chouchou", "loulou", "bisous", "princesse", "chocolat", "football", "marseille",
    "paris", "nancy", "metz", "strasbourg", "reims", "france", "cartable", "college", "lycee", "ecole",
    "eleve", "classe", "maman", "papa", "bebe", "chaton", "chien", "chat", "admin", "secret", "welcome",
    "iloveyou", "monbureaunumerique", "ent", "education", "azertyuiop",
]  # fmt: skip
YEAR = re.compile(r"(?:19|20)\d\d")


def _cover(covered: list[bool], start: int, length: int) -> None:
    for i in range(start, start + length):
        covered[i] = True


def _walks(password: str, covered: list[bool], found: list[str]) -> None:
    lines = KEYBOARD_LINES + [line[::-1] for line in KEYBOARD_LINES]
    n = len(password)
    i = 0
    while i < n:
        best = 0
        for line in lines:
            length = 0
            while i + length < n and password[i : i + length + 1] in line:
                length += 1
            best = max(best, length)
        if best >= MIN_WALK:
            if not all(covered[i : i + best]):
                found.append(password[i : i + best])
            _cover(covered, i, best)
            i += best
        else:
            i += 1


def _runs(password: str, covered: list[bool], found: list[str]) -> None:
    """``1234``, ``dcba``, ``aaaa``: the same step from one character to the next, four times or more."""
    n = len(password)
    i = 0
    while i < n - 1:
        step = ord(password[i + 1]) - ord(password[i])
        j = i + 1
        while j + 1 < n and ord(password[j + 1]) - ord(password[j]) == step:
            j += 1
        length = j - i + 1
        if step in (-1, 0, 1) and length >= (3 if step == 0 else MIN_WALK) and password[i].isalnum():
            if not all(covered[i : j + 1]):
                found.append(password[i : j + 1])
            _cover(covered, i, length)
            i = j + 1
        else:
            i += 1


def _words(password: str, words: list[str], covered: list[bool], found: list[str]) -> None:
    for word in sorted({w for w in words if len(w) >= 3}, key=len, reverse=True):
        for match in re.finditer(re.escape(word), password):
            if not all(covered[match.start() : match.end()]):
                found.append(match.group())
                _cover(covered, match.start(), len(word))


class PredictablePatternValidator:
    """At least ``min_unpredictable`` characters must remain once the predictable parts are taken away."""

    def __init__(self, min_unpredictable: int = 8) -> None:
        self.min_unpredictable = min_unpredictable

    def predictable_parts(self, password: str, user: Any = None) -> tuple[list[str], int]:
        """The predictable parts found, and how many characters are left outside them."""
        plain = fold(password)
        covered = [not c.isalnum() for c in plain]  # punctuation and spaces add nothing by themselves
        found: list[str] = []
        names = []
        for attribute in ("username", "first_name", "last_name", "email"):
            value = getattr(user, attribute, None) if user is not None else None
            if isinstance(value, str) and value:
                names += [part for part in re.split(r"\W+", fold(value)) if part]
        _words(plain, names + COMMON_WORDS, covered, found)
        for match in YEAR.finditer(plain):
            if not all(covered[match.start() : match.end()]):
                found.append(match.group())
                _cover(covered, match.start(), 4)
        _walks(plain, covered, found)
        _runs(plain, covered, found)
        return found, covered.count(False)

    def validate(self, password: str, user: Any = None) -> None:
        found, left = self.predictable_parts(password, user)
        if left >= self.min_unpredictable:
            return
        shown = ", ".join(f"« {part} »" for part in list(dict.fromkeys(found))[:3])
        if shown:
            message = _(
                "Ce mot de passe est trop facile à deviner : %(parts)s figurent parmi les premiers essais de "
                "ceux qui cherchent à entrer. Préférez quelques mots sans lien entre eux, par exemple « girafe "
                "parapluie cerise »."
            ) % {"parts": shown}
        else:
            message = ngettext(
                "Ce mot de passe est trop facile à deviner : il lui faut au moins %(count)d caractère hors des "
                "suites du clavier, des années et des mots courants.",
                "Ce mot de passe est trop facile à deviner : il lui faut au moins %(count)d caractères hors des "
                "suites du clavier, des années et des mots courants.",
                self.min_unpredictable,
            ) % {"count": self.min_unpredictable}
        raise ValidationError(message, code="password_predictable")

    def get_help_text(self) -> str:
        return _("Évitez les suites du clavier (azerty), les suites de chiffres (123456), les années et votre nom.")
