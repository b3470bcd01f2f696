"""The regional administrator's pages: upload a set, follow the run's progress, read its report, the
history of directory imports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cartable.core import authz, uploads
from cartable.core.authz import Action
from cartable.provisioning import actions, demo, queries, report
from cartable.provisioning.forms import UploadForm
from cartable.provisioning.models import KINDS


@require_http_methods(["GET", "POST"])
def index(request) -> HttpResponse:
    """The upload form and the import runs, newest first; a valid upload queues a run and opens it."""
    authz.require_or_404(request.actor, "provisioning.import", None)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        run = actions.request_import(
            actor=request.actor, files=form.cleaned_data["set_files"], dry_run=form.cleaned_data["dry_run"]
        )
        return HttpResponseRedirect(reverse("provisioning:detail", args=[run.pk]))
    context = {
        "runs": queries.runs(request.actor),
        "form": form,
        "has_example": queries.has_example_delta(),
        "next_year": queries.next_school_year(),
    }
    return render(request, "provisioning/index.html", context, status=400 if request.method == "POST" else 200)


@require_GET
def detail(request, pk: int) -> HttpResponse:
    """One run: its progress while the worker makes it, then its files with their SHA-256, the counts per
    kind, warnings and errors. htmx polls the ``report`` fragment until the run is over."""
    run = authz.access(request.actor, queries.run_queryset(), pk, Action.VIEW)
    rows = [(report.KIND_LABELS[k], run.counts.get(k, {})) for k in KINDS if any(run.counts.get(k, {}).values())]
    context = {
        "run": run,
        "rows": rows,
        "warnings": [report.issue(w) for w in run.warnings],
        "errors": [report.issue(e) for e in run.errors],
    }
    template = "provisioning/detail.html#report" if request.htmx else "provisioning/detail.html"
    return render(request, template, context)


@require_GET
def example_delta(request) -> HttpResponse:
    """The demo's example delta (a zip of three AAF files), to download and upload again."""
    authz.require_or_404(request.actor, "provisioning.import", None)
    if not queries.has_example_delta():
        raise Http404
    response = HttpResponse(demo.example_delta(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="exemple-lot-differentiel.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _letters_page(request, status: int = 200) -> HttpResponse:
    establishment = request.actor.establishment
    if establishment is None:
        raise Http404
    authz.require_or_404(request.actor, "provisioning.print_letters", establishment)
    context = {
        "establishment": establishment,
        "classes": queries.letter_classes(request.actor),
        "batches": queries.letter_batches(request.actor),
    }
    return render(request, "provisioning/letters.html", context, status=status)


@require_GET
def letters(request) -> HttpResponse:
    """The classes of the establishment, with how many students have not activated their account and
    « Préparer les lettres » for each (the direction and the ENT administrators); the letters being
    prepared, with their progress, and those ready to download."""
    return _letters_page(request)


@require_POST
def print_letters(request, pk: int) -> HttpResponse:
    """Queue a class's activation letters (the worker issues new codes, then builds the PDF); htmx gets the
    list of letters with its progress bar."""
    school_class = authz.access(request.actor, queries.letter_class_queryset(), pk, Action.MANAGE)
    authz.require_or_404(request.actor, "provisioning.print_letters", school_class.establishment)
    actions.request_letters(actor=request.actor, school_class=school_class)
    if request.htmx:
        context = {"batches": queries.letter_batches(request.actor)}
        return render(request, "provisioning/letters.html#batches", context)
    messages.success(request, _("Les lettres sont en préparation : elles apparaissent ci-dessous une fois prêtes."))
    return HttpResponseRedirect(reverse("provisioning:letters"))


@require_GET
def letter_progress(request, pk: int) -> HttpResponse:
    """One batch's row with its progress bar (polled by htmx until it is ready)."""
    batch = queries.letter_batch_for(request.actor, pk)
    return render(request, "provisioning/letters.html#batch", {"batch": batch})


@require_POST
def download_letters(request, pk: int) -> FileResponse:
    """A batch's PDF, for its requester only while it is kept (the download is audited)."""
    batch = actions.download_letters(actor=request.actor, batch=queries.letter_batch_for(request.actor, pk, ready=True))
    name = _("lettres-activation-%(class)s.pdf") % {"class": slugify(batch.school_class.name)}
    response = uploads.serve_file(request, batch.file, filename=name, content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def leavers(request) -> HttpResponse:
    """The purge's dry run (the regional administrator): who the daily job would erase today, three months
    after their last membership ended, how many it keeps under limitation, and its latest runs."""
    found = queries.leavers(request.actor)
    if found is None:
        raise Http404
    return render(request, "provisioning/leavers.html", {"leavers": found})


@require_POST
def open_school_year(request) -> HttpResponse:
    """Open the next school year in every establishment (the regional administrator), then back to the page."""
    authz.require_or_404(request.actor, "provisioning.import", None)
    try:
        opened = actions.open_school_year(actor=request.actor)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        label = opened[0].label if opened else ""
        messages.success(
            request,
            _("L'année scolaire %(label)s est ouverte : le prochain import en crée les classes et les groupes.")
            % {"label": label},
        )
    return HttpResponseRedirect(reverse("provisioning:index"))
