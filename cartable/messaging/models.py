"""Messagerie: models."""
