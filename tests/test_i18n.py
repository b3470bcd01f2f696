"""English kept complete: the catalogue translates every string of the code, and English pages speak English."""

from __future__ import annotations

import ast
import contextlib
import gettext
import html
import io
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.template.base import Lexer, TokenType
from django.test import SimpleTestCase, override_settings
from django.urls import reverse
from django.utils import translation

from cartable.accounts.models import Preferences
from cartable.directory.models import Establishment
from tests.support.personas import PersonaTestCase

CODE = Path(settings.BASE_DIR)
PO = CODE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
REFRESH = "run scripts/i18n.sh, translate what it lists in cartable/locale/en/LC_MESSAGES/django.po, run it again"
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[sdifrx]|%%")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@dataclass
class Entry:
    """One message of a .po file: its context, singular and plural source, translations and flags."""

    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __str__(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgid} (context {self.msgctxt})"


def read_po(path: Path) -> tuple[Entry, list[Entry]]:
    """The header entry and the messages of a .po file (obsolete ``#~`` entries are left out)."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8").strip()):
        fields: dict[str, str] = {}
        flags: set[str] = set()
        keyword = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[keyword] += ast.literal_eval(line)
            else:
                keyword, _, literal = line.partition(" ")
                fields[keyword] = ast.literal_eval(literal)
        if "msgid" not in fields:
            continue
        msgstr = {
            int(name[len("msgstr[") : -1]) if "[" in name else 0: text
            for name, text in fields.items()
            if name.startswith("msgstr")
        }
        entries.append(
            Entry(fields["msgid"], fields.get("msgctxt"), fields.get("msgid_plural"), msgstr, flags),
        )
    return entries[0], entries[1:]


def placeholders(text: str) -> list[str]:
    return sorted(match.group(0) for match in PLACEHOLDER.finditer(text))


def sources(entry: Entry) -> dict[int, str]:
    """The source text each translation renders: the singular for form 0, the plural for the others."""
    return {index: entry.msgid if index == 0 else entry.msgid_plural or "" for index in entry.msgstr}


class CatalogueTests(SimpleTestCase):
    """The committed English catalogue: complete, faithful to its placeholders, compiled."""

    def setUp(self):
        self.header, self.entries = read_po(PO)

    def test_every_entry_is_translated_and_none_is_fuzzy(self):
        """Each message has an English text in every plural form, and no translation is a fuzzy guess."""
        self.assertIn("Language: en\n", self.header.msgstr[0])
        self.assertIn("Plural-Forms: nplurals=2; plural=(n != 1);", self.header.msgstr[0])
        self.assertNotIn("fuzzy", self.header.flags)
        self.assertGreater(len(self.entries), 100)
        problems = []
        for entry in self.entries:
            if "fuzzy" in entry.flags:
                problems.append(f"fuzzy: {entry}")
            forms = {0, 1} if entry.msgid_plural is not None else {0}
            if set(entry.msgstr) != forms or not all(entry.msgstr.values()):
                problems.append(f"untranslated: {entry}")
        self.assertEqual(problems, [], f"{PO.relative_to(CODE.parent)}: {REFRESH}.")

    def test_translations_keep_the_placeholders_and_markup_of_the_french(self):
        """Every %(name)s placeholder, with its format, and every HTML tag of the French is in the English."""
        problems = []
        for entry in self.entries:
            for index, source in sources(entry).items():
                english = entry.msgstr[index]
                if placeholders(english) != placeholders(source):
                    problems.append(f"{entry}: {placeholders(source)} became {placeholders(english)}")
                if sorted(TAG.findall(english)) != sorted(TAG.findall(source)):
                    problems.append(f"{entry}: tags {TAG.findall(source)} became {TAG.findall(english)}")
        self.assertEqual(problems, [])

    def test_the_compiled_catalogue_matches_the_po_file(self):
        """The committed .mo holds exactly the .po's translations: it was compiled after the last edit."""
        with MO.open("rb") as file:
            compiled = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        expected: dict[object, str] = {}
        for entry in self.entries:
            msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            if entry.msgid_plural is None:
                expected[msgid] = entry.msgstr[0]
            else:
                expected.update({(msgid, index): text for index, text in entry.msgstr.items()})
        compiled = {key: value for key, value in compiled.items() if key != ""}
        stale = sorted(str(key) for key in expected.keys() ^ compiled.keys())
        stale += sorted(str(key) for key in expected.keys() & compiled.keys() if expected[key] != compiled[key])
        self.assertEqual(stale, [], f"{MO.relative_to(CODE.parent)} is stale: run scripts/i18n.sh and commit it.")


