"""Issue 11, report cards: publishing with what is missing shown and confirmed, the published state on the
teachers' grid, and an appreciation's length limit that the PDF never cuts."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cartable.core import registry
from cartable.core.models import AuditEvent, Notification
from cartable.reportcards import actions, pdf
from cartable.reportcards.models import MAX_APPRECIATION, MAX_DECISION, MAX_GENERAL, ReportCard, SubjectAppreciation
from cartable.reportcards.queries import missing_in
from tests.support.reportcards import Flow, pdf_text

HTMX = {"HTTP_HX_REQUEST": "true"}
INDEX_QUERIES = 12  # session, person, memberships, teaching, classes, periods + the states (7)


class PublishConfirmationTests(Flow):
    def publish_url(self):
        return reverse("reportcards:publish", args=[self.five_a.pk, self.period.pk])

    def council_url(self):
        return reverse("reportcards:council", args=[self.five_a.pk, self.period.pk])

    def test_missing_appreciations_are_listed_per_student_and_subject(self):
        """Lucas's card has everything but French and Latin; Léa and Zoé lack maths, French, the general appreciation
        and the decision: the council page lists it and asks « … : publier quand même ? » with the counts."""
        self.write_all()
        self.generate()
        self.login("marc.leroy")
        page = self.client.get(self.council_url())
        missing = page.context["production"].missing
        # Lucas's French and Latin, Léa's and Zoé's maths, French and general appreciations; two decisions
        self.assertEqual((missing.appreciations, missing.decisions, missing.total), (8, 2, 10))
        question = "8 appréciations manquent pour 3 élèves ; 2 décisions du conseil manquent : publier quand même ?"
        self.assertContains(page, question)
        self.assertContains(page, "<strong>Martin Lucas</strong> :")
        self.assertContains(page, "appréciation de Français")
        self.assertContains(page, "appréciation de Mathématiques")
        self.assertContains(page, 'name="confirm_missing" value="10"')
        self.assertNotContains(page, "maxlength=")  # counted, never cut silently by the browser
        self.assertContains(page, "reportcards/counter.js", count=1)
        self.assertContains(page, "<title>Conseil de classe : 5e A, 1er trimestre")
        self.assertContains(page, "600 caractères au plus")
        self.assertNotContains(page, "(s) manque")

    def test_singular_wording(self):
        """One appreciation missing for one student: no plural, no « (s) »."""
        self.write_all()
        latin = {"school_class": self.five_a, "period": self.period, "subject": self.latin}
        student = self.people["lucas.martin"]
        actions.save_subject_appreciation(actor=self.actor("sophie.bernard"), **latin, student=student, text="Bien.")
        self.generate()
        missing = missing_in(ReportCard.objects.filter(student=self.people["lucas.martin"]))
        self.assertEqual(missing.question(), "1 appréciation manque pour 1 élève : publier quand même ?")

    def test_publishing_without_the_confirmation_is_a_400_and_publishes_nothing(self):
        """No checkbox (or a count that is no longer true): a 400 with the list; nothing published, no notice."""
        self.generate()
        self.login("marc.leroy")
        for data in ({}, {"confirm_missing": "1"}):
            with self.subTest(data=data):
                response = self.client.post(self.publish_url(), data)
                self.assertContains(response, "publier quand même ?", status_code=400)
                self.assertContains(response, "appréciation générale", status_code=400)
                self.assertContains(response, "Bernard Léa", status_code=400)
        self.assertFalse(ReportCard.objects.filter(published_at__isnull=False).exists())
        self.assertFalse(Notification.objects.filter(kind="reportcards.published").exists())
        total = self.client.get(self.council_url()).context["production"].missing.total
        response = self.client.post(self.publish_url(), {"confirm_missing": str(total)})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ReportCard.objects.filter(published_at__isnull=False).count(), 3)
        event = AuditEvent.objects.get(verb="reportcards.publish")
        self.assertEqual(event.after["missing"]["decisions"], 3)

    def test_the_action_refuses_too(self):
        """The action itself refuses without the confirmation, with the list."""
        self.generate()
        with self.assertRaises(actions.IncompletePublication) as caught:
            actions.publish_class(actor=self.actor("marc.leroy"), school_class=self.five_a, period=self.period)
        self.assertEqual(len(caught.exception.missing.students), 3)
        self.assertFalse(ReportCard.objects.filter(published_at__isnull=False).exists())

    def test_with_everything_present_it_publishes_as_today(self):
        """Every appreciation and decision written: no question, published at once."""
        self.complete()
        self.generate()
        self.login("marc.leroy")
        page = self.client.get(self.council_url())
        self.assertNotContains(page, "publier quand même")
        response = self.client.post(self.publish_url(), {})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ReportCard.objects.filter(published_at__isnull=False).count(), 3)

    def test_the_personal_data_export_holds_published_versions_only(self):
        """« Mes données » gives the family what it could read: a draft before the council is not theirs yet."""
        self.complete()
        self.generate()
        provider = registry.data_provider(ReportCard)
        assert provider is not None
        lucas = self.people["lucas.martin"]
        self.assertEqual(list(provider.export(lucas)), [])
        self.assertEqual(list(provider.files(lucas)), [])
        self.login("marc.leroy")
        self.client.post(self.publish_url(), {})
        rows = list(provider.export(lucas))
        self.assertEqual([row["version"] for row in rows], [1])
        self.assertIsNotNone(rows[0]["published_at"])
        self.assertEqual(len(list(provider.files(lucas))), 1)

    def complete(self):
        paul, sophie, marc = self.actor("paul.dupont"), self.actor("sophie.bernard"), self.actor("marc.leroy")
        common = {"school_class": self.five_a, "period": self.period}
        for username in ("lucas.martin", "lea.bernard", "zoe.fontaine"):
            student = self.people[username]
            actions.save_subject_appreciation(actor=paul, **common, subject=self.math, student=student, text="Bien.")
            french = {"subject": self.french, "student": student}
            actions.save_subject_appreciation(actor=sophie, **common, **french, text="Bien.")
            if username == "lucas.martin":  # the Latin group's only student among the three
                latin = {"subject": self.latin, "student": student}
                actions.save_subject_appreciation(actor=sophie, **common, **latin, text="Bien.")
            actions.save_general_appreciation(actor=paul, **common, student=student, text="Bon trimestre.")
            actions.record_decision(actor=marc, **common, student=student, mention="", decision="Passage.")


ENDING = "et conclure ses devoirs par une relecture attentive."
FILLER = (
    "Trimestre satisfaisant dans l'ensemble, avec des efforts réguliers ; la participation orale doit encore "
    "progresser et le travail personnel être approfondi. "
)


def at_limit(length: int = MAX_APPRECIATION) -> str:
    """Ordinary French text of exactly ``length`` characters, ending in ``ENDING``."""
    head = (FILLER * 5)[: length - len(ENDING) - 1].strip().ljust(length - len(ENDING) - 1, ".")
    return f"{head} {ENDING}"


class LengthLimitTests(Flow):
    def save(self, text: str):
        return actions.save_subject_appreciation(
            actor=self.actor("paul.dupont"),
            school_class=self.five_a,
            period=self.period,
            subject=self.math,
            student=self.people["lucas.martin"],
            text=text,
        )

    def test_the_limit_is_enforced_by_the_action(self):
        """250 characters are accepted, 251 refused with the French message."""
        self.assertEqual(MAX_APPRECIATION, 250)
        self.save(at_limit())
        with self.assertRaisesMessage(ValidationError, "250 caractères au plus"):
            self.save(at_limit() + "x")
        self.assertEqual(SubjectAppreciation.objects.get().text, at_limit())

    def test_the_form_refuses_a_text_over_the_limit_and_keeps_it(self):
        """Over the limit: a 400 with the French message, what was typed kept, nothing saved; the field
        carries the counter (no maxlength that would cut a paste silently)."""
        self.login("paul.dupont")
        lucas = self.people["lucas.martin"]
        grid = reverse("reportcards:grid", args=[self.five_a.pk, self.period.pk, self.math.pk])
        page = self.client.get(grid)
        self.assertContains(page, f'data-counter="count-{lucas.pk}" data-max="250"')
        self.assertContains(page, "250 caractères au plus")
        self.assertContains(page, "reportcards/counter.js", count=1)
        self.assertNotContains(page, 'maxlength="600"')
        url = reverse("reportcards:save_subject", args=[self.five_a.pk, self.period.pk, self.math.pk, lucas.pk])
        typed = at_limit() + " Et encore un peu."
        for extra in ({}, HTMX):
            with self.subTest(htmx=bool(extra)):
                response = self.client.post(url, {"text": typed}, **extra)
                self.assertContains(response, "au plus 250 caractères", status_code=400)
                self.assertContains(response, "Et encore un peu.", status_code=400)
        self.assertFalse(SubjectAppreciation.objects.exists())

    def test_a_text_at_the_limit_is_printed_whole_in_the_pdf(self):
        """A card whose appreciation is at the limit ends with its last words in the PDF: nothing is cut."""
        text = at_limit()
        self.assertEqual(len(text), MAX_APPRECIATION)
        self.save(text)
        self.generate()
        printed = " ".join(pdf_text(self.card_of("lucas.martin")).split())
        self.assertIn(ENDING, printed)
        self.assertIn(" ".join(text.split())[-80:], printed)

    def test_ten_subjects_at_the_limit_fit_one_page(self):
        """The measure behind the limit: ten subjects each at the limit, the general appreciation and the
        decision at theirs, on one A4 page, every appreciation's last words printed."""
        data = {
            "student": {"id": 1, "first_name": "Lucas", "last_name": "Martin"},
            "establishment": "Collège Louis Pasteur",
            "establishment_city": "Lyon",
            "uai": "0690001A",
            "period": "1er trimestre",
            "school_year": "2026-2027",
            "class": "5e A",
            "head_teacher": "M. Paul Dupont",
            "birth_date": "",
            "subjects": [
                {
                    "subject": f"Discipline {i}",
                    "teacher": "Mme Sophie Bernard",
                    "average": "12.50",
                    "class_average": "11.20",
                    "minimum": "5.00",
                    "maximum": "18.00",
                    "appreciation": at_limit()[: -len(ENDING)] + f"fin {i:02d}".ljust(len(ENDING), "."),
                }
                for i in range(10)
            ],
            "overall": {"average": "12.00", "class_average": "11.00", "minimum": "5.00", "maximum": "18.00"},
            "absences": {"absent_half_days": 0, "unjustified_half_days": 0, "lateness": 0},
            "general_appreciation": (FILLER * 10)[:MAX_GENERAL],
            "mention_label": "Encouragements",
            "decision": (FILLER * 10)[:MAX_DECISION],
            "rounding_rule": "Moyennes sur 20.",
        }
        reader = PdfReader(io.BytesIO(pdf.render(data)))
        self.assertEqual(len(reader.pages), 1)
        printed = " ".join(reader.pages[0].extract_text().split())
        for i in range(10):
            self.assertIn(f"fin {i:02d}", printed)


