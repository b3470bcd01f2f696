"""The messaging: who sees a message, sending (rules, groups, fan-out, notices), threads, drafts, the mailbox,
search, attachments, reports, hostile input, the pages and their query budgets."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cartable.core import authz
from cartable.core.authz import Action
from cartable.core.models import AuditEvent, Notification
from cartable.directory.models import Membership, Role, SchoolClass, User
from cartable.messaging import actions, queries
from cartable.messaging.models import Attachment, Folder, MailboxEntry, Message, Report
from tests.support.personas import PersonaTestCase

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVERYBODY = [
    "lucas.martin",
    "lea.bernard",
    "claire.martin",
    "thomas.girard",
    "paul.dupont",
    "sophie.bernard",
    "nadia.petit",
    "marc.leroy",
    "julie.moreau",
    "admin.region",
    "charlie.roux",
]
HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">clic</a>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    "<iframe src=\"javascript:alert('x')\"></iframe>",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">texte</p>',
]


class MessagingTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.college = cls.school.college.establishment
        cls.five_a = SchoolClass.objects.get(name="5e A")

    def send(self, author: str, recipients: list[str], subject: str = "Bonjour", body: str = "<p>Texte</p>", **kw):
        keys = [f"u:{self.people[r].pk}" for r in recipients] + kw.pop("groups", [])
        with self.captureOnCommitCallbacks(execute=True):
            message, _recipients = actions.send_message(
                actor=self.actor(author), subject=subject, body=body, keys=keys, **kw
            )
        return message

    def entry(self, username: str, message: Message) -> MailboxEntry:
        return MailboxEntry.objects.get(person=self.people[username], message=message)


class MessagePolicyTests(MessagingTestCase):
    def test_only_participants_see_a_message(self):
        """The sender and the recipients see a message; nobody else, not the direction, not the region, not
        charlie; the scope agrees with the check."""
        message = self.send("claire.martin", ["paul.dupont"])
        for who in EVERYBODY:
            with self.subTest(who=who):
                expected = who in ("claire.martin", "paul.dupont")
                actor = self.actor(who)
                self.assertIs(authz.allows(actor, Action.VIEW, message), expected)
                self.assertIs(Message.objects.visible_to(actor).filter(pk=message.pk).exists(), expected)

    def test_a_sent_message_is_never_edited(self):
        """Even its sender may not change a sent message; a draft is its sender's to change."""
        message = self.send("claire.martin", ["paul.dupont"])
        self.assertFalse(authz.allows(self.actor("claire.martin"), Action.CHANGE, message))
        draft = actions.save_draft(actor=self.actor("claire.martin"), subject="Brouillon", body="x", keys=[])
        for who, expected in [("claire.martin", True), ("paul.dupont", False), ("admin.region", False)]:
            with self.subTest(who=who):
                self.assertIs(authz.allows(self.actor(who), Action.CHANGE, draft), expected)
        with self.assertRaises(PermissionDenied):
            actions.save_draft(actor=self.actor("claire.martin"), subject="Autre", body="y", draft=message)

    def test_the_thread_page_is_the_same_404_for_others_and_for_missing_messages(self):
        """A thread, a file and the report form answer 404 to non-participants, as for a missing id."""
        message = self.send("claire.martin", ["paul.dupont"])
        for who in ["charlie.roux", "marc.leroy", "lucas.martin", "admin.region"]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(reverse("messaging:thread", args=[message.pk])).status_code, 404)
                self.assertEqual(self.client.get(reverse("messaging:thread", args=[999999])).status_code, 404)
                url = reverse("messaging:report_create", args=[message.pk])
                self.assertEqual(self.client.get(url).status_code, 404)


