"""Report-card pages: the grid, the council page, generation with progress, publication, downloads, the
families' list; staff reads recorded; query counts constant in the class size."""

from __future__ import annotations

import io
import re
import zipfile

from django.urls import reverse
from pypdf import PdfReader

from cartable.core import authz
from cartable.core.models import AuditEvent
from cartable.reportcards.models import GenerationRun, ReportCard, SubjectAppreciation
from tests.support.reportcards import EVERYONE, Flow

HTMX = {"HTTP_HX_REQUEST": "true"}


class PageTests(Flow):
    def grid_url(self, subject=None):
        return reverse("reportcards:grid", args=[self.five_a.pk, self.period.pk, (subject or self.math).pk])

    def council_url(self):
        return reverse("reportcards:council", args=[self.five_a.pk, self.period.pk])

    def test_who_opens_the_grid_and_the_council_page(self):
        """The class's staff open both pages; families, other classes' parents and charlie get a 404."""
        for who, status in [
            ("paul.dupont", 200),
            ("sophie.bernard", 200),
            ("marc.leroy", 200),
            ("nadia.petit", 200),
            ("julie.moreau", 404),
            ("lucas.martin", 404),
            ("claire.martin", 404),
            ("charlie.roux", 404),
        ]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(self.grid_url()).status_code, status)
                self.assertEqual(self.client.get(self.council_url()).status_code, status)

    def test_grid_shows_the_averages_and_saves_with_htmx(self):
        """The teacher sees each student's average and saves one appreciation; the row comes back."""
        self.login("paul.dupont")
        page = self.client.get(self.grid_url()).content.decode()
        self.assertIn("13,33", page)  # Lucas: (14.5 × 2 + 11) / 3
        self.assertIn('name="text"', page)
        lucas = self.people["lucas.martin"]
        url = reverse("reportcards:save_subject", args=[self.five_a.pk, self.period.pk, self.math.pk, lucas.pk])
        response = self.client.post(url, {"text": "Très bon trimestre."}, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Très bon trimestre.")
        self.assertContains(response, "Enregistrée")
        self.assertNotContains(response, "<html")
        self.assertEqual(SubjectAppreciation.objects.get().text, "Très bon trimestre.")

    def test_a_refused_appreciation_keeps_what_was_typed(self):
        """Too long: a 400, the French message, the text kept in the field; nothing saved."""
        self.login("paul.dupont")
        lucas = self.people["lucas.martin"]
        url = reverse("reportcards:save_subject", args=[self.five_a.pk, self.period.pk, self.math.pk, lucas.pk])
        typed = "Trop long " * 70
        response = self.client.post(url, {"text": typed}, **HTMX)
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "caractères", status_code=400)
        self.assertContains(response, typed.strip()[:50], status_code=400)
        self.assertFalse(SubjectAppreciation.objects.exists())

    def test_without_htmx_a_refused_appreciation_redisplays_the_grid(self):
        """Without JavaScript: the whole grid again, a 400, the typed text in that student's field only."""
        self.login("paul.dupont")
        lucas = self.people["lucas.martin"]
        url = reverse("reportcards:save_subject", args=[self.five_a.pk, self.period.pk, self.math.pk, lucas.pk])
        typed = "Beaucoup trop long. " * 40
        response = self.client.post(url, {"text": typed})
        self.assertContains(response, typed.strip()[:60], status_code=400)
        self.assertContains(response, 'aria-invalid="true"', count=1, status_code=400)
        self.assertContains(response, "Martin Lucas", status_code=400)

    def test_a_teacher_of_another_subject_cannot_write(self):
        """Sophie (French) reads the maths grid without fields, and posting to it is a 404."""
        self.login("sophie.bernard")
        self.assertNotContains(self.client.get(self.grid_url()), 'name="text"')
        lucas = self.people["lucas.martin"]
        url = reverse("reportcards:save_subject", args=[self.five_a.pk, self.period.pk, self.math.pk, lucas.pk])
        self.assertEqual(self.client.post(url, {"text": "x"}, **HTMX).status_code, 404)

    def test_council_page_general_appreciation_and_decision(self):
        """The head teacher saves a general appreciation, the principal a mention, from the council page."""
        lucas = self.people["lucas.martin"]
        self.login("paul.dupont")
        url = reverse("reportcards:save_general", args=[self.five_a.pk, self.period.pk, lucas.pk])
        response = self.client.post(url, {"text": "Bon élève."}, **HTMX)
        self.assertContains(response, "Bon élève.")
        decision_url = reverse("reportcards:save_decision", args=[self.five_a.pk, self.period.pk, lucas.pk])
        self.assertEqual(self.client.post(decision_url, {"mention": "compliments"}, **HTMX).status_code, 404)
        self.login("marc.leroy")
        response = self.client.post(decision_url, {"mention": "compliments", "decision": "Passage."}, **HTMX)
        self.assertContains(response, 'value="compliments" selected')
        self.assertEqual(self.client.post(url, {"text": "x"}, **HTMX).status_code, 404)
        response = self.client.post(decision_url, {"mention": "bravo", "decision": "Tapé à la main."}, **HTMX)
        self.assertContains(response, "Tapé à la main.", status_code=400)
        self.assertContains(response, 'class="errorlist"', status_code=400)

    def test_generation_progress_and_publication_from_the_page(self):
        """The principal launches the generation (progress row), then publishes; the class zip holds every PDF."""
        self.login("marc.leroy")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("reportcards:generate", args=[self.five_a.pk, self.period.pk]), **HTMX)
        # The response was made before the task ran (after commit): a progress row that polls.
        self.assertContains(response, 'id="production"')
        self.assertContains(response, "En cours : 0 / 3")
        self.assertContains(response, 'hx-trigger="every 1s"')
        run = GenerationRun.objects.get()
        progress = self.client.get(reverse("reportcards:progress", args=[run.pk]))
        self.assertContains(progress, 'value="3"')
        self.assertContains(progress, "3 bulletins à publier.")
        self.assertContains(progress, "3 / 3")
        self.assertNotContains(progress, "hx-trigger")  # finished: polling stops
        page = self.client.get(self.council_url())
        self.assertContains(page, "3 bulletins à publier.")
        confirmed = {"confirm_missing": page.context["production"].missing.total}  # publish anyway (issue 11)
        response = self.client.post(reverse("reportcards:publish", args=[self.five_a.pk, self.period.pk]), confirmed)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ReportCard.objects.filter(published_at__isnull=False).count(), 3)
        archive = self.client.get(reverse("reportcards:zip", args=[self.five_a.pk, self.period.pk]))
        names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
        self.assertEqual(len(names), 3)
        self.login("paul.dupont")
        self.assertEqual(self.client.get(reverse("reportcards:progress", args=[run.pk])).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("reportcards:generate", args=[self.five_a.pk, self.period.pk])).status_code, 404
        )

    def test_publishing_a_date_in_the_past_is_refused_with_the_form(self):
        """A publication date long past: a 400 with the French message."""
        self.generate()
        self.login("marc.leroy")
        url = reverse("reportcards:publish", args=[self.five_a.pk, self.period.pk])
        response = self.client.post(url, {"publish_at": "2001-01-01T08:00"})
        self.assertContains(response, "Choisissez une date à venir", status_code=400)
        self.assertContains(response, "2001-01-01T08:00", status_code=400)

    def test_the_page_and_the_pdf_say_the_same_numbers(self):
        """Every number of the report card's page is printed in its PDF."""
        self.write_all()
        self.generate()
        self.publish()
        card = self.card_of("lucas.martin")
        self.login("claire.martin")
        page = self.client.get(reverse("reportcards:card", args=[card.pk])).content.decode()
        table = page[page.index("<table") : page.index("</table>")]
        numbers = re.findall(r"\d+,\d\d", table)
        self.assertGreaterEqual(len(numbers), 10)
        response = self.client.get(reverse("reportcards:download", args=[card.pk]))
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
        for number in numbers:
            self.assertIn(number, text)
        self.assertIn("Retards : 2", text)
        self.assertIn("3 demi-journées d'absence dont 1 non justifiée, 2 retards", page)

    def test_downloads_are_guarded_and_staff_reads_recorded(self):
        """A draft is not for families; charlie never; staff reading a report card leaves a read record."""
        self.generate()
        card = self.card_of("lucas.martin")
        for who, status in [("claire.martin", 404), ("lucas.martin", 404), ("charlie.roux", 404), ("marc.leroy", 200)]:
            with self.subTest(who=who):
                self.login(who)
                self.assertEqual(self.client.get(reverse("reportcards:download", args=[card.pk])).status_code, status)
                self.assertEqual(self.client.get(reverse("reportcards:card", args=[card.pk])).status_code, status)
        reads = AuditEvent.objects.filter(kind=AuditEvent.Kind.READ, verb="reportcards.read")
        self.assertEqual(reads.filter(actor_id=self.people["marc.leroy"].pk, subject_id=card.student_id).count(), 2)
        self.publish()
        self.login("claire.martin")
        self.assertEqual(self.client.get(reverse("reportcards:download", args=[card.pk])).status_code, 200)
        self.assertFalse(reads.filter(actor_id=self.people["claire.martin"].pk).exists())

    def test_families_see_the_latest_and_reach_the_replaced_one(self):
        """After a correction, the family's list shows version 2 and version 1 marked "remplacé"."""
        self.generate()
        self.publish()
        self.write_all()
        self.generate()
        self.publish()
        self.login("claire.martin")
        page = self.client.get(reverse("reportcards:index")).content.decode()
        first, second = self.card_of("lucas.martin"), self.card_of("lucas.martin", 2)
        self.assertIn(reverse("reportcards:card", args=[second.pk]), page)
        self.assertIn(reverse("reportcards:card", args=[first.pk]), page)
        self.assertLess(page.index(f"/bulletins/{second.pk}/"), page.index(f"/bulletins/{first.pk}/"))
        self.assertEqual(page.count("remplacé"), 1)
        old = self.client.get(reverse("reportcards:card", args=[first.pk]))
        self.assertContains(old, "Remplacé")
        self.login("lucas.martin")
        self.assertContains(self.client.get(reverse("reportcards:index")), "remplacé")
        self.login("thomas.girard")
        self.assertContains(self.client.get(reverse("reportcards:index")), "Aucun bulletin publié")

    def test_staff_home_lists_grids_and_councils(self):
        """A teacher finds their class × subject grids; the head teacher and the principal the council pages."""
        self.login("sophie.bernard")
        page = self.client.get(reverse("reportcards:index")).content.decode()
        self.assertIn(reverse("reportcards:grid", args=[self.five_a.pk, self.period.pk, self.french.pk]), page)
        self.assertNotIn(self.grid_url(), page)
        self.login("marc.leroy")
        page = self.client.get(reverse("reportcards:index")).content.decode()
        self.assertIn(self.council_url(), page)
        self.assertIn(reverse("reportcards:council", args=[self.four_b.pk, self.period.pk]), page)


