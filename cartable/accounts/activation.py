"""Activation codes: easy to read aloud and to type, stored only as a hash.

A code is 12 characters from a 32-letter alphabet without the look-alikes 0/O and 1/I (60 bits),
shown as three groups of four (``K7QM-2XPA-9HTD``). Such a random code needs no slow hash: sha256
is enough, and lets the code be found by its hash in one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets

from django.utils.translation import gettext_lazy as _

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
GROUPS = 3
GROUP_SIZE = 4
LENGTH = GROUPS * GROUP_SIZE


def generate_code() -> str:
    """A new random code, formatted in groups: ``K7QM-2XPA-9HTD``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE))


def normalize(code: str) -> str:
    """The code as stored: upper case, without spaces or dashes (people type them any way they like)."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_code(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()


class ActivationError(Exception):
    """Why an activation code was refused; ``message`` is safe to show (it reveals no account)."""

    MESSAGES = {
        # One message for an unknown login and a wrong code: nothing tells which accounts exist.
        "invalid": _("Identifiant ou code d'activation incorrect. Vérifiez-les et réessayez."),
        # The next ones are told only once the code matched the login.
        "expired": _("Ce code d'activation a expiré. Demandez un nouveau code à votre établissement."),
        "used": _(
            "Ce code d'activation a déjà été utilisé. Si vous avez choisi votre mot de passe, "
            "connectez-vous ; sinon, demandez un nouveau code à votre établissement."
        ),
        "revoked": _(
            "Ce code d'activation a été remplacé par un code plus récent. "
            "Utilisez le dernier code remis par votre établissement."
        ),
        "throttled": _("Trop de tentatives. Par sécurité, patientez quelques minutes avant de réessayer."),
    }

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self):
        return self.MESSAGES[self.reason]
