"""Signing in: login, activation, charter, password change and reset, sessions, preferences."""
