"""Background work of school life."""

from __future__ import annotations

from django.tasks import task


@task
def notify_absences() -> int:
    """Tell families, the same day, of the absences found at roll call that are not explained yet."""
    from cartable.attendance.actions import notify_unexplained_absences

    return notify_unexplained_absences()
