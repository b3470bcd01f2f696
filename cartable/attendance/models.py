"""Vie scolaire : appel et absences: models."""
