"""Personal data is declared: every model pointing to a person has a provider that exports and erases it."""

import datetime as dt
import json

from django.apps import apps
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth import get_user_model

from cartable.core import audit, registry
from cartable.core.models import AuditEvent, Notification
from cartable.demo.personas import person
from cartable.directory.models import (
    Enrolment,
    ExternalIdentifier,
    GroupMembership,
    Guardianship,
    Membership,
    Role,
    SchoolClass,
    TeachingAssignment,
)
from tests.support.personas import PersonaTestCase


def user_fields_of(model) -> set[str]:
    """The names of a model's own fields that point to a person (foreign key, one-to-one, many-to-many)."""
    User = get_user_model()
    return {
        f.name
        for f in model._meta.get_fields()
        if f.is_relation and not f.auto_created and f.concrete and f.related_model is User
    } | {
        f.name
        for f in model._meta.many_to_many
        if f.related_model is User  # many-to-many fields are not "concrete" but hold people all the same
    }


def models_pointing_to_people() -> list:
    return [m for m in apps.get_models() if user_fields_of(m)]


class DeclarationTests(PersonaTestCase):
    def test_every_model_pointing_to_a_person_is_declared(self):
        """A model with a link to a person and no data provider fails here: declare it in the app's hooks.py."""
        providers = registry.data_providers()
        found = models_pointing_to_people()
        self.assertIn(Enrolment, found)
        self.assertIn(LogEntry, found)
        for model in found:
            with self.subTest(model=model._meta.label):
                self.assertIn(model, providers, f"{model._meta.label} holds personal data but declares no provider")

    def test_declared_user_fields_are_the_models_fields_pointing_to_a_person(self):
        """``user_fields`` names exactly the fields that point to a person, no more, no less."""
        for model, provider in registry.data_providers().items():
            with self.subTest(model=model._meta.label):
                self.assertEqual(set(provider.user_fields), user_fields_of(model))

    def test_each_provider_says_why_and_how_long(self):
        """Purpose and retention are stated for every provider (RGPD register)."""
        for model, provider in registry.data_providers().items():
            with self.subTest(model=model._meta.label):
                self.assertTrue(str(provider.purpose).strip())
                self.assertTrue(str(provider.retention).strip())


class ExportTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        lucas, nadia = cls.people["lucas.martin"], cls.people["nadia.petit"]
        ExternalIdentifier.objects.create(person=lucas, source="ine", value="123456789AB")
        Notification.objects.create(recipient=lucas, kind="test", title="Bienvenue")
        AuditEvent.objects.create(actor=nadia, verb="consult", subject_id=lucas.pk)
        LogEntry.objects.create(
            user=cls.people["admin.region"],
            content_type_id=None,
            object_repr="Collège Louis Pasteur",
            action_flag=ADDITION,
            change_message="[]",
        )

    def test_every_export_is_json_for_every_persona(self):
        """Each provider's export gives a list of JSON-serialisable rows, for students, families and staff."""
        for username in ["lucas.martin", "claire.martin", "paul.dupont", "nadia.petit", "admin.region"]:
            user = self.people[username]
            for model, provider in registry.data_providers().items():
                with self.subTest(username=username, model=model._meta.label):
                    rows = provider.export(user)
                    self.assertIsInstance(rows, list)
                    for row in rows:
                        self.assertIsInstance(row, dict)
                    json.dumps(rows)

    def test_exports_contain_the_persons_data(self):
        """Lucas's export holds his identity, his enrolment, his guardian link and his notices."""
        lucas = self.people["lucas.martin"]
        exported = {model._meta.label: provider.export(lucas) for model, provider in registry.data_providers().items()}
        self.assertEqual(exported["directory.User"][0]["username"], "lucas.martin")
        self.assertEqual(exported["directory.Enrolment"][0]["school_class__name"], "5e A")
        self.assertEqual(exported["directory.Guardianship"][0]["guardian__first_name"], "Claire")
        self.assertEqual(exported["directory.ExternalIdentifier"], [{"source": "ine", "value": "123456789AB"}])
        self.assertEqual(exported["core.Notification"][0]["title"], "Bienvenue")
        self.assertEqual(exported["core.AuditEvent"][0]["verb"], "consult")
        self.assertEqual(len(registry.data_provider(LogEntry).export(self.people["admin.region"])), 1)


