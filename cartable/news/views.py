"""The news pages: the list, one item, its image, and the form to publish, change or delete it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cartable.core import authz, uploads
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.news import actions, queries
from cartable.news.forms import NewsForm
from cartable.news.models import NewsItem


@require_GET
@require_module("news")
def index(request) -> HttpResponse:
    """The news the person may read, pinned first; authors see their scheduled and expired items too."""
    actor = request.actor
    return render(
        request,
        "news/index.html",
        {"items": queries.news_list(actor), "can_publish": authz.can(actor, "news.publish_somewhere")},
    )


@require_GET
@require_module("news")
def detail(request, pk: int) -> HttpResponse:
    """One piece of news, for its audience and its authors."""
    item = authz.access(request.actor, queries.detail_queryset(), pk, Action.VIEW)
    return render(
        request,
        "news/detail.html",
        {"item": item, "state": item.state(), "can_edit": authz.allows(request.actor, Action.CHANGE, item)},
    )


@require_GET
@require_module("news")
def image(request, pk: int) -> HttpResponseBase:
    """The item's image, for those who read the item (inline, never sniffed)."""
    item = authz.access(request.actor, NewsItem, pk, Action.VIEW)
    return uploads.serve_file(request, item.image, filename=item.image_name, content_type=item.image_type, inline=True)


def _save(request, form: NewsForm, found: NewsItem | None) -> NewsItem:
    data = form.cleaned_data
    values = {
        "audience": data.get("audience") or NewsItem.Audience.EVERYONE,
        "title": data["title"],
        "body": data.get("body", ""),
        "pinned": data["pinned"],
        "publish_at": data["publish_at"],
        "expires_at": data["expires_at"],
        "class_ids": [c.pk for c in data.get("classes") or []],
        "image": data.get("image"),
        "image_alt": data.get("image_alt", ""),
    }
    if found is None:
        return actions.publish_news(actor=request.actor, establishment_id=request.actor.establishment_id, **values)
    return actions.update_news(actor=request.actor, item=found, remove_image=data.get("remove_image", False), **values)


@require_module("news")
def edit(request, pk: int | None = None) -> HttpResponse:
    """Publish a piece of news or change one; the form is redisplayed with what was typed when refused."""
    actor = request.actor
    found = None
    if pk is not None:
        found = authz.access(actor, queries.detail_queryset(), pk, Action.CHANGE)
    else:
        authz.require(actor, "news.publish", actor.establishment)
    status = 200
    if request.method == "POST":
        form = NewsForm(request.POST, request.FILES, actor=actor, item=found)
        if form.is_valid():
            try:
                saved = _save(request, form, found)
            except PermissionDenied:
                form.add_error(None, _("Vous ne pouvez pas publier cette actualité pour ce public."))
            else:
                messages.success(request, _("L'actualité est enregistrée."))
                return redirect("news:detail", pk=saved.pk)
        status = 400
    else:
        form = NewsForm(initial=NewsForm.initial_for(found) if found else {}, actor=actor, item=found)
    return render(request, "news/form.html", {"form": form, "item": found}, status=status)


@require_module("news")
def delete(request, pk: int) -> HttpResponse:
    """Confirm, then delete a piece of news."""
    item = authz.access(request.actor, NewsItem, pk, Action.DELETE)
    if request.method == "POST":
        actions.delete_news(actor=request.actor, item=item)
        messages.success(request, _("L'actualité est supprimée."))
        return redirect("news:index")
    return render(request, "news/delete.html", {"item": item})
