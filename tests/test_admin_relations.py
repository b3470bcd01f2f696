"""Memberships and guardianships in the admin: read-only inside a person's page, audited on their own pages."""

from django.urls import reverse

from cartable.core.models import AuditEvent
from cartable.directory.models import Guardianship, Membership, Role
from tests.support.personas import PersonaTestCase


class AdminRelationTests(PersonaTestCase):
    def setUp(self):
        self.login("admin.region")

    def test_a_persons_memberships_and_guardianships_are_shown_read_only(self):
        """The person's page lists them without a field to edit, an add row or a delete box."""
        claire = self.people["claire.martin"]
        response = self.client.get(reverse("admin:directory_user_change", args=[claire.pk]))
        self.assertEqual(response.status_code, 200)
        inlines = {f.opts.model: f for f in response.context["inline_admin_formsets"]}
        for model in (Membership, Guardianship):
            with self.subTest(model=model._meta.label):
                inline = inlines[model]
                self.assertFalse(inline.has_add_permission)
                self.assertFalse(inline.has_change_permission)
                self.assertFalse(inline.has_delete_permission)
                self.assertTrue(inline.has_view_permission)
                self.assertEqual(inline.formset.max_num, 0)
        self.assertContains(response, "Lucas")  # her children are still listed
        self.assertNotContains(response, 'name="memberships-0-role"')
        self.assertNotContains(response, 'name="guardianships-0-relationship"')

    def test_posting_the_persons_page_leaves_their_roles_alone(self):
        claire = self.people["claire.martin"]
        before = set(Membership.objects.filter(person=claire).values_list("pk", "role"))
        self.client.post(
            reverse("admin:directory_user_change", args=[claire.pk]),
            {"memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "0", "memberships-0-role": Role.TEACHER},
        )
        self.assertEqual(set(Membership.objects.filter(person=claire).values_list("pk", "role")), before)

    def test_granting_and_withdrawing_a_role_on_its_own_page_is_audited(self):
        claire = self.people["claire.martin"]
        college = self.school.college.establishment
        response = self.client.post(
            reverse("admin:directory_membership_add"),
            {
                "person": claire.pk,
                "establishment": college.pk,
                "role": Role.TEACHER,
                "job_title": "",
                "start_date": "2026-09-01",
                "end_date": "",
            },
        )
        self.assertEqual(response.status_code, 302)
        membership = Membership.objects.get(person=claire, role=Role.TEACHER)
        granted = AuditEvent.objects.get(verb="directory.grant_membership", subject_id=claire.pk)
        self.assertEqual(granted.actor_id, self.people["admin.region"].pk)
        self.assertEqual(granted.after["role"], Role.TEACHER)
        self.client.post(reverse("admin:directory_membership_delete", args=[membership.pk]), {"post": "yes"})
        self.assertFalse(Membership.objects.filter(pk=membership.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="directory.remove_membership", subject_id=claire.pk).exists())

    def test_changing_a_guardianship_on_its_own_page_is_audited(self):
        link = Guardianship.objects.filter(guardian=self.people["claire.martin"]).order_by("pk").first()
        response = self.client.post(
            reverse("admin:directory_guardianship_change", args=[link.pk]),
            {
                "guardian": link.guardian_id,
                "student": link.student_id,
                "relationship": link.relationship,
                "legal_responsibility": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        link.refresh_from_db()
        self.assertFalse(link.receives_notifications)
        changed = AuditEvent.objects.get(verb="directory.change_guardianship", subject_id=link.student_id)
        self.assertEqual(
            (changed.before["receives_notifications"], changed.after["receives_notifications"]), (True, False)
        )
