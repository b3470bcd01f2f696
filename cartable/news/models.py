"""Actualités: models."""