class QueryBudgetTests(Flow):
    """Each page's query count, pinned, the same with 3 and with 13 students in the class.

    Grid (12): session, person, memberships, teaching, class, period, subject, students, appreciations, and the
    grades app's 3 queries. Council page (13): session, person, memberships, teaching, class, period,
    students, general appreciations, decisions, report cards, grades' 3... less teaching for the principal,
    plus the last generation run. Report card page: 6 for the principal (the card, its versions, the read
    record), 7 for a guardian (children, no read record). Families' list: 6.
    """

    def pages(self):
        card = self.card_of("lucas.martin")
        return [
            ("paul.dupont", reverse("reportcards:grid", args=[self.five_a.pk, self.period.pk, self.math.pk]), 12),
            ("marc.leroy", reverse("reportcards:council", args=[self.five_a.pk, self.period.pk]), 13),
            ("claire.martin", reverse("reportcards:card", args=[card.pk]), 7),
            ("claire.martin", reverse("reportcards:index"), 6),
            ("marc.leroy", reverse("reportcards:card", args=[card.pk]), 6),
        ]

    def measure(self):
        for who, url, expected in self.pages():
            with self.subTest(who=who, url=url, students=self.class_size()):
                self.login(who)
                self.client.get(url)  # the session's first visit fills caches
                with self.assertNumQueries(expected):
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_pages_cost_the_same_whatever_the_class_size(self):
        """Grid, council page, report card page and families' list: the same count with 10 more students."""
        self.write_all()
        self.generate()
        self.publish()
        self.measure()
        self.add_students(10)
        self.generate()
        self.publish()
        self.measure()