FR_MO = CODE / "locale" / "fr" / "LC_MESSAGES" / "django.mo"


class FrenchCatalogueTests(SimpleTestCase):
    """French needs a catalogue of its own, the source text itself, for its plural rule: without one gettext
    falls back on English's (n != 1) and writes « 0 devoirs » where French writes « 0 devoir »."""

    def test_the_french_catalogue_is_the_source_text_of_every_english_entry(self):
        _header, entries = read_po(PO)
        with FR_MO.open("rb") as file:
            french = gettext.GNUTranslations(file)
        self.assertIn("plural=(n > 1);", french.info()["plural-forms"])
        compiled = {key: value for key, value in french._catalog.items() if key != ""}  # type: ignore[attr-defined]
        expected: dict[object, str] = {}
        for entry in entries:
            msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
            if entry.msgid_plural is None:
                expected[msgid] = entry.msgid
            else:
                expected.update({(msgid, index): text for index, text in sources(entry).items()})
        self.assertEqual(compiled, expected, f"{FR_MO.relative_to(CODE.parent)} is stale: run scripts/i18n.sh.")

    def test_zero_and_one_are_singular_in_french_and_plural_from_two(self):
        _header, entries = read_po(PO)
        entry = next(e for e in entries if e.msgid_plural and e.msgctxt is None and "%(count)d" in e.msgid)
        with translation.override("fr"):
            self.assertEqual(translation.ngettext(entry.msgid, entry.msgid_plural, 0), entry.msgid)
            self.assertEqual(translation.ngettext(entry.msgid, entry.msgid_plural, 1), entry.msgid)
            self.assertEqual(translation.ngettext(entry.msgid, entry.msgid_plural, 2), entry.msgid_plural)
        with translation.override("en"):  # English keeps its own rule: zero is plural there
            self.assertEqual(translation.ngettext(entry.msgid, entry.msgid_plural, 0), entry.msgstr[1])


