"""The dashboard page: the widgets the actor may see, each with its own context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from cartable.core import fragments, registry
from cartable.directory.http import ActorRequest


@dataclass
class RenderedWidget:
    key: str
    title: Any
    template: str
    context: dict[str, Any]


def home(request: ActorRequest) -> HttpResponse:
    """The dashboard: the widgets the actor may see, each with its context (cached ones from the cache)."""
    actor = request.actor
    visible = registry.visible_items(registry.widgets(actor), actor, actor.module_settings)
    contexts = fragments.contexts(visible, actor, lambda widget: widget.context(actor))
    widgets = []
    for widget in visible:
        context = contexts[widget.key]
        if context is not None:
            widgets.append(RenderedWidget(widget.key, widget.title, widget.template, context))
    return render(request, "dashboard/home.html", {"widgets": widgets})
