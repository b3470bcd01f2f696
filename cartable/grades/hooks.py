"""Notes et compétences: registrations (module, menu, widgets, notification kinds, personal data)."""
