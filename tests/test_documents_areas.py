"""Class resource areas: who sees a class's resources (its students, their guardians, its teachers, the
direction), from the publication date until withdrawn; the picker and the « ressource retirée » reference;
the area page's pinned budget."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cartable.core import uploads
from cartable.core.authz import Action
from cartable.documents import areas, queries
from cartable.documents.models import Resource, ResourceArea
from cartable.documents.policies import ResourceAreaPolicy, ResourcePolicy
from tests.support.files import OwnMediaTestCase
from tests.support.personas import EVERYBODY

FIVE_A = {"lucas.martin", "lea.bernard", "claire.martin", "sophie.bernard", "paul.dupont", "marc.leroy"}


class AreaTests(OwnMediaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        kit = cls.school.college
        cls.math, cls.five_a = kit.subjects["MATH"], kit.classes["5e A"]

    def open(self) -> ResourceArea:
        return areas.open_area(actor=self.actor("paul.dupont"), subject_id=self.math.pk, school_class_id=self.five_a.pk)

    def publish(self, area, title="Cours", **kw) -> Resource:
        checked = uploads.validate_upload(SimpleUploadedFile("cours.txt", b"Les fractions"), allowed=uploads.ALL)
        return areas.publish_resource(actor=self.actor("paul.dupont"), area=area, title=title, checked=checked, **kw)

    def test_who_sees_a_class_resource(self):
        """Published: 5e A's students and guardians (sophie as lea's mother), paul (its maths teacher) and the
        principal; scheduled or withdrawn: paul only. Nobody else, charlie.roux least of all; faces agree."""
        area = self.open()
        published = self.publish(area)
        scheduled = self.publish(area, "Plus tard", publish_at=timezone.now() + dt.timedelta(days=3))
        withdrawn = areas.withdraw_resource(actor=self.actor("paul.dupont"), resource=self.publish(area, "Vieux"))
        for who in EVERYBODY:
            actor = self.actor(who)
            with self.subTest(who=who):
                self.assertIs(ResourceAreaPolicy().allows(actor, Action.VIEW, area), who in FIVE_A)
                for resource, expected in (
                    (published, who in FIVE_A),
                    (scheduled, who == "paul.dupont"),
                    (withdrawn, who == "paul.dupont"),
                ):
                    self.assertIs(ResourcePolicy().allows(actor, Action.VIEW, resource), expected)
                    kept = Resource.objects.visible_to(actor).filter(pk=resource.pk).exists()
                    self.assertIs(kept, expected)

    def test_only_the_teachers_of_the_assignment_publish(self):
        """sophie.bernard teaches French to 5e A, not maths: she may not open nor publish in the maths area."""
        area = self.open()
        with self.assertRaises(PermissionDenied):
            areas.open_area(actor=self.actor("sophie.bernard"), subject_id=self.math.pk, school_class_id=self.five_a.pk)
        with self.assertRaises(PermissionDenied):
            areas.publish_resource(
                actor=self.actor("sophie.bernard"), area=area, title="Lien", url="https://example.org"
            )

    def test_the_picker_and_a_withdrawn_reference(self):
        """paul's picker offers his 5e A resources; once withdrawn, a reference reads « ressource retirée »."""
        resource = self.publish(self.open())
        self.assertEqual(queries.resource_picker(self.actor("paul.dupont"), school_class_id=self.five_a.pk), [resource])
        self.assertEqual(queries.resource_picker(self.actor("sophie.bernard")), [])
        lucas = self.actor("lucas.martin")
        self.assertEqual(queries.resource_reference(lucas, resource.pk).title, "Cours")
        areas.withdraw_resource(actor=self.actor("paul.dupont"), resource=resource)
        reference = queries.resource_reference(self.actor("lucas.martin"), resource.pk)
        self.assertEqual((reference.title, reference.withdrawn), ("ressource retirée", True))

    def test_a_replaced_file_shows_everywhere(self):
        """A new version of a resource's file is what every reader downloads."""
        resource = self.publish(self.open())
        checked = uploads.validate_upload(SimpleUploadedFile("v2.txt", b"Version 2"), allowed=uploads.ALL)
        areas.replace_resource_file(actor=self.actor("paul.dupont"), resource=resource, checked=checked)
        self.login("lucas.martin")
        response = self.client.get(reverse("documents:resource", args=[resource.pk]))
        self.assertEqual(b"".join(response.streaming_content), b"Version 2")
        self.login("charlie.roux")
        self.assertEqual(self.client.get(reverse("documents:resource", args=[resource.pk])).status_code, 404)

    def test_the_area_page_costs_the_same_for_3_and_300_resources(self):
        """lucas's view of the area keeps its query count whatever the number of resources."""
        area = self.open()
        counts = []
        for size in (3, 300):
            Resource.objects.bulk_create(
                Resource(
                    establishment_id=area.establishment_id,
                    area=area,
                    chapter=f"Chapitre {n % 5}",
                    title=f"R{size}-{n}",
                    url="https://example.org",
                    publish_at=timezone.now() - dt.timedelta(hours=1),
                )
                for n in range(size)
            )
            self.login("lucas.martin")
            url = reverse("documents:area", args=[area.pk])
            self.client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(url).status_code, 200)
            counts.append(len(ctx))
        self.assertEqual(counts[0], counts[1])
        self.assertEqual(counts[0], 6)
        self.login("paul.dupont")
        self.assertContains(self.client.get(reverse("documents:areas")), "5e A — Mathématiques")
