"""The regional administrator's pages: the history of directory imports, and one run's report."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cartable.core import authz
from cartable.core.authz import Action
from cartable.provisioning import queries, report
from cartable.provisioning.models import KINDS


@require_GET
def index(request) -> HttpResponse:
    """The import runs, newest first."""
    authz.require_or_404(request.actor, "provisioning.import", None)
    return render(request, "provisioning/index.html", {"runs": queries.runs(request.actor)})


@require_GET
def detail(request, pk: int) -> HttpResponse:
    """One run: its files with their SHA-256, the counts per kind, warnings and errors."""
    run = authz.access(request.actor, queries.run_queryset(), pk, Action.VIEW)
    rows = [(report.KIND_LABELS[k], run.counts.get(k, {})) for k in KINDS if any(run.counts.get(k, {}).values())]
    issues = {
        "warnings": [report.issue(w) for w in run.warnings],
        "errors": [report.issue(e) for e in run.errors],
    }
    return render(request, "provisioning/detail.html", {"run": run, "rows": rows, **issues})
