"""The kernel's cross-cutting services: audit trail, notification outbox, registry and module switch."""

import datetime as dt

from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cartable.core import audit, registry
from cartable.core.models import AuditEvent, Delivery, Notification
from cartable.core.notify import notify
from cartable.core.tasks import MAX_ATTEMPTS, STALE_CLAIM, deliver_pending
from cartable.directory.actor import ANONYMOUS
from cartable.directory.models import Establishment
from tests.support.personas import PersonaTestCase

KIND = "tests.essai"


class ConcurrentWorkerBackend(BaseEmailBackend):
    """A mail server slow enough that a second worker runs the delivery task while the first is sending."""

    sent: list = []
    nested = False

    def send_messages(self, email_messages):
        if not ConcurrentWorkerBackend.nested:
            ConcurrentWorkerBackend.nested = True
            try:
                deliver_pending.call()
            finally:
                ConcurrentWorkerBackend.nested = False
        ConcurrentWorkerBackend.sent.extend(email_messages)
        return len(email_messages)


class Rollback(Exception):
    """Raised inside a transaction to undo it."""


class RegistryIsolation:
    """Registers throwaway items for one test and removes them afterwards, leaving the registry as it was."""

    def register_throwaway(self, table_name: str, item):
        table = getattr(registry, table_name)
        self.addCleanup(table.pop, item.key, None)
        return {
            "_kinds": registry.register_notification_kind,
            "_modules": registry.register_module,
            "_menu": registry.register_menu,
            "_widgets": registry.register_widget,
        }[table_name](item)


class AuditTests(PersonaTestCase):
    def test_an_audit_row_is_part_of_the_actions_transaction(self):
        """When the action's transaction rolls back, its audit row goes with it."""
        college = self.school.college.establishment
        with self.assertRaises(Rollback), transaction.atomic():
            audit.record(actor=self.actor("marc.leroy"), verb="tests.rolled_back", target=college)
            self.assertTrue(AuditEvent.objects.filter(verb="tests.rolled_back").exists())
            raise Rollback
        self.assertFalse(AuditEvent.objects.filter(verb="tests.rolled_back").exists())

    def test_an_audit_row_says_who_did_what_where(self):
        """The row names the actor, the target, the establishment, the before and after states."""
        marc = self.actor("marc.leroy")
        marc.ip_address = "192.0.2.7"
        college = self.school.college.establishment
        with transaction.atomic():
            row = audit.record(actor=marc, verb="tests.changed", target=college, before={"a": 1}, after={"a": 2})
        row.refresh_from_db()
        self.assertEqual(
            (row.kind, row.actor_id, row.establishment_id, row.target_type, row.target_id, row.ip_address),
            (AuditEvent.Kind.WRITE, marc.user_id, college.pk, "directory.establishment", str(college.pk), "192.0.2.7"),
        )
        self.assertEqual((row.before, row.after), ({"a": 1}, {"a": 2}))

    def test_a_real_action_is_audited_and_rolls_back_with_its_audit_row(self):
        """Switching modules writes one audit row; when the surrounding transaction fails, neither stays."""
        from cartable.governance.actions import set_modules

        college = self.school.college.establishment
        marc = self.actor("marc.leroy")
        with self.assertRaises(Rollback), transaction.atomic():
            set_modules(actor=marc, establishment=college, enabled=set())
            raise Rollback
        self.assertFalse(AuditEvent.objects.filter(verb="governance.set_modules").exists())
        college.refresh_from_db()
        self.assertEqual(college.module_settings, {})
        set_modules(actor=marc, establishment=college, enabled=set())
        self.assertEqual(AuditEvent.objects.filter(verb="governance.set_modules", actor_id=marc.user_id).count(), 1)

    def test_reads_of_a_students_data_are_recorded_for_staff_only(self):
        """Staff reading a student's data leave a trace; the student and the student's guardians do not."""
        p = self.people
        for reader, role, student, recorded in [
            ("nadia.petit", None, "lucas.martin", True),
            ("paul.dupont", None, "lucas.martin", True),
            ("marc.leroy", None, "ines.girard", True),
            ("sophie.bernard", "teacher", "lucas.martin", True),
            ("sophie.bernard", "teacher", "lea.bernard", False),  # her own daughter, even as a teacher
            ("claire.martin", None, "lucas.martin", False),
            ("claire.martin", None, "emma.martin", False),
            ("lucas.martin", None, "lucas.martin", False),
        ]:
            with self.subTest(reader=reader, student=student):
                AuditEvent.objects.all().delete()
                actor = self.actor(reader, role=role)
                audit.record_read(actor=actor, verb="discipline.view_file", target=p[student], subject_id=p[student].pk)
                rows = list(AuditEvent.objects.all())
                self.assertEqual(len(rows), 1 if recorded else 0)
                if recorded:
                    self.assertEqual(
                        (rows[0].kind, rows[0].actor_id, rows[0].subject_id),
                        (AuditEvent.Kind.READ, actor.user_id, p[student].pk),
                    )

    def test_reads_without_an_actor_or_a_subject_are_not_recorded(self):
        """Nothing is written for an anonymous actor or a read concerning nobody in particular."""
        AuditEvent.objects.all().delete()  # the persona school's opening (establishments, standing forums)
        audit.record_read(actor=None, verb="discipline.view_file", subject_id=self.people["lucas.martin"].pk)
        audit.record_read(actor=self.actor("nadia.petit"), verb="discipline.view_file", subject_id=None)
        self.assertFalse(AuditEvent.objects.exists())


