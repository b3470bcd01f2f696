"""Shared test setup: the persona school (see cartable/directory/personas.py)."""
