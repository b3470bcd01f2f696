"""Notes et compétences: models."""
