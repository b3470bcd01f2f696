"""Vie scolaire : appel et absences: registrations (module, menu, widgets, notification kinds, personal data)."""
