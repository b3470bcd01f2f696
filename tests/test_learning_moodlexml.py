"""Moodle XML: every type of the bank with its categories, penalties, default marks, tolerances,
subquestions, case and embedded files; DTDs, entities and malformed files refused with their line; and a
hypothesis round trip of generated questions through both formats (import → export → import)."""

from __future__ import annotations

import base64
import string
from decimal import Decimal as D

from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cartable.learning import formats
from cartable.learning.formats import Choice, Item, Pair, Refused, gift, moodlexml

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 8).decode()

QUIZ = f"""<?xml version="1.0" encoding="UTF-8"?>
<quiz>
<!-- question: 0  -->
  <question type="category">
    <category><text>$course$/top/Géométrie/Aires</text></category>
    <info format="html"><text></text></info>
  </question>
  <question type="multichoice">
    <name><text>Aire</text></name>
    <questiontext format="html">
      <text><![CDATA[<p>Aire du carré <img src="@@PLUGINFILE@@/carre.png" alt="carré"> ?</p>]]></text>
      <file name="carre.png" path="/" encoding="base64">{PNG}</file>
    </questiontext>
    <generalfeedback format="html"><text>Côté fois côté.</text></generalfeedback>
    <defaultgrade>2.0000000</defaultgrade>
    <penalty>0.5000000</penalty>
    <hidden>0</hidden>
    <single>false</single>
    <shuffleanswers>false</shuffleanswers>
    <answernumbering>abc</answernumbering>
    <answer fraction="50" format="html"><text>9 cm²</text><feedback format="html"><text>Oui</text></feedback></answer>
    <answer fraction="50" format="html"><text>9 cm^2</text><feedback format="html"><text></text></feedback></answer>
    <answer fraction="-33.33333" format="html"><text>6 cm²</text>
      <feedback format="html"><text>Périmètre</text></feedback></answer>
  </question>
  <question type="truefalse">
    <name><text>VF</text></name>
    <questiontext format="moodle"><text>Un carré est un rectangle.</text></questiontext>
    <penalty>1.0000000</penalty>
    <answer fraction="100"><text>true</text><feedback><text>Bien</text></feedback></answer>
    <answer fraction="0"><text>false</text><feedback><text>Relisez la définition</text></feedback></answer>
  </question>
  <question type="shortanswer">
    <name><text>Capitale</text></name>
    <questiontext format="plain"><text>Capitale de la France ?</text></questiontext>
    <usecase>1</usecase>
    <answer fraction="100"><text>Paris</text><feedback><text></text></feedback></answer>
    <answer fraction="50"><text>*aris</text><feedback><text>Orthographe</text></feedback></answer>
  </question>
  <question type="numerical">
    <name><text>Pi</text></name>
    <questiontext format="html"><text>Pi ?</text></questiontext>
    <answer fraction="100"><text>3.1415</text><tolerance>0.0005</tolerance><feedback><text></text></feedback></answer>
    <answer fraction="0"><text>*</text><feedback><text>Non</text></feedback></answer>
  </question>
  <question type="matching">
    <name><text>Capitales</text></name>
    <questiontext format="html"><text>Associez.</text></questiontext>
    <shuffleanswers>true</shuffleanswers>
    <subquestion format="html"><text>France</text><answer><text>Paris</text></answer></subquestion>
    <subquestion format="html"><text>Italie</text><answer><text>Rome</text></answer></subquestion>
  </question>
  <question type="essay">
    <name><text>Rédaction</text></name>
    <questiontext format="markdown"><text>Racontez **vos** vacances.</text></questiontext>
    <responseformat>editor</responseformat>
  </question>
  <question type="description">
    <name><text>Consigne</text></name>
    <questiontext format="html"><text>Lisez bien.</text></questiontext>
  </question>
</quiz>
"""


def refused(text: str) -> list[str]:
    try:
        formats.parse(text.encode("utf-8"))
    except Refused as error:
        return error.messages()
    raise AssertionError("the file was accepted")


