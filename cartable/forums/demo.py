"""The demo's forums: each establishment's forum and staff room, a 5e A class forum with a few topics and
posts (one hidden by paul.dupont), a staff-room topic, and a topic in each establishment forum.

The standing forums exist from the establishments' opening; the class forum is made by the app's action
(audited as if paul.dupont had opened it); the topics, posts and subscriptions go in a few bulk inserts,
dated in the past, which the actions (dated now, each notifying the subscribers) cannot write."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, SchoolClass
from cartable.forums import actions, queries
from cartable.forums.models import STANDING, Forum, Post, Subscription, Topic

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas

Kind = Forum.Kind


def _standing(establishment: Establishment) -> dict[str, Forum]:
    actions.ensure_standing_forums(actor=None, establishment_id=establishment.pk)  # opened before they existed
    return queries.standing_forums(establishment.pk)


def load_demo(personas: Personas, *, now: dt.datetime | None = None) -> list[Forum]:
    """Create the demo's forums (unless there are some already) and return them."""
    if Forum.objects.exclude(kind__in=[kind for kind, _title in STANDING]).exists():
        return []
    p = personas.people
    now = now or timezone.now()
    college, lycee, other = (k.establishment for k in (personas.college, personas.lycee, personas.other))
    standing = {e.pk: _standing(e) for e in (college, lycee, other)}
    five_a = SchoolClass.objects.get(establishment=college, name="5e A")
    class_forum = actions.create_forum(
        actor=Actor(p["paul.dupont"]),
        kind=Kind.CLASS,
        school_class=five_a,
        title="Forum de la 5e A",
        description="Questions sur les cours et entraide entre élèves.",
    )
    hour = dt.timedelta(hours=1)
    threads = [
        (
            class_forum,
            "Exercices sur les fractions : entraide",
            [
                ("paul.dupont", "<p>Posez ici vos questions sur les exercices 12 à 15 page 48.</p>"),
                ("lucas.martin", "<p>Pour le 13, faut-il simplifier le résultat ?</p>"),
                ("lea.bernard", "<p>Qui vient jouer au foot ce soir au lieu de faire les exercices ?</p>"),
                ("paul.dupont", "<p>Oui Lucas, donnez toujours la fraction irréductible.</p>"),
            ],
            2,  # the third post is hidden by paul.dupont
        ),
        (
            class_forum,
            "Sortie au musée : ce qu'il faut apporter",
            [
                ("sophie.bernard", "<p>Un carnet, un crayon et un pique-nique. Nous écrirons en classe.</p>"),
                ("lea.bernard", "<p>Est-ce qu'on peut prendre des photos ?</p>"),
            ],
            None,
        ),
        (
            standing[college.pk][Kind.STAFF],
            "Organisation des conseils de classe",
            [
                ("marc.leroy", "<p>Le calendrier est en ligne ; merci de signaler les conflits.</p>"),
                ("paul.dupont", "<p>Le conseil de 5e A tombe le même soir que la réunion des familles.</p>"),
                ("nadia.petit", "<p>Je déplace la réunion des familles au lendemain.</p>"),
            ],
            None,
        ),
        (
            standing[college.pk][Kind.ESTABLISHMENT],
            "Club lecture au CDI",
            [
                ("julie.moreau", "<p>Le club lecture reprend le mardi à 12 h 30, ouvert à tous.</p>"),
                ("claire.martin", "<p>Les parents peuvent-ils proposer des livres ?</p>"),
                ("julie.moreau", "<p>Bien sûr, déposez vos suggestions ici.</p>"),
            ],
            None,
        ),
        (
            standing[lycee.pk][Kind.ESTABLISHMENT],
            "Covoiturage pour les journées à l'exploitation",
            [("emma.martin", "<p>Quelqu'un part de Metz le samedi matin ?</p>")],
            None,
        ),
        (
            standing[other.pk][Kind.STAFF],
            "Bienvenue dans la salle des professeurs",
            [("charlie.roux", "<p>Les échanges entre collègues se font ici.</p>")],
            None,
        ),
    ]
    start = now - dt.timedelta(days=5)
    topics, posts = [], []
    for index, (forum, title, messages, hide) in enumerate(threads):
        at = start + index * dt.timedelta(hours=7)
        topic = Topic(
            establishment_id=forum.establishment_id,
            forum=forum,
            title=title,
            author=p[messages[0][0]],
            created_at=at,
            last_post_at=at + (len(messages) - 1) * hour,
            post_count=len(messages),
        )
        topics.append(topic)
        for number, (author, body) in enumerate(messages):
            post = Post(
                establishment_id=forum.establishment_id,
                topic=topic,
                author=p[author],
                body=body,
                created_at=at + number * hour,
            )
            if number == hide:
                post.hidden_at, post.hidden_by = at + number * hour + dt.timedelta(minutes=20), p["paul.dupont"]
            posts.append(post)
    Topic.objects.bulk_create(topics)
    for post in posts:
        post.topic_id = post.topic.pk
    Post.objects.bulk_create(posts)
    Subscription.objects.bulk_create(
        [
            Subscription(establishment=college, user=p["paul.dupont"], forum=class_forum),
            Subscription(establishment=college, user=p["lucas.martin"], topic=topics[0]),
        ]
    )
    return [class_forum, *(f for kinds in standing.values() for f in kinds.values())]