class SendTests(MessagingTestCase):
    def test_sending_delivers_notifies_and_audits(self):
        """A message lands in the recipient's inbox (unread) and the sender's "Envoyés", one notice of kind
        messaging.message per recipient, and an audit row."""
        message = self.send("claire.martin", ["paul.dupont", "nadia.petit"])
        self.assertEqual(self.entry("paul.dupont", message).box, MailboxEntry.Box.INBOX)
        self.assertIsNone(self.entry("paul.dupont", message).read_at)
        self.assertEqual(self.entry("claire.martin", message).box, MailboxEntry.Box.SENT)
        notices = Notification.objects.filter(kind="messaging.message", target_id=str(message.pk))
        self.assertEqual(sorted(notices.values_list("recipient__username", flat=True)), ["nadia.petit", "paul.dupont"])
        self.assertTrue(AuditEvent.objects.filter(verb="messaging.send", target_id=str(message.pk)).exists())

    def test_a_person_out_of_reach_refuses_the_message_with_the_reason(self):
        """Lucas writing to Inès (another class) is refused, with the rule's reason; nothing is written. Her
        name is not told him: the directory shows students only the staff."""
        with self.assertRaises(actions.RecipientsRefused) as refused:
            self.send("lucas.martin", ["ines.girard"])
        name, decision = refused.exception.refused[0]
        self.assertEqual(name, "Destinataire inconnu")
        self.assertNotIn("Inès", decision.reason)
        self.assertIn("qu'aux élèves de leur classe", decision.reason)
        self.assertFalse(Message.objects.exists())

    def test_a_group_leaves_out_those_the_rules_exclude(self):
        """The principal writes to the parents of 5e A: Claire and Sophie (the guardians of 5e A) receive it."""
        message = self.send("marc.leroy", [], groups=[f"g:class:{self.five_a.pk}:guardians"])
        self.assertEqual(
            sorted(
                MailboxEntry.objects.filter(message=message, box="inbox").values_list("person__username", flat=True)
            ),
            ["claire.martin", "sophie.bernard"],
        )
        self.assertEqual(message.audience_label, "Parents de 5e A")
        # A student choosing the class's students: only classmates remain (Lucas excluded himself).
        message = self.send("lucas.martin", [], groups=[f"g:class:{self.five_a.pk}:students"])
        self.assertEqual(message.recipient_count, 2)  # Léa and Zoé

    def test_an_unknown_group_is_refused(self):
        """A student may not pick the groups of a class that is not theirs."""
        four_b = SchoolClass.objects.get(name="4e B")
        with self.assertRaises(PermissionDenied):
            self.send("lucas.martin", [], groups=[f"g:class:{four_b.pk}:students"])

    def test_reply_reaches_the_author_even_where_the_rules_would_not(self):
        """The principal writes to Lucas; Lucas (who may not write to the direction) may answer him, in the same
        thread."""
        first = self.send("marc.leroy", ["lucas.martin"])
        reply = self.send("lucas.martin", ["marc.leroy"], subject="RE : Bonjour", parent=first)
        self.assertEqual(reply.thread_id, first.pk)
        self.assertEqual(self.entry("marc.leroy", reply).box, MailboxEntry.Box.INBOX)
        with self.assertRaises(actions.RecipientsRefused):
            self.send("lucas.martin", ["marc.leroy"])

    def test_a_large_message_fans_out_in_a_background_task(self):
        """Beyond the inline limit, recipients get the message when the task runs (after commit)."""
        people = self.make_guardians(actions.INLINE_MAX + 5)
        keys = [f"u:{p}" for p in people]
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            message, _r = actions.send_message(actor=self.actor("marc.leroy"), subject="Info", body="x", keys=keys)
        self.assertEqual(MailboxEntry.objects.filter(message=message).count(), 1)  # the sender's copy only
        for callback in callbacks:
            callback()
        self.assertEqual(MailboxEntry.objects.filter(message=message, box="inbox").count(), len(people))
        self.assertEqual(actions.deliver(message.pk), 0)  # a second run does nothing

    def make_guardians(self, n: int) -> list[int]:
        users = User.objects.bulk_create(
            [User(username=f"parent{i}", first_name="Parent", last_name=f"N{i:04}") for i in range(n)]
        )
        if any(u.pk is None for u in users):
            users = list(User.objects.filter(username__startswith="parent"))
        Membership.objects.bulk_create(
            [
                Membership(
                    person=u,
                    establishment=self.college,
                    role=Role.GUARDIAN,
                    start_date=self.school.college.year.start_date,
                )
                for u in users
            ]
        )
        return [u.pk for u in users]

    def count_send(self, recipients: list[int]) -> int:
        """Queries of sending and delivering a message (the e-mail delivery task excluded)."""
        with CaptureQueriesContext(connection) as captured:
            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                actions.send_message(
                    actor=self.actor("marc.leroy"), subject="Info", body="x", keys=[f"u:{p}" for p in recipients]
                )
            for callback in callbacks:
                if getattr(callback, "__name__", "") != "_enqueue_delivery":
                    callback()
        return len(captured)

    def test_sending_to_1000_costs_the_queries_of_sending_to_10(self):
        """Rules, inbox rows and notices are written in bulk: 10 and 1,000 recipients cost the same queries."""
        people = self.make_guardians(1000)
        self.actor("marc.leroy").memberships  # noqa: B018  (loaded once, as in a request)
        small = self.count_send(people[:10])
        large = self.count_send(people)
        self.assertEqual(small, large)
        self.assertEqual(Notification.objects.filter(kind="messaging.message").count(), 1010)


