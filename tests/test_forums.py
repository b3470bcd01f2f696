"""Forums: who reads, posts in and moderates each kind of forum, audited writes, hidden posts with their
trace, locked topics, subscriptions and their notices, hostile input kept inert, and pinned page budgets."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Notification
from cartable.directory.actions import open_establishment, set_up_establishment
from cartable.directory.models import Establishment, Group
from cartable.forums import actions, policies
from cartable.forums.models import Forum, Post, Subscription, Topic
from tests.support.markup import HOSTILE, assert_inert
from tests.support.personas import EVERYBODY, PersonaTestCase

Kind = Forum.Kind
# What the persona school's opening records (each establishment and its standing forums), before any test.
OPENING_VERBS = ["directory.open_establishment", "forums.create_forum"]
MANAGERS = {"nadia.petit", "marc.leroy", "julie.moreau"}
COLLEGE_STAFF = {"paul.dupont", "sophie.bernard"} | MANAGERS
COLLEGE_MEMBERS = {"lucas.martin", "lea.bernard", "ines.girard", "claire.martin", "thomas.girard"} | COLLEGE_STAFF


class ForumsTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.lycee = cls.school.lycee.establishment
        cls.other = cls.school.other.establishment
        cls.five_a = cls.school.college.classes["5e A"]
        cls.four_b = cls.school.college.classes["4e B"]
        cls.latin = Group.objects.get(name="Latin 5e")
        cls.class_forum = Forum.objects.create(
            establishment=cls.college, kind=Kind.CLASS, school_class=cls.five_a, title="Forum de la 5e A"
        )

    def forum(self, kind, *, establishment=None, **kw) -> Forum:
        if kind in (Kind.ESTABLISHMENT, Kind.STAFF):  # every establishment has them from its opening
            return Forum.objects.get(establishment=establishment or self.college, kind=kind)
        return Forum.objects.create(
            establishment=establishment or self.college, kind=kind, title=kw.pop("title", f"Forum {kind}"), **kw
        )

    def topic(self, forum=None, *, author="paul.dupont", posts=1, title="Sujet") -> Topic:
        forum = forum or self.class_forum
        now = timezone.now()
        topic = Topic.objects.create(
            establishment=forum.establishment,
            forum=forum,
            title=title,
            author=self.people[author],
            last_post_at=now,
            post_count=posts,
        )
        Post.objects.bulk_create(
            [
                Post(
                    establishment=forum.establishment,
                    topic=topic,
                    author=self.people[author if n % 2 == 0 else "lucas.martin"],
                    body=f"<p>Message {n}</p>",
                    created_at=now + dt.timedelta(minutes=n),
                )
                for n in range(posts)
            ]
        )
        return topic


class ForumPolicyTests(ForumsTestCase):
    def test_who_reads_posts_and_moderates_each_kind_of_forum(self):
        """Membership decides: a class forum its students and teachers (parents when open), a group its own,
        the establishment forum every member, the staff room the staff; managers everywhere in their
        establishment; the region reads and moderates; charlie only his own establishment's."""
        region = {"admin.region"}
        cases = {
            "5e A": (
                self.class_forum,
                {"lucas.martin", "lea.bernard", "paul.dupont", "sophie.bernard"} | MANAGERS,
                {"paul.dupont", "sophie.bernard"} | MANAGERS,
            ),
            "5e A + parents": (
                self.forum(Kind.CLASS, school_class=self.five_a, open_to_parents=True),
                {"lucas.martin", "lea.bernard", "claire.martin", "paul.dupont", "sophie.bernard"} | MANAGERS,
                {"paul.dupont", "sophie.bernard"} | MANAGERS,
            ),
            "4e B": (
                self.forum(Kind.CLASS, school_class=self.four_b),
                {"ines.girard", "sophie.bernard"} | MANAGERS,
                {"sophie.bernard"} | MANAGERS,
            ),
            "Latin": (
                self.forum(Kind.GROUP, group=self.latin),
                {"lucas.martin", "sophie.bernard"} | MANAGERS,
                {"sophie.bernard"} | MANAGERS,
            ),
            "collège": (self.forum(Kind.ESTABLISHMENT), COLLEGE_MEMBERS, MANAGERS),
            "salle des profs": (self.forum(Kind.STAFF), COLLEGE_STAFF, MANAGERS),
            "lycée": (
                self.forum(Kind.ESTABLISHMENT, establishment=self.lycee),
                {"emma.martin", "claire.martin", "paul.dupont"},
                set(),
            ),
            "charlie's staff room": (self.forum(Kind.STAFF, establishment=self.other), {"charlie.roux"}, set()),
        }
        for who in EVERYBODY:
            actor = self.actor(who)
            seen = set(Forum.objects.visible_to(actor).values_list("pk", flat=True))
            for label, (forum, members, moderators) in cases.items():
                with self.subTest(who=who, forum=label):
                    reads = who in members | region
                    self.assertIs(authz.allows(actor, Action.VIEW, forum), reads)
                    self.assertIs(forum.pk in seen, reads)
                    self.assertIs(policies.can_post(actor, forum), who in members)
                    self.assertIs(authz.allows(actor, Action.CHANGE, forum), who in moderators | region)

    def test_topics_and_posts_follow_their_forum_and_a_locked_topic_takes_moderators_only(self):
        """Reading a topic or a post is reading its forum; in a locked topic only moderators post."""
        topic = self.topic()
        post = topic.posts.first()
        locked = self.topic(title="Verrouillé")
        locked.locked_at = timezone.now()
        locked.save()
        for who in EVERYBODY:
            actor = self.actor(who)
            member = who in {"lucas.martin", "lea.bernard", "paul.dupont", "sophie.bernard"} | MANAGERS
            moderator = who in {"paul.dupont", "sophie.bernard", "admin.region"} | MANAGERS
            with self.subTest(who=who):
                self.assertIs(authz.allows(actor, Action.VIEW, topic), member or who == "admin.region")
                self.assertIs(authz.allows(actor, Action.VIEW, post), member or who == "admin.region")
                self.assertIs(authz.allows(actor, Action.CREATE, Post(topic=topic)), member)
                self.assertIs(authz.allows(actor, Action.CREATE, Post(topic=locked)), member and moderator)
                self.assertIs(authz.allows(actor, Action.CHANGE, post), moderator)
                self.assertIs(Topic.objects.visible_to(actor).filter(pk=topic.pk).exists(), member or moderator)
                self.assertIs(Post.objects.visible_to(actor).filter(pk=post.pk).exists(), member or moderator)

    def test_who_opens_a_class_or_group_forum(self):
        """Teachers of the class or group and the managers open one; students, parents and charlie cannot."""
        opened = AuditEvent.objects.filter(verb="forums.create_forum").count()  # the standing forums
        for who, target, allowed in [
            ("paul.dupont", ("school_class", self.five_a), True),
            ("paul.dupont", ("school_class", self.four_b), False),
            ("sophie.bernard", ("group", self.latin), True),
            ("nadia.petit", ("school_class", self.four_b), True),
            ("lucas.martin", ("school_class", self.five_a), False),
            ("claire.martin", ("school_class", self.five_a), False),
            ("charlie.roux", ("school_class", self.five_a), False),
        ]:
            kind = Kind.CLASS if target[0] == "school_class" else Kind.GROUP
            with self.subTest(who=who, target=str(target[1])):
                if allowed:
                    forum = actions.create_forum(actor=self.actor(who), kind=kind, title="Forum", **dict([target]))
                    self.assertEqual(forum.establishment_id, self.college.pk)
                else:
                    with self.assertRaises(PermissionDenied):
                        actions.create_forum(actor=self.actor(who), kind=kind, title="Forum", **dict([target]))
        self.assertEqual(AuditEvent.objects.filter(verb="forums.create_forum").count() - opened, 3)

    def test_who_opens_forums_where(self):
        """The college's managers and the region open forums for any class or group there (forums.manage); its
        teachers open them for what they teach (forums.open_forum); in the lycée, the region and Paul, who
        teaches there too; charlie, a teacher elsewhere, opens none here."""
        managers = {"nadia.petit", "marc.leroy", "julie.moreau", "admin.region"}
        lycee = self.school.lycee.establishment
        for who in EVERYBODY:
            actor = self.actor(who)
            with self.subTest(who=who):
                self.assertIs(authz.can(actor, "forums.manage", self.school.college.establishment), who in managers)
                self.assertIs(
                    authz.can(actor, "forums.open_forum", self.school.college.establishment),
                    who in managers | {"paul.dupont", "sophie.bernard"},
                )
                self.assertIs(authz.can(actor, "forums.open_forum", lycee), who in {"admin.region", "paul.dupont"})


