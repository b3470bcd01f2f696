"""Issue 11, report cards: publishing with what is missing shown and confirmed, the published state on the
teachers' grid, and an appreciation's length limit that the PDF never cuts."""

from __future__ import annotations

from django.urls import reverse

from cartable.core.models import AuditEvent, Notification
from cartable.reportcards import actions
from cartable.reportcards.models import ReportCard
from cartable.reportcards.queries import missing_in
from tests.test_reportcards import Flow

HTMX = {"HTTP_HX_REQUEST": "true"}


class PublishConfirmationTests(Flow):
    def publish_url(self):
        return reverse("reportcards:publish", args=[self.five_a.pk, self.period.pk])

    def council_url(self):
        return reverse("reportcards:council", args=[self.five_a.pk, self.period.pk])

    def test_missing_appreciations_are_listed_per_student_and_subject(self):
        """Lucas's card has everything but French; Léa and Zoé lack maths, French, the general appreciation
        and the decision: the council page lists it and asks « … : publier quand même ? » with the counts."""
        self.write_all()
        self.generate()
        self.login("marc.leroy")
        page = self.client.get(self.council_url())
        missing = page.context["production"].missing
        self.assertEqual((missing.appreciations, missing.decisions, missing.total), (7, 2, 9))
        question = "7 appréciations manquent pour 3 élèves ; 2 décisions du conseil manquent : publier quand même ?"
        self.assertContains(page, question)
        self.assertContains(page, "<strong>Martin Lucas</strong> :")
        self.assertContains(page, "appréciation de Français")
        self.assertContains(page, "appréciation de Mathématiques")
        self.assertContains(page, 'name="confirm_missing" value="9"')
        self.assertNotContains(page, "(s) manque")

    def test_singular_wording(self):
        """One appreciation missing for one student: no plural, no « (s) »."""
        self.write_all()
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

    def complete(self):
        paul, sophie, marc = self.actor("paul.dupont"), self.actor("sophie.bernard"), self.actor("marc.leroy")
        common = {"school_class": self.five_a, "period": self.period}
        for username in ("lucas.martin", "lea.bernard", "zoe.fontaine"):
            student = self.people[username]
            actions.save_subject_appreciation(actor=paul, **common, subject=self.math, student=student, text="Bien.")
            french = {"subject": self.french, "student": student}
            actions.save_subject_appreciation(actor=sophie, **common, **french, text="Bien.")
            actions.save_general_appreciation(actor=paul, **common, student=student, text="Bon trimestre.")
            actions.record_decision(actor=marc, **common, student=student, mention="", decision="Passage.")