class MailboxTests(MessagingTestCase):
    def test_trash_then_delete_removes_it_from_ones_own_mailbox_only(self):
        """Paul trashes, restores, trashes and deletes the message; Claire still has hers."""
        message = self.send("claire.martin", ["paul.dupont"])
        paul = self.actor("paul.dupont")
        entry = self.entry("paul.dupont", message)
        actions.trash(actor=paul, entries=[entry])
        self.assertEqual(queries.mailbox(paul, box="trash").paginator.count, 1)
        self.assertEqual(queries.mailbox(paul).paginator.count, 0)
        actions.restore(actor=paul, entries=[entry])
        self.assertEqual(queries.mailbox(paul).paginator.count, 1)
        entry.refresh_from_db()
        self.assertEqual(actions.delete_for_good(actor=paul, entries=[entry]), 0)  # not in the trash
        actions.trash(actor=paul, entries=[entry])
        entry.refresh_from_db()
        self.assertEqual(actions.delete_for_good(actor=paul, entries=[entry]), 1)
        self.assertFalse(authz.allows(paul, Action.VIEW, message))
        self.assertTrue(authz.allows(self.actor("claire.martin"), Action.VIEW, message))
        verbs = set(AuditEvent.objects.filter(verb__startswith="messaging.").values_list("verb", flat=True))
        self.assertLessEqual({"messaging.trash", "messaging.restore", "messaging.delete"}, verbs)

    def test_nobody_acts_on_anothers_mailbox(self):
        """Claire cannot trash Paul's copy."""
        message = self.send("claire.martin", ["paul.dupont"])
        with self.assertRaises(PermissionDenied):
            actions.trash(actor=self.actor("claire.martin"), entries=[self.entry("paul.dupont", message)])

    def test_folders_and_read_state(self):
        """A message filed in one's folder leaves the inbox; the folder counts its unread messages."""
        message = self.send("claire.martin", ["paul.dupont"])
        paul = self.actor("paul.dupont")
        folder = actions.create_folder(actor=paul, name="Familles")
        actions.move(actor=paul, entries=[self.entry("paul.dupont", message)], folder=folder)
        self.assertEqual(queries.mailbox(paul).paginator.count, 0)
        self.assertEqual(queries.mailbox(paul, folder=folder).paginator.count, 1)
        self.assertEqual(queries.folders(paul)[0].unread, 1)
        self.assertEqual(queries.unread_count(paul), 1)
        actions.mark_read(actor=paul, entries=[self.entry("paul.dupont", message)])
        self.assertEqual(queries.unread_count(paul), 0)
        actions.delete_folder(actor=paul, folder=folder)
        self.assertEqual(queries.mailbox(paul).paginator.count, 1)
        with self.assertRaises(PermissionDenied):
            actions.delete_folder(
                actor=self.actor("claire.martin"),
                folder=Folder.objects.create(owner=self.people["paul.dupont"], name="x"),
            )

    def test_search_finds_ones_own_messages_only(self):
        """A word of the subject or of the body finds the message, for its participants only."""
        self.send("claire.martin", ["paul.dupont"], subject="Sortie scolaire", body="<p>Le musée de Nancy</p>")
        self.send("marc.leroy", ["nadia.petit"], subject="Réunion", body="<p>Le musée encore</p>")
        paul = self.actor("paul.dupont")
        self.assertEqual(queries.mailbox(paul, search="sortie").paginator.count, 1)
        self.assertEqual(queries.mailbox(paul, search="musée").paginator.count, 1)
        self.assertEqual(queries.mailbox(paul, search="réunion").paginator.count, 0)
        self.assertEqual(queries.mailbox(self.actor("charlie.roux"), search="musée").paginator.count, 0)

    def test_postgresql_search_is_french_and_uses_the_gin_index(self):
        """On PostgreSQL the search stems French words (« sorties » finds « Sortie ») through the GIN index."""
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only")
        self.send("claire.martin", ["paul.dupont"], subject="Sortie scolaire", body="<p>Les élèves</p>")
        paul = self.actor("paul.dupont")
        self.assertEqual(queries.mailbox(paul, search="sorties").paginator.count, 1)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = MailboxEntry.objects.filter(message_id__in=queries.matching_messages("sorties")).explain()
        self.assertIn("message_search_fr", plan)

    def test_drafts_are_kept_then_sent(self):
        """A draft keeps its recipients, appears in "Brouillons", and becomes a sent message."""
        claire = self.actor("claire.martin")
        key = f"u:{self.people['paul.dupont'].pk}"
        draft = actions.save_draft(actor=claire, subject="Question", body="À finir", keys=[key])
        self.assertEqual(queries.mailbox(claire, box="drafts").paginator.count, 1)
        self.assertFalse(authz.allows(self.actor("paul.dupont"), Action.VIEW, draft))
        with self.captureOnCommitCallbacks(execute=True):
            sent, _r = actions.send_message(
                actor=claire, subject="Question", body="Fini", keys=draft.recipient_keys, draft=draft
            )
        self.assertEqual(sent.pk, draft.pk)
        self.assertEqual(queries.mailbox(claire, box="drafts").paginator.count, 0)
        self.assertEqual(queries.mailbox(claire, box="sent").paginator.count, 1)


