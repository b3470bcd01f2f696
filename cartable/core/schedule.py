"""Periodic jobs: the worker calls :func:`enqueue_due` every few seconds; each due job is queued once.

The schedule is data in code (``registry.register_periodic`` in each app's hooks); when it last ran is
a row per job, claimed with a conditional update so that several workers never queue a job twice.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cartable.core import registry
from cartable.core.models import JobRun


def enqueue_due(now: dt.datetime | None = None) -> list[str]:
    """Queue every periodic job whose interval has passed; return the keys queued."""
    now = now or timezone.now()
    queued = []
    runs = {r.key: r for r in JobRun.objects.all()}
    for job in registry.periodic_jobs():
        run = runs.get(job.key) or JobRun.objects.get_or_create(key=job.key)[0]
        if run.last_enqueued_at is not None and now - run.last_enqueued_at < job.every:
            continue
        claimed = JobRun.objects.filter(pk=run.pk, last_enqueued_at=run.last_enqueued_at).update(last_enqueued_at=now)
        if claimed:
            job.task.enqueue()
            queued.append(job.key)
    return queued
