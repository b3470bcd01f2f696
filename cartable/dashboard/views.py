"""The dashboard page: the widgets the actor may see, each with its own context."""

from dataclasses import dataclass
from typing import Any

from django.shortcuts import render

from cartable.core import registry


@dataclass
class RenderedWidget:
    key: str
    title: Any
    template: str
    context: dict


def home(request):
    actor = request.actor
    widgets = []
    for widget in registry.visible_items(registry.widgets(), actor, actor.module_settings):
        context = widget.context(actor)
        if context is not None:
            widgets.append(RenderedWidget(widget.key, widget.title, widget.template, context))
    return render(request, "dashboard/home.html", {"widgets": widgets})
