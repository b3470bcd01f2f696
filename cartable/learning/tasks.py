"""Background work of the quizzes: submitting, with what was saved, the attempts whose time is up."""

from __future__ import annotations

from django.tasks import task


@task
def submit_overdue_attempts() -> int:
    """Submit and grade every attempt past its deadline (a student who closed the tab keeps what was saved)."""
    from cartable.learning.actions import submit_overdue

    return submit_overdue()