class NotifyTests(RegistryIsolation, PersonaTestCase):
    def setUp(self):
        self.register_throwaway(
            "_kinds", registry.NotificationKind(key=KIND, label="Essai", default_channels=("in_app", "email"))
        )
        self.lucas, self.claire = self.people["lucas.martin"], self.people["claire.martin"]

    def test_notify_writes_a_notice_and_its_deliveries_in_the_callers_transaction(self):
        """A rollback loses both the notification rows and their pending deliveries."""
        with self.assertRaises(Rollback), transaction.atomic():
            notify(recipients=[self.lucas, self.claire], kind=KIND, title="Note publiée")
            self.assertEqual(Notification.objects.count(), 2)
            self.assertEqual(Delivery.objects.count(), 2)
            raise Rollback
        self.assertFalse(Notification.objects.exists())
        self.assertFalse(Delivery.objects.exists())

    def test_notify_writes_one_row_per_recipient_and_channel(self):
        """Recipients given twice (as people or ids) get one notice; in-app only means no delivery row."""
        rows = notify(
            recipients=[self.lucas, self.lucas.pk, self.claire],
            kind=KIND,
            title="Bienvenue",
            url="/",
            target=self.school.college.establishment,
        )
        self.assertEqual(len(rows), 2)
        self.assertEqual(
            set(Notification.objects.values_list("recipient_id", "target_type")),
            {(self.lucas.pk, "directory.establishment"), (self.claire.pk, "directory.establishment")},
        )
        self.assertEqual(Delivery.objects.filter(channel=Delivery.Channel.EMAIL).count(), 2)
        notify(recipients=[self.lucas], kind=KIND, title="Seulement ici", channels=["in_app"])
        self.assertEqual(Delivery.objects.count(), 2)
        self.assertEqual(notify(recipients=[], kind=KIND, title="Personne"), [])

    def test_an_unknown_kind_is_refused(self):
        """Kinds are declared in hooks.py; a typo fails loudly instead of sending an unlabelled notice."""
        with self.assertRaises(LookupError):
            notify(recipients=[self.lucas], kind="tests.unknown", title="?")

    def test_each_email_is_sent_once(self):
        """After commit the delivery task sends the e-mail; running it again sends nothing more."""
        with self.captureOnCommitCallbacks(execute=True):
            notify(recipients=[self.lucas], kind=KIND, title="Bienvenue", body="Bonjour Lucas", url="/")
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["lucas.martin@example.org"])
        self.assertIn("Bienvenue", message.subject)
        self.assertIn("Bonjour Lucas", message.body)
        self.assertEqual(deliver_pending.call(), 0)
        self.assertEqual(len(mail.outbox), 1)
        delivery = Delivery.objects.get()
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.SENT, 1))
        self.assertIsNotNone(delivery.sent_at)

    def test_a_second_worker_does_not_send_what_the_first_is_sending(self):
        """While one worker sends an e-mail, another run of the task leaves that delivery alone."""
        notify(recipients=[self.lucas], kind=KIND, title="Bienvenue")
        ConcurrentWorkerBackend.sent = []
        with override_settings(MAILERS={"default": {"BACKEND": "tests.test_audit_notify.ConcurrentWorkerBackend"}}):
            deliver_pending.call()
        self.assertEqual(len(ConcurrentWorkerBackend.sent), 1)
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SENT)

    def test_a_delivery_claimed_by_a_worker_that_died_is_sent_later(self):
        """A claim older than the stale delay is released, so a crash mid-send delays a mail, never loses it."""
        notify(recipients=[self.lucas], kind=KIND, title="Bienvenue")
        long_ago = timezone.now() - STALE_CLAIM - dt.timedelta(seconds=1)
        Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=long_ago, attempts=1)
        self.assertEqual(deliver_pending.call(), 1)
        self.assertEqual(len(mail.outbox), 1)
        Delivery.objects.update(status=Delivery.Status.SENDING, claimed_at=timezone.now())
        self.assertEqual(deliver_pending.call(), 0, "a fresh claim belongs to a worker still sending")

    def test_a_person_without_an_email_address_is_skipped(self):
        """No address, no mail: the delivery is marked skipped and never retried."""
        self.lucas.email = ""
        self.lucas.save(update_fields=["email"])
        notify(recipients=[self.lucas], kind=KIND, title="Bienvenue")
        self.assertEqual(deliver_pending.call(), 0)
        self.assertEqual(Delivery.objects.get().status, Delivery.Status.SKIPPED)
        self.assertEqual(mail.outbox, [])

    def test_a_failing_mail_server_is_retried_then_given_up(self):
        """Each run retries a failed e-mail; after MAX_ATTEMPTS it is marked failed and left alone."""
        notify(recipients=[self.lucas], kind=KIND, title="Bienvenue")
        delivery = Delivery.objects.get()
        with override_settings(MAILERS={"default": {"BACKEND": "tests.support.mail.FailingBackend"}}):
            for attempt in range(1, MAX_ATTEMPTS + 1):
                with self.subTest(attempt=attempt):
                    self.assertEqual(deliver_pending.call(), 0)
                    delivery.refresh_from_db()
                    self.assertEqual(delivery.attempts, attempt)
                    self.assertIn("injoignable", delivery.last_error)
                    expected = Delivery.Status.FAILED if attempt == MAX_ATTEMPTS else Delivery.Status.PENDING
                    self.assertEqual(delivery.status, expected)
        deliver_pending.call()
        delivery.refresh_from_db()
        self.assertEqual((delivery.status, delivery.attempts), (Delivery.Status.FAILED, MAX_ATTEMPTS))
        self.assertEqual(mail.outbox, [])

    def test_a_mail_server_back_up_delivers_on_the_next_run(self):
        """A failure followed by a working server sends the e-mail once."""
        notify(recipients=[self.lucas], kind=KIND, title="Bienvenue")
        with override_settings(MAILERS={"default": {"BACKEND": "tests.support.mail.FailingBackend"}}):
            deliver_pending.call()
        self.assertEqual(deliver_pending.call(), 1)
        self.assertEqual(deliver_pending.call(), 0)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(Delivery.objects.get().attempts, 2)