class ForumActionTests(ForumsTestCase):
    def test_a_topic_and_its_replies_are_sanitized_audited_and_counted(self):
        """Posts are cleaned of scripts before saving; each write leaves an audit row; the topic counts posts."""
        topic = actions.start_topic(
            actor=self.actor("paul.dupont"),
            forum=self.class_forum,
            title="Fractions",
            body='<p>Question</p><script>alert("x")</script>',
        )
        actions.reply(actor=self.actor("lucas.martin"), topic=topic, body="<p onclick='x()'>Réponse</p>")
        bodies = list(topic.posts.values_list("body", flat=True))
        self.assertEqual(bodies, ["<p>Question</p>", "<p>Réponse</p>"])
        topic.refresh_from_db()
        self.assertEqual(topic.post_count, 2)
        verbs = list(AuditEvent.objects.exclude(verb__in=OPENING_VERBS).order_by("id").values_list("verb", flat=True))
        self.assertEqual(verbs, ["forums.start_topic", "forums.post", "forums.post"])
        with self.assertRaises(ValueError):
            actions.reply(actor=self.actor("lucas.martin"), topic=topic, body="<script>x()</script>")
        for who in ("claire.martin", "ines.girard", "charlie.roux"):
            with self.subTest(who=who), self.assertRaises(PermissionDenied):
                actions.reply(actor=self.actor(who), topic=topic, body="<p>Intrus</p>")

    def test_hiding_a_post_leaves_a_trace_and_an_audit_row(self):
        """paul.dupont hides lucas's post: members see who hid it and when, moderators still read it."""
        topic = self.topic(posts=2)
        hidden = topic.posts.get(author=self.people["lucas.martin"])
        with self.assertRaises(PermissionDenied):
            actions.hide_post(actor=self.actor("lea.bernard"), post=hidden)
        actions.hide_post(actor=self.actor("paul.dupont"), post=hidden)
        event = AuditEvent.objects.get(verb="forums.hide_post")
        self.assertEqual(event.subject_id, self.people["lucas.martin"].pk)
        self.assertIsNone(event.before["hidden_by"])
        url = reverse("forums:topic", args=[topic.pk])
        self.login("lea.bernard")
        response = self.client.get(url)
        self.assertContains(response, "Message masqué par Paul Dupont le")
        self.assertNotContains(response, "Message 1")
        self.login("paul.dupont")
        response = self.client.get(url)
        self.assertContains(response, "Message masqué par Paul Dupont le")
        self.assertContains(response, "Message 1")
        actions.hide_post(actor=self.actor("paul.dupont"), post=hidden, hidden=False)
        self.assertIsNone(Post.objects.get(pk=hidden.pk).hidden_at)
        self.assertTrue(AuditEvent.objects.filter(verb="forums.show_post").exists())

    def test_hiding_through_htmx_returns_the_post_alone(self):
        """The moderation button swaps the post in place: the answer is the post's fragment, not the page."""
        topic = self.topic(posts=2)
        post = topic.posts.last()
        self.login("paul.dupont")
        response = self.client.post(
            reverse("forums:post_hide", args=[post.pk]), {"hidden": "1"}, headers={"HX-Request": "true"}
        )
        self.assertContains(response, f'id="message-{post.pk}"')
        self.assertContains(response, "Message masqué par")
        self.assertNotContains(response, "<html")
        self.login("lucas.martin")
        response = self.client.post(reverse("forums:post_hide", args=[post.pk]), {"hidden": "0"})
        self.assertEqual(response.status_code, 404)

    def test_locking_a_topic_stops_members_replying(self):
        """Once paul.dupont locks a topic, lucas's reply is refused and paul's accepted; both audited."""
        topic = self.topic()
        self.login("lucas.martin")
        self.assertEqual(
            self.client.post(reverse("forums:topic_lock", args=[topic.pk]), {"locked": "1"}).status_code, 404
        )
        self.login("paul.dupont")
        self.client.post(reverse("forums:topic_lock", args=[topic.pk]), {"locked": "1"})
        topic.refresh_from_db()
        self.assertTrue(topic.is_locked)
        self.login("lucas.martin")
        response = self.client.post(reverse("forums:topic", args=[topic.pk]), {"body": "<p>Encore</p>"})
        self.assertEqual(response.status_code, 404)
        self.assertContains(self.client.get(reverse("forums:topic", args=[topic.pk])), "Ce sujet est verrouillé")
        actions.reply(actor=self.actor("paul.dupont"), topic=topic, body="<p>Le sujet est clos.</p>")
        self.assertEqual(AuditEvent.objects.filter(verb="forums.lock_topic").count(), 1)

    def test_subscribers_are_notified_of_new_posts_in_one_bulk_notify(self):
        """Forum and topic subscribers who still belong to the forum get one notice each, never the author."""
        topic = self.topic()
        actions.subscribe(actor=self.actor("paul.dupont"), forum=self.class_forum)
        actions.subscribe(actor=self.actor("lea.bernard"), topic=topic)
        actions.subscribe(actor=self.actor("lucas.martin"), topic=topic)
        # ines once followed the topic (say, before changing class): she no longer reads the forum.
        Subscription.objects.create(establishment=self.college, user=self.people["ines.girard"], topic=topic)
        with self.assertRaises(PermissionDenied):
            actions.subscribe(actor=self.actor("claire.martin"), forum=self.class_forum)
        actions.reply(actor=self.actor("lucas.martin"), topic=topic, body="<p>Merci</p>")
        notified = sorted(Notification.objects.filter(kind="forums.post").values_list("recipient__username", flat=True))
        self.assertEqual(notified, ["lea.bernard", "paul.dupont"])
        self.assertTrue(Notification.objects.filter(url__contains=f"/forums/sujets/{topic.pk}/").exists())
        actions.subscribe(actor=self.actor("lea.bernard"), topic=topic, on=False)
        self.assertEqual(
            list(
                AuditEvent.objects.filter(verb__startswith="forums.")
                .exclude(verb__in=["forums.post", "forums.create_forum"])
                .order_by("id")
                .values_list("verb", flat=True)
            ),
            ["forums.subscribe", "forums.subscribe", "forums.subscribe", "forums.unsubscribe"],
        )

    def test_a_new_topic_notifies_the_forum_subscribers_and_its_author_follows_it(self):
        """Opening a topic tells the forum's subscribers; its author then follows the topic."""
        actions.subscribe(actor=self.actor("lea.bernard"), forum=self.class_forum)
        topic = actions.start_topic(actor=self.actor("paul.dupont"), forum=self.class_forum, title="Nouveau", body="x")
        self.assertEqual(list(Notification.objects.values_list("recipient__username", flat=True)), ["lea.bernard"])
        self.assertTrue(Subscription.objects.filter(user=self.people["paul.dupont"], topic=topic).exists())