class HostileInputTests(MessagingTestCase):
    def test_hostile_subjects_bodies_and_file_names_come_back_inert(self):
        """Scripts, event handlers, javascript: links and SVG payloads are stripped from bodies and escaped in
        subjects and file names, on the thread, the mailbox and the report."""
        for payload in HOSTILE:
            with self.subTest(payload=payload):
                upload = SimpleUploadedFile(payload + ".pdf", PDF, content_type="application/pdf")
                from cartable.core import uploads

                checked = uploads.validate_upload(upload, allowed=uploads.ALL)
                message = self.send(
                    "claire.martin", ["paul.dupont"], subject=payload, body=payload, checked_files=[checked]
                )
                self.assertNotIn("<script", message.body)
                self.assertNotIn("onerror", message.body)
                self.assertNotIn("javascript:", message.body)
                self.assertNotIn("onload", message.body)
                self.login("paul.dupont")
                for url in [reverse("messaging:thread", args=[message.pk]), reverse("messaging:inbox")]:
                    html = self.client.get(url).content.decode()
                    for bad in ["<script>alert", "<img src=x", "<svg", "<iframe", 'href="javascript:']:
                        self.assertNotIn(bad, html)
                attachment = Attachment.objects.get(message=message)
                response = self.client.get(reverse("messaging:attachment", args=[attachment.pk]))
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("<", response["Content-Disposition"].split("filename*=")[0])