class RegistryTests(RegistryIsolation, PersonaTestCase):
    def test_the_registry_refuses_a_second_item_under_the_same_key(self):
        """Two apps cannot claim the same key; registering the very same item again is harmless."""
        module = self.register_throwaway("_modules", registry.Module(key="essai", label="Essai"))
        self.assertIs(registry.register_module(module), module)
        for register, item in [
            (registry.register_module, registry.Module(key="essai", label="Autre")),
            (registry.register_menu, registry.MenuEntry(key="dashboard", label="Autre", url_name="dashboard:home")),
            (registry.register_widget, registry.Widget(key="identity", title="Autre", template="x", context=dict)),
            (registry.register_notification_kind, registry.NotificationKind(key="accounts.welcome", label="Autre")),
        ]:
            with self.subTest(item=item), self.assertRaises(RuntimeError):
                register(item)
        self.assertEqual(registry.module("essai").label, "Essai")

    def test_module_enabled_follows_the_establishments_settings_then_the_default(self):
        """An establishment's setting wins; otherwise the module's default; unknown modules are off."""
        self.register_throwaway("_modules", registry.Module(key="essai", label="Essai"))
        self.register_throwaway("_modules", registry.Module(key="optionnel", label="Option", default_enabled=False))
        for settings, key, expected in [
            (None, None, True),  # an item of no module is always shown
            ({}, "essai", True),
            ({"essai": False}, "essai", False),
            ({"essai": True}, "essai", True),
            ({}, "optionnel", False),
            ({"optionnel": True}, "optionnel", True),
            ({}, "inconnu", False),
            ({"inconnu": True}, "inconnu", True),
        ]:
            with self.subTest(settings=settings, key=key):
                self.assertIs(registry.module_enabled(settings, key), expected)


