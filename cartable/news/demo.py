"""The demo's news: a pinned welcome, a region-wide item, one for the families of 5e A, a staff note, an
item for the lycée and one expired (not shown). Dates relative to today; already announced.

Writes: one bulk insert of news dated over the last weeks, already announced (``publish_news`` writes one
item at a time, checks its author's rights, audits it and announces it to its audience).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from cartable.directory.models import SchoolClass
from cartable.news.models import NewsItem

if TYPE_CHECKING:  # the demo layer hands the personas in; no import of it at run time
    from cartable.demo.personas import Personas


def load_demo(personas: Personas, *, now: dt.datetime | None = None) -> list[NewsItem]:
    """Create the demo's news (unless there is some already) and return it."""
    if NewsItem.objects.exists():
        return []
    college, lycee = personas.college.establishment, personas.lycee.establishment
    p = personas.people
    now = now or timezone.now()
    day = dt.timedelta(days=1)
    A = NewsItem.Audience

    def item(establishment, audience, title, body, author, *, ago, pinned=False, expires=None):
        return NewsItem(
            establishment=establishment,
            audience=audience,
            title=title,
            body=body,
            pinned=pinned,
            publish_at=now - ago,
            expires_at=expires,
            author=p[author],
            notified_at=now - ago,
        )

    rows = [
        item(
            college,
            A.EVERYONE,
            "Bienvenue sur le nouvel espace numérique du collège",
            "<p>Emploi du temps, cahier de textes, agenda, actualités et forums : tout est ici. "
            "Pensez à activer votre compte et à choisir vos notifications dans <strong>Préférences</strong>.</p>",
            "marc.leroy",
            ago=20 * day,
            pinned=True,
        ),
        item(
            None,
            A.EVERYONE,
            "La Région lance son plan numérique pour les établissements",
            "<p>Chaque établissement de la région reçoit cette année des tablettes et un accompagnement pour "
            "les équipes. Les dates des formations seront annoncées par votre établissement.</p>",
            "admin.region",
            ago=6 * day,
        ),
        item(
            college,
            A.CLASSES,
            "Réunion d'information pour les familles de 5e A",
            "<p>Le professeur principal présentera le programme de l'année et la sortie au musée "
            "<em>jeudi à 18 h</em>, salle polyvalente.</p>",
            "marc.leroy",
            ago=2 * day,
        ),
        item(
            college,
            A.STAFF,
            "Conseils de classe du premier trimestre",
            "<ul><li>Saisie des appréciations avant vendredi</li><li>Calendrier affiché en salle des "
            "professeurs</li></ul>",
            "nadia.petit",
            ago=3 * day,
        ),
        item(
            college,
            A.FAMILIES,
            "Photos de classe",
            "<p>Les bons de commande sont à rendre au secrétariat avant la fin du mois.</p>",
            "julie.moreau",
            ago=9 * day,
        ),
        item(
            college,
            A.EVERYONE,
            "Inscriptions à l'association sportive",
            "<p>Les inscriptions sont closes.</p>",
            "marc.leroy",
            ago=40 * day,
            expires=now - 10 * day,
        ),
        item(
            lycee,
            A.EVERYONE,
            "Portes ouvertes de l'exploitation agricole",
            "<p>Les élèves présentent l'exploitation et la serre pédagogique samedi matin.</p>",
            "admin.region",
            ago=4 * day,
        ),
    ]
    created = NewsItem.objects.bulk_create(rows)
    five_a = SchoolClass.objects.get(establishment=college, name="5e A")
    for news in created:
        if news.audience == A.CLASSES:
            NewsItem.classes.through.objects.create(newsitem_id=news.pk, schoolclass_id=five_a.pk)
    return created