class ReadingTests(SimpleTestCase):
    def test_every_type_with_its_settings(self):
        items = formats.parse(QUIZ.encode()).items
        self.assertEqual(
            [i.qtype for i in items],
            ["multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay", "description"],
        )
        area = items[0]
        self.assertEqual(area.category, ("Géométrie", "Aires"))
        self.assertEqual((area.single, area.shuffle, area.penalty, area.default_mark), (False, False, D("0.5"), D(2)))
        self.assertEqual([a.fraction for a in area.answers], [D(50), D(50), D("-33.33333")])
        self.assertEqual(area.files[0].name, "carre.png")
        self.assertTrue(area.files[0].content.startswith(b"\x89PNG"))
        self.assertEqual(area.general_feedback, "Côté fois côté.")
        self.assertEqual(
            items[1].answers, [Choice("true", D(100), "Bien"), Choice("false", D(0), "Relisez la définition")]
        )
        self.assertTrue(items[2].case_sensitive)
        self.assertEqual(items[3].answers, [Choice("3.1415", D(100), "", D("0.0005")), Choice("*", D(0), "Non")])
        self.assertEqual(items[4].pairs, [Pair("France", "Paris"), Pair("Italie", "Rome")])
        self.assertEqual(items[5].text_format, "markdown")
        self.assertEqual(items[0].line, 8)

    def test_the_round_trip_keeps_everything(self):
        items = formats.parse(QUIZ.encode()).items
        self.assertEqual(moodlexml.read(moodlexml.write(items)).items, items)


class BadXml(SimpleTestCase):
    def test_a_dtd_or_entities_are_refused_before_parsing(self):
        billion = '<?xml version="1.0"?>\n<!DOCTYPE quiz [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>\n<quiz>&b;</quiz>'
        self.assertEqual(
            refused(billion),
            ["Ligne 2 : les déclarations DTD et les entités ne sont pas acceptées dans un fichier XML."],
        )
        external = '<?xml version="1.0"?>\n<!DOCTYPE quiz SYSTEM "http://127.0.0.1:9/x.dtd">\n<quiz/>'
        self.assertIn("DTD", refused(external)[0])

    def test_a_question_may_mention_a_doctype_in_its_text(self):
        text = QUIZ.replace("Lisez bien.", "<![CDATA[Que signifie <!DOCTYPE html> ?]]>")
        self.assertEqual(formats.parse(text.encode()).items[-1].text, "Que signifie <!DOCTYPE html> ?")

    def test_many_errors_are_summed_up_after_fifty(self):
        questions = "".join(f'<question type="nope{i}"/>' for i in range(60))
        errors = refused(f"<quiz>{questions}</quiz>")
        self.assertEqual(len(errors), 51)
        self.assertEqual(errors[-1], "… et 10 autres erreurs.")

    def test_an_entity_reference_without_a_dtd_is_not_resolved(self):
        errors = refused('<?xml version="1.0"?>\n<quiz>\n<question type="essay">&xxe;</question></quiz>')
        self.assertTrue(errors[0].startswith("Ligne 3 : le fichier XML est mal formé"))

    def test_an_unknown_type_and_a_missing_right_answer_name_their_lines(self):
        text = (
            '<?xml version="1.0"?>\n<quiz>\n<question type="calculated"><name><text>C</text></name></question>\n'
            '<question type="shortanswer"><name><text>Aire</text></name>'
            "<questiontext><text>Aire ?</text></questiontext>"
            '<answer fraction="50"><text>9</text></answer></question>\n</quiz>'
        )
        self.assertEqual(
            refused(text),
            [
                "Ligne 3 : le type de question « calculated » est inconnu.",
                "Ligne 4 : la question « Aire » n'a aucune bonne réponse.",
            ],
        )

    def test_malformed_xml_and_bad_files(self):
        self.assertTrue(refused("<quiz><question>")[0].startswith("Ligne 1 : le fichier XML est mal formé"))
        self.assertEqual(refused("<other/>"), ["Ligne 1 : un fichier Moodle XML commence par <quiz>."])
        bad = QUIZ.replace(PNG, "%%% not base64 %%%")
        self.assertIn("un fichier illisible", refused(bad)[0])


