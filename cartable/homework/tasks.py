"""Background work of the homework log."""

from __future__ import annotations

from django.tasks import task


@task
def announce_published_homework() -> int:
    """Notify students and guardians of homework prepared ahead that has become visible since the last run."""
    from cartable.homework.actions import notify_newly_visible

    return notify_newly_visible()
