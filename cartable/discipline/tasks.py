"""Background work of the discipline app."""

from __future__ import annotations

from django.tasks import task


@task
def erase_expired_sanctions() -> int:
    """Remove from students' files the sanctions whose legal time is over (run daily)."""
    from cartable.discipline.actions import erase_expired_sanctions as erase

    return erase()