class AfterPublicationTests(Flow):
    """After publication an appreciation may still change: the published card stays as it is, the change
    goes into the next version, which the direction produces and publishes, and the families are told."""

    def test_the_head_teacher_counts_the_general_appreciation(self):
        """The head teacher's general appreciation field on the council page is counted up to 1000."""
        self.login("paul.dupont")
        page = self.client.get(reverse("reportcards:council", args=[self.five_a.pk, self.period.pk]))
        self.assertContains(page, "1000 caractères au plus", count=3)
        self.assertNotContains(page, "maxlength=")

    def test_the_grid_says_the_card_is_published_and_a_change_makes_the_next_version(self):
        self.generate()
        self.publish()
        lucas, claire = self.people["lucas.martin"], self.people["claire.martin"]
        self.login("paul.dupont")
        grid = self.client.get(reverse("reportcards:grid", args=[self.five_a.pk, self.period.pk, self.math.pk]))
        self.assertContains(grid, "Bulletins publiés")
        self.assertContains(grid, "(version 1)", count=3)
        url = reverse("reportcards:save_subject", args=[self.five_a.pk, self.period.pk, self.math.pk, lucas.pk])
        response = self.client.post(url, {"text": "Corrigée après le conseil."}, **HTMX)
        self.assertContains(response, "elle figurera dans la version 2 du bulletin")
        first = self.card_of("lucas.martin")
        self.assertNotIn("Corrigée après le conseil.", pdf_text(first))
        run = self.generate()
        self.assertEqual(run.created, 1)
        second = self.card_of("lucas.martin", 2)
        self.assertIn("Corrigée après le conseil.", " ".join(pdf_text(second).split()))
        self.publish()
        notice = Notification.objects.filter(kind="reportcards.published", recipient=claire).latest("id")
        # A guardian's notice names the child, and its link opens the card on that child.
        self.assertEqual(notice.title, f"Lucas : Bulletin du {self.period.name} corrigé : version 2")
        lucas = self.people["lucas.martin"].pk
        self.assertEqual(notice.url, reverse("reportcards:card", args=[second.pk]) + f"?enfant={lucas}")
        self.login("paul.dupont")
        grid = self.client.get(reverse("reportcards:grid", args=[self.five_a.pk, self.period.pk, self.math.pk]))
        self.assertContains(grid, "(version 2)", count=1)
        page = self.client.get(reverse("reportcards:card", args=[second.pk]))
        self.assertContains(page, 'id="published-card"')
        self.assertContains(page, "il ne change plus")