class ForumPageTests(ForumsTestCase):
    def test_the_list_shows_the_standing_forums_each_reads_and_writes_nothing(self):
        """The establishment forum and the staff room exist from the opening; a parent sees the first only;
        reading the list creates no forum and records nothing (no GET writes)."""
        forums, events = Forum.objects.count(), AuditEvent.objects.count()
        self.login("claire.martin")
        response = self.client.get(reverse("forums:index"))
        self.assertContains(response, "Forum de l&#x27;établissement")
        self.assertNotContains(response, "Salle des professeurs")
        self.assertNotContains(response, "Forum de la 5e A")
        self.login("paul.dupont")
        response = self.client.get(reverse("forums:index"))
        self.assertContains(response, "Salle des professeurs")
        self.assertContains(response, "Forum de la 5e A")
        self.assertEqual((Forum.objects.count(), AuditEvent.objects.count()), (forums, events))

    def test_an_establishment_opens_with_its_standing_forums_once(self):
        """``open_establishment`` runs the forums' setup: two forums, audited; running the setups again adds none."""
        college = self.school.college.establishment
        opened = open_establishment(
            actor=None,
            establishment=Establishment(academy=college.academy, uai="0549999Z", name="Collège neuf", kind="college"),
        )
        standing = Forum.objects.filter(establishment=opened).order_by("kind")
        self.assertEqual([f.kind for f in standing], [Kind.ESTABLISHMENT, Kind.STAFF])
        set_up_establishment(actor=None, establishment_id=opened.pk)
        self.assertEqual(standing.count(), 2)
        verbs = AuditEvent.objects.filter(establishment_id=opened.pk).values_list("verb", flat=True)
        self.assertEqual(sorted(verbs), ["directory.open_establishment", "forums.create_forum", "forums.create_forum"])

    def test_a_teacher_posts_and_a_student_replies_through_the_pages(self):
        """paul opens a topic in 5e A's forum; lucas replies; the form redisplays an empty message in French."""
        self.login("paul.dupont")
        response = self.client.post(
            reverse("forums:forum", args=[self.class_forum.pk]), {"title": "Révisions", "body": "<p>Questions ?</p>"}
        )
        topic = Topic.objects.get(title="Révisions")
        self.assertRedirects(response, reverse("forums:topic", args=[topic.pk]), fetch_redirect_response=False)
        self.login("lucas.martin")
        url = reverse("forums:topic", args=[topic.pk])
        response = self.client.post(url, {"body": "<p>   </p>"})
        self.assertContains(response, "Écrivez un message", status_code=400)
        response = self.client.post(url, {"body": "<p>Page 48 ?</p>"})
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get(url), "Page 48 ?")
        response = self.client.post(reverse("forums:forum", args=[self.class_forum.pk]), {"title": "Sans texte"})
        self.assertContains(response, 'value="Sans texte"', status_code=400)

    def test_a_parent_posts_only_where_the_forum_is_open_to_parents(self):
        """claire.martin gets 404 on 5e A's closed forum and posts a topic in one open to parents."""
        open_forum = self.forum(Kind.CLASS, school_class=self.five_a, open_to_parents=True, title="Parents de 5e A")
        self.login("claire.martin")
        self.assertEqual(self.client.get(reverse("forums:forum", args=[self.class_forum.pk])).status_code, 404)
        response = self.client.post(
            reverse("forums:forum", args=[open_forum.pk]), {"title": "Covoiturage", "body": "<p>Qui part ?</p>"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Topic.objects.get().forum, open_forum)

    def test_opening_a_forum_through_the_form(self):
        """paul opens a forum for 5e A, not for 4e B (not offered); a student has no such page."""
        self.login("paul.dupont")
        response = self.client.get(reverse("forums:forum_create"))
        self.assertContains(response, "Classe 5e A")
        self.assertNotContains(response, "Classe 4e B")
        response = self.client.post(
            reverse("forums:forum_create"), {"target": f"class:{self.four_b.pk}", "title": "Intrus"}
        )
        self.assertContains(response, "Choisissez une classe ou un groupe", status_code=400)
        response = self.client.post(
            reverse("forums:forum_create"),
            {"target": f"class:{self.five_a.pk}", "title": "Maths 5e A", "open_to_parents": "on"},
        )
        forum = Forum.objects.get(title="Maths 5e A")
        self.assertTrue(forum.open_to_parents)
        self.assertRedirects(response, reverse("forums:forum", args=[forum.pk]), fetch_redirect_response=False)
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("forums:forum_create")).status_code, 404)

    def test_hostile_titles_and_posts_come_back_inert(self):
        """Forum topic titles and posts made of XSS payloads are inert on every forum page."""
        paul = self.actor("paul.dupont")
        for hostile in HOSTILE:
            topic = actions.start_topic(actor=paul, forum=self.class_forum, title=hostile, body=hostile + "<p>ok</p>")
            actions.reply(actor=self.actor("lucas.martin"), topic=topic, body=hostile + "<p>ok</p>")
        actions.hide_post(actor=paul, post=Post.objects.filter(author=self.people["lucas.martin"]).first())
        for who in ("lucas.martin", "paul.dupont"):
            self.login(who)
            urls = [reverse("forums:index"), reverse("forums:forum", args=[self.class_forum.pk])]
            urls += [reverse("forums:topic", args=[t.pk]) for t in Topic.objects.all()]
            for url in urls:
                with self.subTest(who=who, url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    assert_inert(self, response.content.decode())

    def test_the_topic_list_costs_the_same_with_3_or_40_topics(self):
        """A forum's page costs a pinned number of queries whatever its number of topics: the session, the person,
        the memberships, the forum, the student's classes or the teacher's assignments, the topics, the
        subscriptions."""
        for count in (3, 40):
            Topic.objects.all().delete()
            for n in range(count):
                self.topic(title=f"Sujet {n}", author="lucas.martin" if n % 2 else "paul.dupont")
            for who, budget in [("lucas.martin", 7), ("paul.dupont", 7)]:
                with self.subTest(count=count, who=who):
                    self.login(who)
                    url = reverse("forums:forum", args=[self.class_forum.pk])
                    self.client.get(url)
                    with self.assertNumQueries(budget):
                        response = self.client.get(url)
                    self.assertContains(response, "Sujet 2")

    def test_a_topic_costs_the_same_with_3_or_40_posts(self):
        """A topic's page costs a pinned number of queries with 3 or 40 posts, hidden ones included: the session,
        the person, the memberships, the topic with its forum, the student's classes or the teacher's
        assignments, the posts with their authors and moderators, the subscriptions."""
        for count in (3, 40):
            Topic.objects.all().delete()
            topic = self.topic(posts=count)
            Post.objects.filter(topic=topic, author=self.people["lucas.martin"]).update(
                hidden_at=timezone.now(), hidden_by=self.people["paul.dupont"]
            )
            for who, budget in [("lucas.martin", 7), ("paul.dupont", 7)]:
                with self.subTest(count=count, who=who):
                    self.login(who)
                    url = reverse("forums:topic", args=[topic.pk])
                    self.client.get(url)
                    with self.assertNumQueries(budget):
                        response = self.client.get(url)
                    self.assertContains(response, "Message 0")

    def test_the_forum_list_budget(self):
        """The list of forums costs a pinned number of queries whatever the number of forums."""
        for extra in (0, 10):
            for n in range(extra):
                self.forum(Kind.CLASS, school_class=self.five_a, title=f"Forum {n}")
            self.login("lucas.martin")
            self.client.get(reverse("forums:index"))
            with self.subTest(extra=extra), self.assertNumQueries(4):
                self.client.get(reverse("forums:index"))

    def test_charlie_and_a_closed_module_get_404(self):
        """charlie gets 404 on the collège's forum, topic, post and subscription URLs; a closed module 404s."""
        topic = self.topic(posts=2)
        post = topic.posts.first()
        self.login("charlie.roux")
        for method, url in [
            ("get", reverse("forums:forum", args=[self.class_forum.pk])),
            ("post", reverse("forums:forum", args=[self.class_forum.pk])),
            ("get", reverse("forums:topic", args=[topic.pk])),
            ("post", reverse("forums:topic", args=[topic.pk])),
            ("post", reverse("forums:topic_lock", args=[topic.pk])),
            ("post", reverse("forums:post_hide", args=[post.pk])),
            ("post", reverse("forums:subscription", args=["forum", self.class_forum.pk])),
            ("post", reverse("forums:subscription", args=["sujet", topic.pk])),
        ]:
            with self.subTest(url=url, method=method):
                self.assertEqual(getattr(self.client, method)(url, {"body": "x", "on": "1"}).status_code, 404)
        self.assertFalse(Subscription.objects.exists())
        self.college.module_settings = {"forums": False}
        self.college.save()
        self.login("lucas.martin")
        self.assertEqual(self.client.get(reverse("forums:index")).status_code, 404)