# --- the round trip of generated questions --------------------------------------------------------------------
# Texts avoid what neither format can tell apart from its syntax: surrounding spaces (trimmed), the blank of a
# missing word, « -> » (matching), « % » (weights) and « [ » at the start (a format).
WORD = st.text(alphabet=string.ascii_letters + "àéèçÉ0123456789", min_size=1, max_size=8)
SPECIAL = st.sampled_from(["~", "=", "#", "{", "}", ":", "\\", "\n", " ", "&", "<b>", "'", '"'])
TEXT = (
    st.lists(st.one_of(WORD, SPECIAL), min_size=1, max_size=8)
    .map(lambda parts: "".join(parts).strip())
    .filter(lambda t: bool(t) and not t.startswith("[") and "_____" not in t)
)
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
FEEDBACK = st.one_of(st.just(""), TEXT)
PERCENT = st.integers(-10000000, 10000000).map(lambda n: D(n).scaleb(-5))
NUMBER = st.integers(-(10**9), 10**9).map(lambda n: D(n).scaleb(-3))


@st.composite
def questions(draw) -> Item:
    qtype = draw(st.sampled_from(formats.QTYPES))
    item = Item(qtype=qtype, name=draw(NAME), text=draw(TEXT), text_format=draw(st.sampled_from(formats.FORMATS)))
    item.category = draw(st.sampled_from([(), ("Algèbre",), ("Géométrie", "Aires")]))
    if qtype != formats.DESCRIPTION:
        item.general_feedback = draw(FEEDBACK)
    if qtype == formats.MULTICHOICE:
        item.single = draw(st.booleans())
        wrong = draw(
            st.lists(
                st.tuples(TEXT, st.integers(-10000000, 0).map(lambda n: D(n).scaleb(-5)), FEEDBACK),
                min_size=1,
                max_size=3,
            )
        )
        if item.single:
            right = [(draw(TEXT), D(100), draw(FEEDBACK))]
        else:
            right = [(draw(TEXT), D(50), draw(FEEDBACK)), (draw(TEXT), D(50), draw(FEEDBACK))]
        item.answers = [Choice(t, f, fb) for t, f, fb in right + wrong]
    elif qtype == formats.SHORTANSWER:
        others = draw(st.lists(st.tuples(TEXT, st.integers(0, 10000000).map(lambda n: D(n).scaleb(-5))), max_size=2))
        item.answers = [Choice(draw(TEXT), D(100), draw(FEEDBACK))] + [Choice(t, f) for t, f in others]
    elif qtype == formats.NUMERICAL:
        values = draw(st.lists(st.tuples(NUMBER, NUMBER.map(abs), PERCENT.map(abs)), min_size=0, max_size=2))
        item.answers = [Choice(formats.plain(draw(NUMBER)), D(100), draw(FEEDBACK), draw(NUMBER.map(abs)))]
        item.answers += [Choice(formats.plain(v), w, "", t) for v, t, w in values]
        if draw(st.booleans()):
            item.answers.append(Choice("*", D(0), draw(TEXT)))
    elif qtype == formats.TRUEFALSE:
        right = draw(st.booleans())
        item.answers = [
            Choice("true", D(100) if right else D(0), draw(FEEDBACK)),
            Choice("false", D(0) if right else D(100), draw(FEEDBACK)),
        ]
        item.penalty = D(1)
    elif qtype == formats.MATCHING:
        item.pairs = [Pair(draw(TEXT), draw(WORD)) for _ in range(draw(st.integers(2, 4)))]
    for choice in item.answers:
        if choice.text != "*" and qtype != formats.NUMERICAL and ">" in choice.text:
            choice.text = choice.text.replace(">", "")
    return item


def clean(items: list[Item]) -> list[Item]:
    """What GIFT cannot carry set to what its reader gives (the XML round trip keeps it all)."""
    for item in items:
        item.shuffle, item.case_sensitive, item.default_mark = True, False, D(1)
        if item.qtype != formats.TRUEFALSE:
            item.penalty = formats.DEFAULT_PENALTY
    return items


class RoundTrip(SimpleTestCase):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(questions(), min_size=1, max_size=5))
    def test_generated_questions_survive_both_formats(self, items):
        items = [i for i in items if not formats.check(i)] or [Item(qtype="essay", name="E", text="e", category=())]
        again = moodlexml.read(moodlexml.write(items)).items
        self.assertEqual(again, items)
        clean(items)
        through_gift = gift.read(gift.write(items)).items
        self.assertEqual(through_gift, items)
        self.assertEqual(gift.read(gift.write(through_gift)).items, items)
