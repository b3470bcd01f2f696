"""Preferences: language, theme, text size, dyslexia-friendly font, reduced motion, on every page."""

from pathlib import Path

from django.conf import settings
from django.urls import reverse

from cartable.accounts import actions
from cartable.accounts.models import Preferences
from cartable.core.models import AuditEvent
from tests.support.personas import PersonaTestCase

PREFERENCES = reverse("accounts:preferences")
SET_LANGUAGE = reverse("accounts:set_language")
LOGIN = reverse("accounts:login")
CSS = Path(settings.BASE_DIR) / "core" / "static" / "core" / "cartable.css"
DEFAULTS = {"language": "fr", "theme": "light", "text_size": "normal"}


class PreferencesPageTests(PersonaTestCase):
    def save(self, **values):
        return self.client.post(PREFERENCES, {**DEFAULTS, **values})

    def test_the_page_shows_defaults_without_writing_anything(self):
        """A person who never chose sees the defaults; no row is written by looking."""
        self.login("lucas.martin")
        page = self.client.get(PREFERENCES)
        for field_id in ["id_language", "id_theme", "id_text_size", "id_dyslexia_font", "id_reduced_motion"]:
            self.assertContains(page, f'for="{field_id}"')
        self.assertContains(page, '<option value="light" selected>')
        self.assertFalse(Preferences.objects.filter(user=self.people["lucas.martin"]).exists())

    def test_choices_are_stored_audited_and_applied_on_every_page(self):
        """Dark theme, larger text, dyslexia font, reduced motion, English: on the next pages."""
        lucas = self.people["lucas.martin"]
        self.login("lucas.martin")
        response = self.save(language="en", theme="dark", text_size="larger", dyslexia_font="on", reduced_motion="on")
        self.assertRedirects(response, PREFERENCES, fetch_redirect_response=False)
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")

        prefs = Preferences.objects.get(user=lucas)
        self.assertEqual(
            (prefs.language, prefs.theme, prefs.text_size, prefs.dyslexia_font, prefs.reduced_motion),
            ("en", "dark", "larger", True, True),
        )
        event = AuditEvent.objects.get(verb="accounts.update_preferences")
        self.assertEqual(event.after["theme"], "dark")
        self.assertEqual(event.actor_id, lucas.pk)

        self.client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # another device: only the stored choice
        for url in [PREFERENCES, reverse("dashboard:home")]:
            with self.subTest(url=url):
                page = self.client.get(url)
                self.assertContains(page, 'class="theme-dark text-larger font-dyslexia reduced-motion"')
                self.assertContains(page, '<html lang="en">')
                self.assertEqual(page["Content-Language"], "en")

    def test_an_invalid_choice_is_refused_and_the_other_choices_are_kept(self):
        """A tampered value: 400 with a message on that field, the rest as typed, nothing stored."""
        self.login("lucas.martin")
        response = self.save(theme="neon", text_size="large", dyslexia_font="on")
        self.assertContains(response, "Sélectionnez un choix valide", status_code=400)
        self.assertContains(response, 'role="alert"', status_code=400)
        self.assertContains(response, 'aria-describedby="id_theme_helptext id_theme_error"', status_code=400)
        self.assertContains(response, '<option value="large" selected>', status_code=400)
        self.assertContains(response, 'id="id_dyslexia_font" checked', status_code=400)
        self.assertFalse(Preferences.objects.exists())

    def test_unchanged_preferences_write_no_audit_row(self):
        """Saving the same values twice records one change only."""
        lucas = self.people["lucas.martin"]
        actions.update_preferences(actor=None, user=lucas, theme="contrast")
        actions.update_preferences(actor=None, user=lucas, theme="contrast")
        self.assertEqual(AuditEvent.objects.filter(verb="accounts.update_preferences").count(), 1)
        with self.assertRaises(TypeError):
            actions.update_preferences(actor=None, user=lucas, favourite_colour="blue")

    def test_the_stylesheet_handles_every_preference_class(self):
        """Each class that preferences put on <body> has a rule in cartable.css."""
        css = CSS.read_text()
        classes = [f"theme-{t}" for t in Preferences.Theme.values if t != "light"]
        classes += [f"text-{s}" for s in Preferences.TextSize.values if s != "normal"]
        classes += ["font-dyslexia", "reduced-motion"]
        for css_class in classes:
            with self.subTest(css_class=css_class):
                self.assertIn(f"body.{css_class}", css)


class LanguageChoiceTests(PersonaTestCase):
    def test_a_visitor_chooses_the_language_of_the_login_page(self):
        """Signed out, the language switcher sets a cookie and the login page follows it."""
        self.assertContains(self.client.get(LOGIN), 'id="id_language"')
        response = self.client.post(SET_LANGUAGE, {"language": "en", "next": LOGIN})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
        self.assertContains(self.client.get(LOGIN), '<html lang="en">')

    def test_a_signed_in_person_choosing_a_language_stores_it(self):
        """Signed in, the language choice goes to the preferences (every device follows)."""
        self.login("claire.martin")
        self.client.post(SET_LANGUAGE, {"language": "en", "next": "/"})
        self.assertEqual(Preferences.objects.get(user=self.people["claire.martin"]).language, "en")

    def test_an_unknown_language_or_a_foreign_next_is_refused(self):
        """A language we do not have is a 400 page; a next address elsewhere is ignored."""
        self.assertEqual(self.client.post(SET_LANGUAGE, {"language": "xx"}).status_code, 400)
        response = self.client.post(SET_LANGUAGE, {"language": "fr", "next": "https://evil.example/"})
        self.assertRedirects(response, LOGIN, fetch_redirect_response=False)
