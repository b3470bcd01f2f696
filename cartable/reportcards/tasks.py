"""Background work of the report cards: a class's PDFs, and the announcement of scheduled publications."""

from __future__ import annotations

from django.tasks import task


@task
def generate_report_cards(run_id: int) -> int:
    """Generate the report cards of one generation run; returns how many were written."""
    from cartable.reportcards.actions import generate_run

    return generate_run(run_id).created


@task
def announce_published_report_cards() -> int:
    """Notify families of report cards whose publication date has come."""
    from cartable.reportcards.actions import announce_due

    return announce_due()
