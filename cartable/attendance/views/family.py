"""The family's pages: a child's (or one's own) absences and lateness, and an absence declared ahead."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cartable.attendance import actions, forms, queries
from cartable.attendance.views.common import MODULE, actor_of
from cartable.core import authz
from cartable.core.views import require_module
from cartable.directory.models import User


@require_GET
@require_module(MODULE)
def family(request: HttpRequest) -> HttpResponse:
    """A family's (or a student's own) absences and lateness, with what is left to justify."""
    actor = actor_of(request)
    student = queries.family_student(actor)
    if student is None:
        raise Http404
    start, end = queries.school_year(actor.establishment_id)
    return render(
        request,
        "attendance/family.html",
        {
            "file": queries.student_file(actor, student, start=start, end=end),
            "can_declare": authz.can(actor, "attendance.declare_absence"),
        },
    )


@require_http_methods(["GET", "POST"])
@require_module(MODULE)
def declare(request: HttpRequest) -> HttpResponse:
    """A guardian declares an absence ahead, with a reason and optionally a document (the motifs offered are
    the establishment's, or the defaults)."""
    actor = actor_of(request)
    authz.require_or_404(actor, "attendance.declare_absence", None)
    establishment_id = actor.establishment_id
    assert establishment_id is not None  # a guardian acts in the establishment of a child
    form = forms.DeclareForm(
        request.POST or None,
        request.FILES or None,
        children=actor.children_here,
        establishment_id=establishment_id,
        year=queries.school_year(establishment_id),
        initial={"student": actor.child.id if actor.child else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = actions.declare_absence(
                actor=actor,
                student=authz.access(actor, User, data["student"]),
                establishment_id=establishment_id,
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                comment=data["comment"],
                document=data["document"],
            )
        except ValidationError as error:  # a default motif renamed meanwhile
            form.add_error("reason", error)
        else:
            messages.success(request, _("Absence déclarée ; la vie scolaire en est informée."))
            return redirect("attendance:absence", absence.pk)
    return render(request, "attendance/declare.html", {"form": form}, status=400 if request.method == "POST" else 200)
