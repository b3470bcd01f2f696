"""The class resource areas' pages: the list, one area by chapter, publishing, withdrawing, a resource."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cartable.core import authz, uploads
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.documents import areas, queries
from cartable.documents.forms import check_file
from cartable.documents.models import Resource


class ResourceForm(forms.Form):
    chapter = forms.CharField(label=gettext_lazy("Chapitre"), max_length=120, required=False)
    title = forms.CharField(label=gettext_lazy("Titre"), max_length=200, required=False)
    file = forms.FileField(label=gettext_lazy("Fichier"), required=False)
    url = forms.URLField(label=gettext_lazy("ou un lien"), required=False, assume_scheme="https")
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Visible à partir du"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_file(self) -> uploads.CheckedFile | None:
        uploaded = self.cleaned_data.get("file")
        return check_file(uploaded) if uploaded else None


@require_GET
@require_module("documents")
def index(request) -> HttpResponse:
    """The resource areas the person sees, and for a teacher those of their classes still to open."""
    return render(request, "documents/areas.html", {"lines": queries.areas(request.actor)})


@require_POST
@require_module("documents")
def open_area(request) -> HttpResponse:
    """Open the area of one of the teacher's assignments (a class or a group, a subject)."""
    ids = {
        key: int(request.POST[key])
        for key in ("subject", "school_class", "group")
        if request.POST.get(key, "").isdigit()
    }
    try:
        area = areas.open_area(
            actor=request.actor,
            subject_id=ids.get("subject", 0),
            school_class_id=ids.get("school_class"),
            group_id=ids.get("group"),
        )
    except (ValidationError, PermissionDenied):
        messages.error(request, _("Vous n’enseignez pas cette matière à cette classe."))
        return redirect("documents:areas")
    return redirect("documents:area", pk=area.pk)


@require_module("documents")
def area(request, pk: int) -> HttpResponse:
    """An area by chapter; its teachers publish a file or a link there."""
    actor = request.actor
    found = authz.access(actor, queries.area_queryset(), pk, Action.VIEW)
    can_publish = authz.can(actor, "documents.publish_resource", found)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and can_publish and form.is_valid():
        data = form.cleaned_data
        try:
            areas.publish_resource(
                actor=actor,
                area=found,
                title=data["title"],
                chapter=data["chapter"],
                checked=data["file"],
                url=data["url"],
                publish_at=data["publish_at"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("La ressource est publiée."))
            return redirect("documents:area", pk=found.pk)
    context = {"area": found, "chapters": queries.area_resources(actor, found), "can_publish": can_publish}
    context["now"] = timezone.now()
    context["form"] = form if can_publish else None
    return render(request, "documents/area.html", context, status=400 if form.errors else 200)


@require_POST
@require_module("documents")
def withdraw(request, pk: int) -> HttpResponse:
    """Withdraw a resource."""
    found = authz.access(request.actor, Resource.objects.select_related("area"), pk, Action.CHANGE)
    areas.withdraw_resource(actor=request.actor, resource=found)
    messages.success(request, _("La ressource est retirée."))
    return redirect("documents:area", pk=found.area_id)


@require_GET
@require_module("documents")
def resource(request, pk: int) -> HttpResponseBase:
    """A resource: its link, or its file through the guarded download (checked on every request)."""
    found = authz.access(request.actor, Resource.objects.select_related("area"), pk, Action.VIEW)
    if found.url:
        return redirect(found.url)
    return uploads.serve_file(
        request, found.file, filename=found.file_name, content_type=found.content_type, inline=True
    )