class NamedPermissionTests(Flow):
    def test_every_reportcards_permission_answers_for_every_persona(self):
        """Each named permission of the app answers True or False for every persona, about an object of the
        model it names (the class, the college) or about nothing."""
        objects = {
            None: None,
            "directory.schoolclass": self.five_a,
            "directory.establishment": self.five_a.establishment,
        }
        names = [n for n in authz.registered_permissions() if n.startswith("reportcards.")]
        self.assertGreaterEqual(len(names), 5)
        for name in names:
            about = authz.registered_permissions()[name].about
            obj = objects[about._meta.label_lower if about is not None else None]
            for who in EVERYONE:
                with self.subTest(permission=name, who=who):
                    self.assertIn(authz.allows(self.actor(who), name, obj), (True, False))

    def test_the_council_page_opens_exactly_for_whom_its_permission_allows(self):
        """The page and the named permission agree, persona by persona; only the direction sees the
        production block."""
        url = reverse("reportcards:council", args=[self.five_a.pk, self.period.pk])
        for who in EVERYONE:
            actor = self.actor(who)
            with self.subTest(who=who):
                self.login(who)
                response = self.client.get(url)
                allowed = authz.can(actor, "reportcards.follow_class", self.five_a)
                self.assertEqual(response.status_code, 200 if allowed else 404)
                if allowed:
                    self.assertEqual(
                        response.context["council"].can_decide, authz.can(actor, "reportcards.run_council", self.five_a)
                    )
