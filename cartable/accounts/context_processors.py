"""The person's comfort settings, as classes on <body> (theme, text size, font, motion)."""

from cartable.accounts.models import DEFAULT_BODY_CLASSES


def preferences(request) -> dict:
    user = getattr(request, "user", None)
    prefs = getattr(user, "preferences", None) if user is not None and user.is_authenticated else None
    return {"body_classes": prefs.body_classes if prefs is not None else DEFAULT_BODY_CLASSES}
