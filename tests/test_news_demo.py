"""The demo's news and forums: every persona has something to read, the expired item stays hidden, and a
post of 5e A's forum carries paul.dupont's moderation trace."""

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.demo.region import load_demo_region
from cartable.forums.demo import load_demo as load_forums_demo
from cartable.forums.models import Forum, Post, Topic
from cartable.news import queries
from cartable.news.demo import load_demo as load_news_demo
from cartable.news.models import NewsItem
from tests.support.personas import PersonaTestCase

PERSONAS = [
    "lucas.martin",
    "claire.martin",
    "emma.martin",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "charlie.roux",
]


class NewsAndForumsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cache.clear()
        cls.people = load_demo_region().personas.people

    def test_every_persona_reads_news_and_a_forum_topic(self):
        """Each persona's dashboard shows news, and their forums hold at least one topic."""
        for who in PERSONAS:
            with self.subTest(who=who):
                self.client.force_login(self.people[who])
                response = self.client.get(reverse("dashboard:home"))
                self.assertNotContains(response, "Aucune actualité pour le moment.")
                self.assertContains(self.client.get(reverse("forums:index")), "sujet")
                self.assertTrue(Topic.objects.visible_to(self._actor(who)).exists())

    def _actor(self, who):
        from cartable.directory.actor import Actor

        return Actor(self.people[who])

    def test_the_demo_news_has_its_kinds_and_the_expired_one_is_not_shown(self):
        """A pinned item, a region-wide one, one for 5e A's families; the expired one reaches nobody's widget."""
        self.assertTrue(NewsItem.objects.filter(pinned=True).exists())
        self.assertTrue(NewsItem.objects.filter(establishment__isnull=True).exists())
        self.assertTrue(NewsItem.objects.filter(audience="classes", classes__name="5e A").exists())
        expired = NewsItem.objects.get(title="Inscriptions à l'association sportive")
        claire = self._actor("claire.martin")
        titles = [n.title for n in queries.widget_news(claire)]
        self.assertNotIn(expired.title, titles)
        self.assertIn("Réunion d'information pour les familles de 5e A", titles)
        self.assertEqual(titles[0], "Bienvenue sur le nouvel espace numérique du collège")

    def test_a_post_of_5e_a_is_hidden_by_paul_dupont(self):
        """5e A's forum has topics, one post hidden by paul.dupont, and the staff room a topic."""
        forum = Forum.objects.get(kind=Forum.Kind.CLASS, school_class__name="5e A")
        self.assertGreaterEqual(forum.topics.count(), 2)
        self.assertEqual(Post.objects.filter(topic__forum=forum, hidden_by=self.people["paul.dupont"]).count(), 1)
        self.assertTrue(Topic.objects.filter(forum__kind=Forum.Kind.STAFF).exists())


class DemoSpeedTests(PersonaTestCase):
    def test_the_two_demos_cost_bounded_queries_and_load_once(self):
        """Both demo builders cost a bounded number of queries and add nothing the second time."""
        with CaptureQueriesContext(connection) as load:
            load_news_demo(self.school)
            load_forums_demo(self.school)
        self.assertLessEqual(len(load), 30)
        counts = (NewsItem.objects.count(), Post.objects.count())
        self.assertEqual(load_news_demo(self.school), [])
        self.assertEqual(load_forums_demo(self.school), [])
        self.assertEqual((NewsItem.objects.count(), Post.objects.count()), counts)
