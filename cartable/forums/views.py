"""The forums' pages: the list, a forum with its topics, a topic with its posts, and the moderation and
subscription buttons (htmx swaps a hidden post in place; without JavaScript the page reloads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.views import require_module
from cartable.directory.models import SchoolClass
from cartable.forums import actions, queries
from cartable.forums.forms import ForumForm, ReplyForm, TopicForm
from cartable.forums.models import Forum


@require_GET
@require_module("forums")
def index(request) -> HttpResponse:
    """The forums the person reads, by establishment (the standing forums exist from the establishment's
    opening: ``directory.actions.open_establishment`` runs the forums' setup)."""
    actor = request.actor
    forums = queries.forums_for(actor)
    return render(
        request,
        "forums/index.html",
        {"forums": forums, "can_open": authz.can(actor, "forums.open_forum", actor.establishment)},
    )


@require_module("forums")
def forum_create(request) -> HttpResponse:
    """Open a forum for a class or a group the person teaches (the managers: any of the establishment)."""
    actor = request.actor
    authz.require_or_404(actor, "forums.open_forum", actor.establishment)
    status = 200
    if request.method == "POST":
        form = ForumForm(request.POST, actor=actor)
        if form.is_valid():
            data = form.cleaned_data
            target = data["target"]
            is_class = isinstance(target, SchoolClass)
            try:
                forum = actions.create_forum(
                    actor=actor,
                    kind=Forum.Kind.CLASS if is_class else Forum.Kind.GROUP,
                    title=data["title"],
                    description=data["description"],
                    school_class=target if is_class else None,
                    group=None if is_class else target,
                    open_to_parents=data["open_to_parents"],
                )
            except PermissionDenied:
                form.add_error(None, _("Vous ne pouvez pas ouvrir de forum pour cette classe."))
            else:
                messages.success(request, _("Le forum est ouvert."))
                return redirect("forums:forum", pk=forum.pk)
        status = 400
    else:
        form = ForumForm(actor=actor)
    return render(request, "forums/forum_form.html", {"form": form}, status=status)


@require_module("forums")
def forum(request, pk: int) -> HttpResponse:
    """A forum's topics, and the form to open a topic."""
    actor = request.actor
    found = authz.access(actor, queries.forum_queryset(), pk, Action.VIEW)
    can = queries.abilities(actor, found)
    form = TopicForm()
    status = 200
    if request.method == "POST":
        authz.require_or_404(actor, "forums.post", found)
        form = TopicForm(request.POST)
        if form.is_valid():
            topic = actions.start_topic(
                actor=actor, forum=found, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
            )
            messages.success(request, _("Le sujet est ouvert."))
            return redirect("forums:topic", pk=topic.pk)
        status = 400
    context = {
        "forum": found,
        "topics": queries.topics_of(found),
        "follows": queries.follows(actor, forum=found),
        "form": form,
        **can,
    }
    return render(request, "forums/forum.html", context, status=status)


@require_module("forums")
def topic(request, pk: int) -> HttpResponse:
    """A topic's posts in order (hidden ones as a trace, their text for moderators) and the reply form."""
    actor = request.actor
    found = authz.access(actor, queries.topic_queryset(), pk, Action.VIEW)
    can = queries.abilities(actor, found.forum, found)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        authz.require_or_404(actor, "forums.reply", found)
        form = ReplyForm(request.POST)
        if form.is_valid():
            post = actions.reply(actor=actor, topic=found, body=form.cleaned_data["body"])
            return redirect(reverse("forums:topic", args=[found.pk]) + f"#message-{post.pk}")
        status = 400
    context = {
        "forum": found.forum,
        "topic": found,
        "posts": queries.posts_of(found),
        "follows": queries.follows(actor, forum=found.forum, topic=found),
        "form": form,
        **can,
    }
    return render(request, "forums/topic.html", context, status=status)


@require_POST
@require_module("forums")
def topic_lock(request, pk: int) -> HttpResponse:
    """Lock a topic, or open it again (moderators)."""
    found = authz.access(request.actor, queries.topic_queryset(), pk, Action.CHANGE)
    locked = request.POST.get("locked") == "1"
    actions.lock_topic(actor=request.actor, topic=found, locked=locked)
    messages.success(request, _("Le sujet est verrouillé.") if locked else _("Le sujet est rouvert."))
    return redirect("forums:topic", pk=found.pk)


@require_POST
@require_module("forums")
def post_hide(request, pk: int) -> HttpResponse:
    """Hide a post with a trace, or show it again (moderators); htmx gets the post back alone."""
    found = authz.access(request.actor, queries.post_queryset(), pk, Action.CHANGE)
    hidden = request.POST.get("hidden") == "1"
    post = actions.hide_post(actor=request.actor, post=found, hidden=hidden)
    if request.htmx:
        post = queries.shown_post(request.actor, post.pk)
        context = {
            "post": post,
            "topic": found.topic,
            "can_moderate": authz.can(request.actor, "forums.moderate", post.topic.forum),
        }
        return render(request, "forums/topic.html#post", context)
    messages.success(request, _("Le message est masqué.") if hidden else _("Le message est de nouveau visible."))
    return redirect(reverse("forums:topic", args=[found.topic_id]) + f"#message-{found.pk}")


@require_POST
@require_module("forums")
def subscription(request, kind: str, pk: int) -> HttpResponse:
    """Follow or stop following a forum or a topic."""
    actor = request.actor
    on = request.POST.get("on") == "1"
    if kind == "forum":
        followed = authz.access(actor, Forum, pk, Action.VIEW)
        actions.subscribe(actor=actor, forum=followed, on=on)
        back = reverse("forums:forum", args=[pk])
    elif kind == "sujet":
        topic_followed = authz.access(actor, queries.topic_queryset(), pk, Action.VIEW)
        actions.subscribe(actor=actor, topic=topic_followed, on=on)
        back = reverse("forums:topic", args=[pk])
    else:
        raise Http404
    messages.success(
        request, _("Vous suivez désormais ces messages.") if on else _("Vous ne suivez plus ces messages.")
    )
    return redirect(back)