class AttachmentTests(MessagingTestCase):
    def test_files_are_checked_by_content_and_served_to_participants_only(self):
        """A PDF is joined and served to the participants; a script renamed .pdf is refused with a French
        message; others get a 404."""
        self.login("claire.martin")
        url = reverse("messaging:compose")
        data = {"op": "send", "subject": "Certificat", "body": "Voici", "to": [f"u:{self.people['paul.dupont'].pk}"]}
        bad = SimpleUploadedFile("virus.pdf", b"#!/bin/sh\nrm -rf /\n\x00\x01", content_type="application/pdf")
        response = self.client.post(url, {**data, "files": [bad]})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Certificat", status_code=400)
        self.assertFalse(Message.objects.exists())
        good = SimpleUploadedFile("certificat.pdf", PDF, content_type="application/pdf")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, {**data, "files": [good]})
        self.assertEqual(response.status_code, 302)
        attachment = Attachment.objects.get()
        file_url = reverse("messaging:attachment", args=[attachment.pk])
        for who, status in [("claire.martin", 200), ("paul.dupont", 200), ("marc.leroy", 404), ("charlie.roux", 404)]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(file_url).status_code, status)


class ReportTests(MessagingTestCase):
    def test_a_report_reaches_the_direction_who_close_it(self):
        """Claire reports Paul's message: the principal and the ENT administrator are notified and see it;
        Paul and charlie do not; the principal closes it; every step is audited."""
        message = self.send("paul.dupont", ["claire.martin"], subject="Propos déplacés")
        report = actions.report_message(actor=self.actor("claire.martin"), message=message, reason="Ton agressif")
        notified = Notification.objects.filter(kind="messaging.report").values_list("recipient__username", flat=True)
        self.assertEqual(sorted(notified), ["julie.moreau", "marc.leroy"])
        for who, expected in [
            ("marc.leroy", True),
            ("julie.moreau", True),
            ("claire.martin", True),
            ("paul.dupont", False),
            ("nadia.petit", False),
            ("charlie.roux", False),
        ]:
            with self.subTest(who=who):
                self.assertIs(authz.allows(self.actor(who), Action.VIEW, report), expected)
                self.assertIs(Report.objects.visible_to(self.actor(who)).filter(pk=report.pk).exists(), expected)
        self.login("marc.leroy")
        page = self.client.get(reverse("messaging:report", args=[report.pk]))
        self.assertContains(page, "Propos déplacés")
        response = self.client.post(reverse("messaging:report", args=[report.pk]), {"resolution": "Entretien fait"})
        self.assertEqual(response.status_code, 302)
        report.refresh_from_db()
        self.assertEqual(report.status, Report.Status.CLOSED)
        self.assertTrue(AuditEvent.objects.filter(verb="messaging.close_report").exists())
        self.login("claire.martin")
        self.assertEqual(self.client.post(reverse("messaging:report", args=[report.pk]), {}).status_code, 404)

    def test_who_handles_reports_and_changes_the_rules(self):
        """The principal and the ENT administrator handle the college's reports; its ENT administrator and the
        region change its communication rules; a received message may be reported by its recipient only, and an
        open report closed by its handlers only."""
        college = self.school.college.establishment
        message = self.send("paul.dupont", ["claire.martin"], subject="Propos")
        report = actions.report_message(actor=self.actor("claire.martin"), message=message, reason="Ton")
        for who in ("claire.martin", "paul.dupont", "marc.leroy", "julie.moreau", "admin.region", "charlie.roux"):
            actor = self.actor(who)
            with self.subTest(who=who):
                self.assertIs(authz.can(actor, "messaging.handle_reports"), who in {"marc.leroy", "julie.moreau"})
                self.assertIs(
                    authz.can(actor, "messaging.edit_rules", college), who in {"julie.moreau", "admin.region"}
                )
                self.assertIs(authz.can(actor, "messaging.report", message), who == "claire.martin")
                self.assertIs(authz.can(actor, "messaging.close_report", report), who in {"marc.leroy", "julie.moreau"})
        lucas, ines, hugo = self.actor("lucas.martin"), self.people["ines.girard"], self.people["hugo.lambert"]
        self.assertIs(authz.can(lucas, "messaging.ask_why", ines), True)
        self.assertIs(authz.can(lucas, "messaging.ask_why", hugo), False)
        self.assertIs(authz.can(self.actor("admin.region"), "messaging.ask_why", hugo), True)