class CouncilListTests(Flow):
    def test_the_council_list_shows_each_class_state(self):
        """The principal's list: 5e A's appreciations written / expected, decisions, produced, published, when."""
        self.write_all()
        self.login("marc.leroy")
        page = self.client.get(reverse("reportcards:index"))
        state = page.context["home"].states[self.five_a.pk, self.period.pk]
        # 3 students × (maths + French) + Lucas's Latin + 3 general appreciations = 10 expected; Lucas's maths
        # and general written
        self.assertEqual((state.appreciations, state.expected, state.decisions, state.students), (2, 10, 1, 3))
        self.assertContains(page, "appréciations : 2 / 10")
        self.assertContains(page, "décisions : 1 / 3")
        self.assertContains(page, "pas encore produits")
        self.assertContains(page, "non publiés")
        self.generate()
        self.publish()
        page = self.client.get(reverse("reportcards:index"))
        self.assertContains(page, "produits : 3 / 3 (le ")
        self.assertContains(page, "publiés : 3 / 3 (le ")

    def test_the_council_list_costs_the_same_whatever_the_class_size(self):
        """The principal's list, pinned: the same count with 10 more students."""
        self.login("marc.leroy")
        url = reverse("reportcards:index")
        self.client.get(url)
        with self.assertNumQueries(INDEX_QUERIES):
            self.client.get(url)
        self.add_students(10)
        with self.assertNumQueries(INDEX_QUERIES):
            self.client.get(url)
