"""Discipline: models."""