def extract_catalogue() -> dict[tuple[str | None, str], str]:
    """Runs makemessages over a copy of the code and returns the messages it finds, by (context, msgid)."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "cartable"
        shutil.copytree(CODE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale", "static"))
        (copy / "locale").mkdir()
        with override_settings(LOCALE_PATHS=[copy / "locale"]), contextlib.chdir(copy):
            call_command(
                "makemessages",
                locale=["en"],
                domain="django",
                no_location=True,
                ignore_patterns=[".venv/*", "node_modules/*", "tests/*"],
                verbosity=0,
                stdout=io.StringIO(),
            )
        _header, entries = read_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    return {entry.key: entry.msgid_plural or "" for entry in entries}


@pytest.mark.skipif(
    shutil.which("xgettext") is None and not os.environ.get("CI"),
    reason="GNU gettext is not installed (apt-get install gettext): cannot compare the code with the catalogue",
)
class CatalogueFreshnessTests(SimpleTestCase):
    def test_the_catalogue_holds_every_string_of_the_code_and_nothing_else(self):
        """Strings marked in the code since the last refresh are missing; strings no longer there are stale."""
        in_code = extract_catalogue()
        _header, entries = read_po(PO)
        in_catalogue = {entry.key: entry.msgid_plural or "" for entry in entries}
        missing = sorted(str(Entry(msgid=msgid, msgctxt=ctx)) for ctx, msgid in in_code.keys() - in_catalogue.keys())
        stale = sorted(str(Entry(msgid=msgid, msgctxt=ctx)) for ctx, msgid in in_catalogue.keys() - in_code.keys())
        changed_plural = sorted(
            str(Entry(msgid=msgid, msgctxt=ctx))
            for ctx, msgid in in_code.keys() & in_catalogue.keys()
            if in_code[(ctx, msgid)] != in_catalogue[(ctx, msgid)]
        )
        self.assertEqual(
            {"missing from the catalogue": missing, "no longer in the code": stale, "plural changed": changed_plural},
            {"missing from the catalogue": [], "no longer in the code": [], "plural changed": []},
            f"The English catalogue is out of date: {REFRESH}.",
        )


def template_files() -> list[Path]:
    return sorted(path for path in CODE.glob("*/templates/**/*") if path.suffix in (".html", ".txt"))


def untranslated_text(source: str) -> list[str]:
    """Literal words of a template that a person reads but that no translate tag wraps.

    Text inside ``{% blocktranslate %}``, ``<code>`` (logins, commands) and elements carrying their own
    ``lang`` attribute (a language's name written in that language) is left out, and so are comments.
    """
    skeleton = []  # the template's own text, each tag and variable replaced by a mark that is no word
    inside_blocktranslate = False
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(" ", 1)[0]
            inside_blocktranslate = name in ("blocktranslate", "blocktrans") or (
                inside_blocktranslate and name not in ("endblocktranslate", "endblocktrans")
            )
            skeleton.append("\x00")
        elif token.token_type == TokenType.VAR:
            skeleton.append("\x00")
        elif token.token_type == TokenType.TEXT and not inside_blocktranslate:
            skeleton.append(token.contents)
    text = re.sub(
        r"<!--.*?-->|<!doctype[^>]*>|<(script|style)\b.*?</\1>|<code>.*?</code>",
        " ",
        "".join(skeleton),
        flags=re.S | re.I,
    )
    text = re.sub(r"<(\w+)\b[^>]*\slang=\"[a-zA-Z-]+\"[^>]*>.*?</\1>", " ", text, flags=re.S)
    readable = re.findall(r"\s(?:aria-label|title|alt|placeholder)=\"([^\"]*)\"", text)
    readable += TAG.split(text)
    found = []
    for chunk in readable:
        words = re.findall(r"[^\W\d_]{2,}", html.unescape(chunk))
        if words:
            found.append(" ".join(words))
    return found


class TemplateTests(SimpleTestCase):
    def test_every_text_a_person_reads_in_a_template_is_marked_for_translation(self):
        """No template writes a word outside {% translate %} or {% blocktranslate %}."""
        self.assertGreater(len(template_files()), 10)
        problems = {}
        for path in template_files():
            words = untranslated_text(path.read_text(encoding="utf-8"))
            if words:
                problems[str(path.relative_to(CODE))] = words
        self.assertEqual(problems, {})

    def test_the_template_check_finds_untranslated_words(self):
        """The check above sees words in text and in aria-label, and none in tags, variables or code."""
        self.assertEqual(
            untranslated_text('<p>Bonjour {{ name }}</p><nav aria-label="Menu"></nav>{% translate "Oui" %}'),
            ["Menu", "Bonjour"],
        )
        self.assertEqual(untranslated_text('<html lang="{{ code }}"><p>Hi</p></html>'), ["Hi"])
        self.assertEqual(
            untranslated_text(
                '<div class="x" id="y">{{ a }} — {% translate "Oui" %} <code>lucas.martin</code>'
                '{% blocktranslate %}Non{% endblocktranslate %} <span lang="en">/ Language</span></div>'
            ),
            [],
        )


def french_msgids() -> list[str]:
    """French sentences of the catalogue whose English differs: none of them may show on an English page."""
    _header, entries = read_po(PO)
    return [
        entry.msgid
        for entry in entries
        if entry.msgid_plural is None
        and " " in entry.msgid
        and "%" not in entry.msgid
        and "<" not in entry.msgid
        and entry.msgstr[0] != entry.msgid
    ]


def visible_text(content: bytes) -> str:
    page = content.decode()
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return " ".join(html.unescape(TAG.sub(" ", page)).split())


class EnglishPagesTests(PersonaTestCase):
    """A person who chose English reads English; a visitor is served French unless they chose otherwise."""

    def choose_english(self, username: str) -> None:
        Preferences.objects.update_or_create(user=self.people[username], defaults={"language": "en"})
        self.login(username)

    def assert_english(self, response, expected: list[str], status: int = 200) -> None:
        """The page is marked English, shows the expected phrases and no French sentence of the catalogue."""
        self.assertContains(response, '<html lang="en">', status_code=status)
        self.assertEqual(response["Content-Language"], "en")
        text = visible_text(response.content)
        for phrase in expected:
            self.assertIn(phrase, text)
        for name in Establishment.objects.values_list("name", flat=True):  # data stays French
            text = text.replace(name, " ")
        self.assertEqual([msgid for msgid in french_msgids() if msgid in text], [])

    def test_a_person_who_chose_english_sees_the_dashboard_in_english(self):
        """Lucas chose English in his preferences: the dashboard, its menu, widgets and header are in English."""
        self.choose_english("lucas.martin")
        response = self.client.get(reverse("dashboard:home"))
        self.assert_english(
            response,
            ["Dashboard", "Hello Lucas", "My profile", "Latest notifications", "Username", "Role", "Student",
             "Preferences", "Password", "Sign out", "Skip to content", "digital school workspace"],
        )  # fmt: skip
        self.assertNotContains(response, "Tableau de bord")

    def test_every_page_of_a_signed_in_person_is_in_english(self):
        """Preferences, password change, the directory, the school's modules: English labels, no French left."""
        for username, url, expected in [
            ("lucas.martin", reverse("accounts:preferences"), ["Preferences", "Language", "Theme", "Save"]),
            ("lucas.martin", reverse("accounts:password_change"), ["Change my password", "Current password"]),
            (
                "marc.leroy",
                reverse("directory:people"),
                ["Directory", "Search for a name or a subject", "All roles", "Filter"],
            ),
            ("julie.moreau", reverse("governance:modules"), ["School modules", "Save"]),
            ("claire.martin", reverse("dashboard:home"), ["Hello Claire", "Guardian", "Selected child"]),
        ]:
            with self.subTest(username=username, url=url):
                self.choose_english(username)
                self.assert_english(self.client.get(url), expected)

    def test_the_login_page_follows_the_language_cookie(self):
        """A visitor who picked English on the login page (the language cookie) reads it in English."""
        self.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        for url, status, expected in [
            (reverse("accounts:login"), 200, ["Sign in", "Username", "Password", "Forgotten your password?"]),
            (reverse("accounts:activate"), 200, ["Activate my account", "Activation code", "Continue"]),
            (reverse("accounts:password_reset"), 200, ["Forgotten password", "Email address", "Send me the link"]),
            ("/nowhere/", 404, ["Page not found", "Back to the dashboard"]),
        ]:
            with self.subTest(url=url):
                self.assert_english(self.client.get(url), expected, status)

    def test_without_a_choice_the_login_page_stays_french_whatever_the_browser_asks(self):
        """Cartable is French first: an English Accept-Language header alone does not switch the language."""
        response = self.client.get(reverse("accounts:login"), headers={"accept-language": "en-GB,en;q=0.9"})
        self.assertContains(response, '<html lang="fr">')
        self.assertEqual(response["Content-Language"], "fr")
        self.assertContains(response, "Se connecter")
        self.assertNotContains(response, "Sign in")
