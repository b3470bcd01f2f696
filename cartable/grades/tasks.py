"""Background work of the grades app."""

from __future__ import annotations

from django.tasks import task


@task
def announce_published_grades() -> int:
    """Notify students and guardians of evaluations whose marks have become visible since the last run."""
    from cartable.grades.actions import announce_published

    return announce_published()