class ModuleSwitchTests(RegistryIsolation, PersonaTestCase):
    def setUp(self):
        self.register_throwaway("_modules", registry.Module(key="essai", label="Essai"))
        self.register_throwaway(
            "_menu",
            registry.MenuEntry(
                key="essai", label="Entrée du module essai", url_name="dashboard:home", order=90, module="essai"
            ),
        )
        self.register_throwaway(
            "_widgets",
            registry.Widget(
                key="essai",
                title="Bloc du module essai",
                template="dashboard/widgets/identity.html",
                context=lambda actor: {"actor": actor},
                module="essai",
            ),
        )
        self.college = self.school.college.establishment

    def switch(self, **modules):
        Establishment.objects.filter(pk=self.college.pk).update(module_settings=modules)

    def test_a_disabled_modules_menu_entry_and_widget_disappear_from_the_dashboard(self):
        """With the module on, Lucas sees its menu entry and widget; switched off for his collège, neither."""
        self.login("lucas.martin")
        page = self.client.get(reverse("dashboard:home"))
        self.assertContains(page, "Entrée du module essai")
        self.assertContains(page, "Bloc du module essai")
        self.switch(essai=False)
        page = self.client.get(reverse("dashboard:home"))
        self.assertNotContains(page, "Entrée du module essai")
        self.assertNotContains(page, "Bloc du module essai")

    def test_the_switch_is_per_establishment(self):
        """Switched off at the collège, the module still shows at the lycée."""
        self.switch(essai=False)
        self.login("emma.martin")
        page = self.client.get(reverse("dashboard:home"))
        self.assertContains(page, "Entrée du module essai")
        self.assertContains(page, "Bloc du module essai")

    def test_visibility_predicates_and_anonymous_actors(self):
        """An item also hides when its ``visible(actor)`` says no, and anonymous actors see no module item."""
        essai = [e for e in registry.menu_entries() if e.key == "essai"]
        self.assertEqual(registry.visible_items(essai, self.actor("lucas.martin"), {}), essai)
        hidden = registry.MenuEntry(key="cache", label="Caché", url_name="dashboard:home", visible=lambda a: False)
        self.assertEqual(registry.visible_items([hidden], self.actor("lucas.martin"), {}), [])
        self.assertEqual(ANONYMOUS.module_settings, {})

    def test_a_disabled_modules_pages_answer_404(self):
        """``require_module``: the annuaire page is a 404 once the collège switches the module off."""
        self.login("marc.leroy")
        self.assertEqual(self.client.get(reverse("directory:people")).status_code, 200)
        self.switch(directory=False)
        self.assertEqual(self.client.get(reverse("directory:people")).status_code, 404)