class PageTests(MessagingTestCase):
    def test_inbox_costs_the_same_with_3_or_40_messages(self):
        """The inbox page's query count is pinned and does not grow with the messages."""
        for _i in range(3):
            self.send("claire.martin", ["paul.dupont"])
        self.login("paul.dupont")
        url = reverse("messaging:inbox")
        self.client.get(url)
        with self.assertNumQueries(6):
            self.client.get(url)
        for _i in range(37):
            self.send("nadia.petit", ["paul.dupont"])
        with self.assertNumQueries(6):
            response = self.client.get(url)
        self.assertEqual(response.content.count(b'name="entry"'), 30)

    def test_thread_page_and_reply(self):
        """Paul opens Claire's message (marked read, pinned queries), answers; Claire sees the thread and who
        read it."""
        message = self.send("claire.martin", ["paul.dupont"], subject="Devoirs de Lucas")
        self.login("paul.dupont")
        url = reverse("messaging:thread", args=[message.pk])
        self.assertContains(self.client.get(url), "Devoirs de Lucas")
        self.assertIsNotNone(self.entry("paul.dupont", message).read_at)
        with self.assertNumQueries(6):
            self.client.get(url)
        reply = self.client.get(reverse("messaging:compose") + f"?repondre={message.pk}")
        self.assertContains(reply, "RE : Devoirs de Lucas")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("messaging:compose"),
                {
                    "op": "send",
                    "repondre": message.pk,
                    "subject": "RE : Devoirs de Lucas",
                    "body": "Bien reçu",
                    "to": [f"u:{self.people['claire.martin'].pk}"],
                },
            )
        self.assertRedirects(response, url)
        self.login("claire.martin")
        page = self.client.get(url)
        self.assertContains(page, "Bien reçu")
        self.assertContains(page, "lu le")

    def test_the_picker_tells_why(self):
        """Searching "Leroy" as Lucas lists the principal with the reason he may not write to him and a
        "Pourquoi ?" link; the why page says it. The picker shows no more than the annuaire: other students and
        families are not listed (nor explained) unless the rules let him write to them (a classmate)."""
        self.login("lucas.martin")
        response = self.client.get(reverse("messaging:picker"), {"q": "Leroy"}, headers={"HX-Request": "true"})
        self.assertContains(response, "Marc Leroy")
        self.assertContains(response, "ne peuvent pas écrire aux membres de la direction")
        why = self.client.get(reverse("messaging:why", args=[self.people["marc.leroy"].pk]))
        self.assertContains(why, "Non, vous ne pouvez pas lui écrire.")
        girard = self.client.get(reverse("messaging:picker"), {"q": "Girard"}, headers={"HX-Request": "true"})
        self.assertNotContains(girard, "Inès Girard")
        self.assertNotContains(girard, "Thomas Girard")
        self.assertContains(
            self.client.get(reverse("messaging:picker"), {"q": "Bernard"}, headers={"HX-Request": "true"}),
            "Léa Bernard",
        )
        for hidden in ("ines.girard", "hugo.lambert"):
            self.assertEqual(self.client.get(reverse("messaging:why", args=[self.people[hidden].pk])).status_code, 404)
        self.assertContains(self.client.get(reverse("messaging:picker"), {"q": "Dupont"}), 'value="u:')

    def test_a_student_answers_the_principal_from_the_picker(self):
        """Lucas may not write to the direction, but answering the principal's message preselects him, also in
        the htmx picker; the search without JavaScript keeps what was typed and shows no error."""
        message = self.send("marc.leroy", ["lucas.martin"], subject="Convocation")
        self.login("lucas.martin")
        value = f'value="u:{self.people["marc.leroy"].pk}" id="to-1" checked'
        self.assertContains(self.client.get(reverse("messaging:compose"), {"repondre": message.pk}), value)
        picker = self.client.get(
            reverse("messaging:picker"), {"repondre": message.pk, "to": f"u:{self.people['marc.leroy'].pk}"}
        )
        self.assertContains(picker, value)
        response = self.client.post(
            reverse("messaging:compose"), {"op": "search", "q": "Bernard", "subject": "", "body": "Mon brouillon"}
        )
        self.assertContains(response, "Léa Bernard")
        self.assertContains(response, "Mon brouillon")
        self.assertNotContains(response, "Ce champ est obligatoire")

    def test_the_compose_page_keeps_what_was_typed_when_refused(self):
        """A refused send answers 400 with the reason, and the subject and body typed."""
        self.login("lucas.martin")
        response = self.client.post(
            reverse("messaging:compose"),
            {"op": "send", "subject": "Salut", "body": "Mon texte", "to": [f"u:{self.people['ines.girard'].pk}"]},
        )
        self.assertContains(response, "qu&#x27;aux élèves de leur classe", status_code=400)
        self.assertContains(response, "Mon texte", status_code=400)

    def test_a_refusal_names_nobody_the_sender_may_not_see(self):
        """Charlie (a teacher of another school) posts ids of the region: the refusal is the same for Lucas and
        for an id nobody has, and names nobody; a parent writing to another family hears no name either."""
        self.login("charlie.roux")
        answers = []
        for key in [f"u:{self.people['lucas.martin'].pk}", "u:987654"]:
            response = self.client.post(
                reverse("messaging:compose"), {"op": "send", "subject": "Salut", "body": "Mon texte", "to": [key]}
            )
            self.assertEqual(response.status_code, 400)
            self.assertNotContains(response, "Lucas Martin", status_code=400)
            self.assertNotContains(response, "appartient", status_code=400)
            self.assertContains(response, "Mon texte", status_code=400)
            page = response.content.decode()
            answers.append(page[page.index('<div class="form-alert') : page.index("</div>", page.index("form-alert"))])
        self.assertEqual(answers[0], answers[1])
        self.login("claire.martin")
        thomas = self.people["thomas.girard"]
        response = self.client.post(
            reverse("messaging:compose"),
            {"op": "send", "subject": "Salut", "body": "Mon texte", "to": [f"u:{thomas.pk}"]},
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotContains(response, thomas.get_full_name(), status_code=400)

    def test_rules_page(self):
        """Julie simulates (nothing saved) then saves; Paul reads the table; his POST is a 404."""
        self.login("julie.moreau")
        url = reverse("messaging:rules")
        data = {"student__student": "none", "op": "simulate"}
        response = self.client.post(url, data)
        self.assertContains(response, "Simulation")
        self.assertContains(response, "ne pourra plus écrire à")
        self.assertFalse(AuditEvent.objects.filter(verb="messaging.set_rules").exists())
        self.assertEqual(self.client.post(url, {**data, "op": "save"}).status_code, 302)
        self.assertTrue(AuditEvent.objects.filter(verb="messaging.set_rules").exists())
        self.login("paul.dupont")
        self.assertContains(self.client.get(url), "Qui peut écrire à qui")
        self.assertEqual(self.client.post(url, data).status_code, 404)

    def test_pages_answer_and_the_widget_shows_unread(self):
        """Every page of the messaging answers for a participant; the dashboard widget counts unread messages."""
        message = self.send("claire.martin", ["paul.dupont"])
        self.login("paul.dupont")
        for name in ["inbox", "sent", "drafts", "trash", "compose", "rules"]:
            with self.subTest(page=name):
                self.assertEqual(self.client.get(reverse(f"messaging:{name}")).status_code, 200)
        self.assertContains(self.client.get(reverse("dashboard:home")), "1 message non lu")
        self.assertEqual(self.client.get(reverse("messaging:reports")).status_code, 404)
        self.login("marc.leroy")
        self.assertEqual(self.client.get(reverse("messaging:reports")).status_code, 200)
        self.assertIsNotNone(message)


class ForwardAndModuleTests(MessagingTestCase):
    def test_forward_carries_the_files_and_reply_all_offers_the_others(self):
        """Paul forwards Claire's message with its file to Nadia; reply-all to the principal's message to
        Claire and Nadia preselects both others."""
        from cartable.core import uploads

        checked = uploads.validate_upload(
            SimpleUploadedFile("certificat.pdf", PDF, content_type="application/pdf"), allowed=uploads.ALL
        )
        original = self.send("claire.martin", ["paul.dupont"], subject="Certificat", checked_files=[checked])
        forwarded = self.send("paul.dupont", ["nadia.petit"], subject="TR : Certificat", forward_of=original)
        self.assertEqual(forwarded.attachments.get().original_name, "certificat.pdf")
        self.login("nadia.petit")
        response = self.client.get(reverse("messaging:attachment", args=[forwarded.attachments.get().pk]))
        self.assertEqual(response.status_code, 200)
        message = self.send("marc.leroy", ["claire.martin", "nadia.petit"], subject="Réunion")
        self.login("claire.martin")
        page = self.client.get(reverse("messaging:compose"), {"repondre": message.pk, "tous": 1})
        self.assertContains(page, f'value="u:{self.people["marc.leroy"].pk}" id="to-1" checked')
        self.assertContains(page, f'value="u:{self.people["nadia.petit"].pk}"')

    def test_the_pages_answer_404_when_the_module_is_off(self):
        """An establishment that switches the messaging off gets a 404 on its pages."""
        self.college.module_settings = {"messaging": False}
        self.college.save()
        self.login("paul.dupont")
        for name in ["inbox", "compose", "rules"]:
            with self.subTest(page=name):
                self.assertEqual(self.client.get(reverse(f"messaging:{name}")).status_code, 404)


class DemoTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        from cartable.demo.region import load_demo_region

        cls.people = load_demo_region().personas.people

    def test_every_persona_has_messages_some_unread_and_drafts(self):
        """Each persona's mailbox holds messages; claire.martin and paul.dupont have unread ones and a draft;
        the direction has a report to handle."""
        for who in [
            "lucas.martin",
            "claire.martin",
            "paul.dupont",
            "sophie.bernard",
            "nadia.petit",
            "marc.leroy",
            "julie.moreau",
            "admin.region",
            "charlie.roux",
        ]:
            with self.subTest(who=who):
                self.assertTrue(MailboxEntry.objects.filter(person=self.people[who]).exists())
        for who in ["claire.martin", "paul.dupont"]:
            actor = self.actor(who)
            self.assertGreater(queries.unread_count(actor), 0)
            self.assertEqual(queries.mailbox(actor, box="drafts").paginator.count, 1)
        self.assertEqual(len(queries.reports(self.actor("marc.leroy"))), 1)
        thread = queries.thread(
            self.actor("claire.martin"), Message.objects.get(subject="Exercices de Lucas pour jeudi").pk
        )
        self.assertEqual(len(thread), 3)