class ErasureTests(PersonaTestCase):
    def make_throwaway_person(self):
        """A student with a row in every directory table, a guardian, notices, audit rows and an admin log."""
        college = self.school.college
        tom = person("tom.efface", "Tom", "Effacé", birth=dt.date(2014, 2, 2))
        Membership.objects.create(
            person=tom, establishment=college.establishment, role=Role.STUDENT, start_date=college.year.start_date
        )
        Membership.objects.create(
            person=tom, establishment=college.establishment, role=Role.TEACHER, start_date=college.year.start_date
        )
        four_b = college.classes["4e B"]
        Enrolment.objects.create(establishment=college.establishment, student=tom, school_class=four_b)
        latin = college.classes["5e A"].groups.get()
        GroupMembership.objects.create(establishment=college.establishment, student=tom, group=latin)
        TeachingAssignment.objects.create(
            establishment=college.establishment, teacher=tom, subject=college.subjects["HG"], school_class=four_b
        )
        SchoolClass.objects.filter(pk=four_b.pk).update(head_teacher=tom)
        Guardianship.objects.create(guardian=self.people["thomas.girard"], student=tom, relationship="father")
        Guardianship.objects.create(guardian=tom, student=self.people["ines.girard"], relationship="other")
        ExternalIdentifier.objects.create(person=tom, source="ine", value="TOM0000001")
        Notification.objects.create(recipient=tom, kind="test", title="Bonjour")
        audit.record(actor=self.actor("nadia.petit"), verb="test.touch", target=tom, subject_id=tom.pk)
        AuditEvent.objects.create(actor=tom, verb="test.did", ip_address="192.0.2.1")
        LogEntry.objects.create(user=tom, object_repr="x", action_flag=ADDITION, change_message="[]")
        return tom

    def test_erasing_a_person_leaves_no_link_to_them(self):
        """After every provider's erase, no row points to the person, and their identity is gone."""
        tom = self.make_throwaway_person()
        ines_guardians = Guardianship.objects.filter(student=self.people["ines.girard"]).count()
        for provider in registry.data_providers().values():
            provider.erase(tom)
        for model in models_pointing_to_people():
            for field in user_fields_of(model):
                with self.subTest(model=model._meta.label, field=field):
                    self.assertFalse(model._default_manager.filter(**{field: tom}).exists())
        tom.refresh_from_db()
        self.assertEqual((tom.first_name, tom.last_name, tom.email, tom.birth_date), ("", "", "", None))
        self.assertFalse(tom.is_active)
        self.assertFalse(tom.has_usable_password())
        self.assertNotIn("tom", tom.username)
        # The trail stays (a legal obligation), without the person's identity as an author.
        self.assertTrue(AuditEvent.objects.filter(verb="test.did", actor=None, ip_address=None).exists())
        # Other people's data is untouched.
        self.assertEqual(Guardianship.objects.filter(student=self.people["ines.girard"]).count(), ines_guardians - 1)
        self.assertTrue(Enrolment.objects.filter(student=self.people["lucas.martin"]).exists())
        self.assertEqual(self.people["lucas.martin"].notifications.count(), 0)
        self.assertTrue(Membership.objects.filter(person=self.people["thomas.girard"]).exists())

    def test_erasure_is_repeatable(self):
        """Erasing twice is harmless: a retried privacy request does not fail."""
        tom = self.make_throwaway_person()
        for _ in range(2):
            for provider in registry.data_providers().values():
                provider.erase(tom)
        tom.refresh_from_db()
        self.assertEqual(tom.username, f"efface-{tom.pk}")
