"""The dashboard page: the widgets the actor may see, each with its own context."""

from dataclasses import dataclass
from typing import Any

from django.shortcuts import render

from cartable.core import fragments, registry


@dataclass
class RenderedWidget:
    key: str
    title: Any
    template: str
    context: dict


def home(request):
    actor = request.actor
    visible = registry.visible_items(registry.widgets(), actor, actor.module_settings)
    contexts = fragments.contexts(visible, actor, lambda widget: widget.context(actor))
    widgets = [
        RenderedWidget(widget.key, widget.title, widget.template, contexts[widget.key])
        for widget in visible
        if contexts[widget.key] is not None
    ]
    return render(request, "dashboard/home.html", {"widgets": widgets})
