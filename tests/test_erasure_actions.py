"""Erasure goes through each app's audited ``erase_personal_data`` action, which its data providers name."""

import datetime as dt

from django.utils.module_loading import import_string

from cartable.core import registry
from cartable.core.models import AuditEvent, NotificationPreference
from cartable.demo.personas import person
from tests.support.personas import PersonaTestCase


def _app_providers() -> dict:
    return registry.data_providers()


class ErasureActionTests(PersonaTestCase):
    def test_every_provider_names_its_apps_action_with_a_rule_for_the_model(self):
        for model, provider in _app_providers().items():
            with self.subTest(model=model._meta.label):
                self.assertIsInstance(provider.erase, registry.ErasureAction)
                self.assertTrue(provider.erase.path.endswith(".actions.erase_personal_data"))
                module = import_string(provider.erase.path.rpartition(".")[0])
                self.assertIn(model, module.ERASURE)

    def test_each_erasure_is_audited_without_naming_the_person_as_actor(self):
        tom = person("tom.audit", "Tom", "Audité", birth=dt.date(2014, 2, 2))
        nadia = self.actor("nadia.petit")
        for provider in _app_providers().values():
            provider.erase(tom, actor=nadia)
        rows = AuditEvent.objects.filter(verb__endswith=".erase_personal_data", subject_id=tom.pk)
        self.assertEqual(rows.count(), len(_app_providers()))
        self.assertEqual(set(rows.values_list("actor_id", flat=True)), {nadia.user_id})
        self.assertEqual(set(rows.values_list("after__model", flat=True)), {m._meta.label for m in _app_providers()})
        self.assertTrue(rows.filter(verb="grades.erase_personal_data", target_type="directory.user").exists())

    def test_a_guardians_choice_about_an_erased_child_goes_with_the_child(self):
        child = person("theo.efface", "Théo", "Effacé", birth=dt.date(2014, 3, 3))
        claire = self.people["claire.martin"]
        NotificationPreference.objects.create(user=claire, kind="homework.published", channel="email", about=child)
        registry.data_provider(NotificationPreference).erase(child)
        self.assertFalse(NotificationPreference.objects.filter(about=child).exists())
