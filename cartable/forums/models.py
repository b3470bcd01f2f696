"""Forums: models."""
