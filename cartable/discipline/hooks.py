"""Discipline: registrations (module, menu, widgets, notification kinds, personal data)."""
