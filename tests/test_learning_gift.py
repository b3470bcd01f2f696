"""GIFT: the cases of Moodle's GIFT documentation (written here as our own files) import to the right types
and values; comments, names, categories, formats, escapes, exact weights, feedback, multi-line questions,
BOM and CRLF; bad input refused whole with its line; short-answer wildcards matched in linear time."""

from __future__ import annotations

import time
from decimal import Decimal as D

from django.test import SimpleTestCase, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from cartable.learning import formats, grading
from cartable.learning.formats import Choice, Pair, Refused, gift


def read(text: str) -> list[formats.Item]:
    return formats.parse(text.encode("utf-8")).items


def one(text: str) -> formats.Item:
    items = read(text)
    assert len(items) == 1, items
    return items[0]


def refused(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        formats.parse(data)
    except Refused as error:
        return error.messages()
    raise AssertionError("the file was accepted")


class DocumentationCases(SimpleTestCase):
    def test_multiple_choice(self):
        item = one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
        self.assertEqual((item.qtype, item.single, item.text), ("multichoice", True, "Who's buried in Grant's tomb?"))
        self.assertEqual(item.answers, [Choice("Grant", D(0)), Choice("Jefferson", D(0)), Choice("no one", D(100))])

    def test_missing_word(self):
        item = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
        self.assertEqual(item.text, "Grant is _____ in Grant's tomb.")
        self.assertTrue(item.is_missing_word)
        short = one("Two plus two equals {=four =4}.")
        self.assertEqual((short.qtype, short.text), ("shortanswer", "Two plus two equals _____."))

    def test_true_false_and_its_feedback_in_moodles_order(self):
        self.assertEqual(
            one("Grant was buried in a tomb in New York City.{T}").answers,
            [Choice("true", D(100)), Choice("false", D(0))],
        )
        item = one("The sun rises in the west.{FALSE#if wrong#if right}")
        self.assertEqual(item.qtype, "truefalse")
        # The first feedback is for a wrong answer (here TRUE), the second for the right one (FALSE).
        self.assertEqual(item.answers, [Choice("true", D(0), "if wrong"), Choice("false", D(100), "if right")])
        self.assertEqual(item.penalty, D(1))

    def test_short_answer_with_weights_and_feedback(self):
        item = one(
            "::Jesus' hometown::Jesus Christ was from {=Nazareth#Yes! That's right!"
            " =%75%Nazereth#Right, but misspelled. =%25%Bethlehem#He was born here, but not raised here.}"
        )
        self.assertEqual((item.qtype, item.name), ("shortanswer", "Jesus' hometown"))
        self.assertEqual(
            item.answers,
            [
                Choice("Nazareth", D(100), "Yes! That's right!"),
                Choice("Nazereth", D(75), "Right, but misspelled."),
                Choice("Bethlehem", D(25), "He was born here, but not raised here."),
            ],
        )

    def test_matching(self):
        item = one(
            "Match the following countries with their corresponding capitals. "
            "{=Canada -> Ottawa =Italy -> Rome =Japan -> Tokyo =India -> New Delhi}"
        )
        self.assertEqual(item.qtype, "matching")
        self.assertEqual(
            item.pairs,
            [Pair("Canada", "Ottawa"), Pair("Italy", "Rome"), Pair("Japan", "Tokyo"), Pair("India", "New Delhi")],
        )

    def test_numerical_with_tolerance_range_and_several_answers(self):
        self.assertEqual(one("When was Ulysses S. Grant born?{#1822:5}").answers, [Choice("1822", D(100), "", D(5))])
        pi = one("What is the value of pi (to 3 decimal places)? {#3.141..3.142}")
        self.assertEqual(pi.answers, [Choice("3.1415", D(100), "", D("0.0005"))])
        several = one("When was Ulysses S. Grant born? {#=1822:0 =%50%1822:2}")
        self.assertEqual(several.answers, [Choice("1822", D(100), "", D(0)), Choice("1822", D(50), "", D(2))])
        wrong = one("How many pence in a pound?{#=100#Right ~#Think of 1 £ = 100 p}")
        self.assertEqual(wrong.answers[-1], Choice("*", D(0), "Think of 1 £ = 100 p"))

    def test_essay_and_description(self):
        self.assertEqual(one("Write a short biography of Dag Hammarskjöld. {}").qtype, "essay")
        item = one("You can use your pencil and paper for these next math questions.")
        self.assertEqual((item.qtype, item.default_mark), ("description", D(1)))

    def test_weights_as_exact_decimals_negatives_included(self):
        item = one(
            "What two people are entombed in Grant's tomb? "
            "{~%-100%No one ~%50%Grant ~%50%Grant's wife ~%-100%Grant's father}"
        )
        self.assertFalse(item.single)
        self.assertEqual([a.fraction for a in item.answers], [D(-100), D(50), D(50), D(-100)])
        thirds = one("Pick the thirds {~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-33.33333%d}")
        self.assertEqual(
            [a.fraction for a in thirds.answers], [D("33.33333"), D("33.33333"), D("33.33334"), D("-33.33333")]
        )
        self.assertEqual(str(thirds.answers[3].fraction), "-33.33333")  # no float on the way

    def test_feedback_and_general_feedback(self):
        item = one(
            "What's between orange and green in the spectrum?"
            "{ =yellow # right; good! ~red # wrong, it's yellow ~blue # wrong, it's yellow ####Think of a rainbow.}"
        )
        self.assertEqual(
            [a.feedback for a in item.answers], ["right; good!", "wrong, it's yellow", "wrong, it's yellow"]
        )
        self.assertEqual(item.general_feedback, "Think of a rainbow.")
        self.assertEqual(one("Describe Paris. {####A model answer.}").general_feedback, "A model answer.")

    def test_escapes(self):
        item = one("Which answer equals 5? {~ \\= 2 + 2 = \\= 2 + 3 ~ \\= 2 + 4}")
        self.assertEqual([a.text for a in item.answers], ["= 2 + 2", "= 2 + 3", "= 2 + 4"])
        self.assertEqual(item.answers[1].fraction, D(100))
        text = one("::A\\:B::Braces \\{ \\} tilde \\~ hash \\# colon \\: backslash \\\\ line\\nbreak{}")
        self.assertEqual(text.name, "A:B")
        self.assertEqual(text.text, "Braces { } tilde ~ hash # colon : backslash \\ line\nbreak")

    def test_comments_names_and_http_in_a_text(self):
        items = read(
            "// question: 1 name: Grant\n"
            "::Grant's tomb::See http://example.org/grant // not a comment here {=no one ~Grant}\n"
            "\n"
            "    // an indented comment line\n"
            "::Second::Is it? {T}\n"
        )
        self.assertEqual([i.name for i in items], ["Grant's tomb", "Second"])
        self.assertEqual(items[0].text, "See http://example.org/grant // not a comment here")
        self.assertEqual(items[1].line, 5)

    def test_a_question_without_name_takes_the_start_of_its_text(self):
        self.assertEqual(one("[html]<p>Combien <b>font</b> 2 + 2 ?</p>{#4}").name, "Combien font 2 + 2 ?")

    def test_categories(self):
        parsed = formats.parse(
            "$CATEGORY: $course$/top/Algèbre/Fractions\n\n::A::a{T}\n\n$CATEGORY: tom\n\n::B::b{T}\n\n"
            "$CATEGORY: $course$/top\n\n::C::c{T}\n\n$CATEGORY: $course$/top/A//B\n\n::D::d{T}".encode()
        )
        self.assertEqual([i.category for i in parsed.items], [("Algèbre", "Fractions"), ("tom",), (), ("A/B",)])

    def test_text_formats(self):
        for fmt in ("html", "markdown", "plain", "moodle"):
            with self.subTest(fmt=fmt):
                item = one(f"::N::[{fmt}]Some *text*{{T}}")
                self.assertEqual((item.text_format, item.text), (fmt, "Some *text*"))
        self.assertEqual(one("Plain {T}").text_format, "moodle")
        self.assertEqual(one("[other]Text{T}").text, "[other]Text")  # not a format: kept as text

    def test_questions_over_several_lines_bom_and_crlf(self):
        data = "\ufeff::Q1::Which\r\nline?{\r\n  =one\r\n  ~two\r\n}\r\n\r\n::Q2::Next{F}\r\n".encode()
        items = formats.parse(data).items
        self.assertEqual([i.name for i in items], ["Q1", "Q2"])
        self.assertEqual(items[0].text, "Which\nline?")
        self.assertEqual([a.text for a in items[0].answers], ["one", "two"])
        self.assertEqual(items[1].line, 7)


class BadInput(SimpleTestCase):
    def test_an_unclosed_brace_names_its_line(self):
        errors = refused("::A::ok{T}\n\n::Aire::Aire d'un carré ?{=9 ~3\n")
        self.assertEqual(errors, ["Ligne 3 : la question « Aire » a une accolade non fermée ou mal placée."])

    def test_one_choice_is_not_a_multiple_choice(self):
        self.assertEqual(
            refused("::Seul::Q {~%100%seul}"), ["Ligne 1 : la question « Seul » doit proposer au moins deux choix."]
        )

    def test_a_question_with_no_correct_answer(self):
        text = "\n".join(["::ok::fine{T}", ""] * 20) + "\n::Aire::Aire ?{~1 ~2}\n"
        self.assertEqual(refused(text), ["Ligne 41 : la question « Aire » n'a aucune bonne réponse."])
        self.assertIn("n'a aucune bonne réponse", refused("::S::s{=%50%half}")[0])
        self.assertIn("ne totalisent pas 100", refused("::M::m{~%50%a ~%20%b ~c}")[0])

    def test_every_error_is_listed(self):
        errors = refused("::A::a{~1 ~2}\n\n::B::b{#abc}\n\n::C::c{=x -> }\n\n::D::d{~%150%x ~y}")
        self.assertEqual(len(errors), 4)
        self.assertTrue(errors[1].startswith("Ligne 3 : la question « B » attend un nombre"))

    def test_not_utf8(self):
        self.assertEqual(
            refused(b"::A::a{T}\n\n::B::caf" + b"\xe9{T}"),
            ["Ligne 3 : le fichier n'est pas en UTF-8 ; enregistrez-le en UTF-8 puis réessayez."],
        )

    @override_settings(LEARNING_IMPORT_MAX_BYTES=100)
    def test_a_huge_file_is_refused_before_parsing(self):
        self.assertEqual(refused(b"{" * 101), ["Le fichier est trop volumineux (100 octets au plus)."])

    def test_matching_needs_two_pairs_and_arrows(self):
        self.assertIn("au moins deux paires", refused("::M::m{=a -> b}")[0])


class Writing(SimpleTestCase):
    def test_export_reads_back_the_same_questions(self):
        text = (
            "$CATEGORY: $course$/top/Algèbre\n\n"
            "::Grant::Who's {~Grant =no one#right ~x####General} buried?\n\n"
            "::TF::Sun{FALSE#wrong#right}\n\n::TF2::Moon{T##right only}\n\n"
            "::N::pi {#=3.1415:0.0005#close =%50%3:0.5 ~#no}\n\n::E::Essay {}\n\n"
            "::M::Match{=a -> 1 =b -> 2}\n\n::D::[markdown]**Read** this \\{ \\}\n\n"
            "::S::Starts with a blank {=x}\n\n::W::[html]Text ending with the blank _____{=y =z}\n"
        )
        items = read(text)
        self.assertEqual(gift.read(gift.write(items)).items, items)

    def test_escaping_for_every_special_character(self):
        special = "a~b=c#d{e}f:g\\h\ni"
        self.assertEqual(gift.escape(special), "a\\~b\\=c\\#d\\{e\\}f\\:g\\\\h\\ni")


class Wildcards(SimpleTestCase):
    def test_wildcards_and_case(self):
        answers = [Choice("Paris", D(100)), Choice("*ville*", D(50)), Choice("2\\*3", D(10))]
        self.assertEqual(grading.short_answer(answers, " paris ").fraction, D(100))
        self.assertIsNone(grading.short_answer(answers, "paris", case_sensitive=True))
        self.assertEqual(grading.short_answer(answers, "La Villette").fraction, D(50))
        self.assertEqual(grading.short_answer(answers, "2*3").fraction, D(10))
        self.assertIsNone(grading.short_answer(answers, "2x3"))

    def test_a_wildcard_built_to_be_slow_is_matched_in_linear_time(self):
        pattern = "*a" * 200 + "*b"
        response = "a" * 20000
        started = time.perf_counter()
        self.assertFalse(grading.wildcard_match(pattern, response))
        self.assertTrue(grading.wildcard_match(pattern, response + "b"))
        self.assertLess(time.perf_counter() - started, 0.5)

    def test_numerical_grading_with_tolerance(self):
        answers = [Choice("1822", D(100), "", D(0)), Choice("1822", D(50), "", D(2)), Choice("*", D(0))]
        self.assertEqual(grading.numerical(answers, "1822").fraction, D(100))
        self.assertEqual(grading.numerical(answers, "1823,5").fraction, D(50))
        self.assertEqual(grading.numerical(answers, "1900").fraction, D(0))
        self.assertIsNone(grading.numerical(answers, "mille"))


# --- grading checked against a plain reference ----------------------------------------------------------------
def reference_wildcard(pattern: str, response: str, case_sensitive: bool) -> bool:
    """Moodle's rule written the obvious way: a regular expression (fine on short texts)."""
    import re

    flags = 0 if case_sensitive else re.IGNORECASE
    pieces = [re.escape(p.replace("\ue010", "*")) for p in pattern.strip().replace("\\*", "\ue010").split("*")]
    return re.fullmatch(".*".join(pieces), response.strip(), flags | re.DOTALL) is not None


class Grading(SimpleTestCase):
    @given(
        st.text(alphabet="ab*\\ ", max_size=8),
        st.text(alphabet="abAB* ", max_size=12),
        st.booleans(),
    )
    @settings(max_examples=300, deadline=None)
    def test_the_linear_wildcard_agrees_with_a_regular_expression(self, pattern, response, case_sensitive):
        self.assertEqual(
            grading.wildcard_match(pattern, response, case_sensitive=case_sensitive),
            reference_wildcard(pattern, response, case_sensitive),
        )

    def test_each_type_earns_its_exact_share_never_below_zero(self):
        multiple = one("::M::m{~%50%a ~%50%b ~%-100%c ~d}")
        self.assertEqual(grading.fraction(multiple, {0, 1}), D(1))
        self.assertEqual(grading.fraction(multiple, {0}), D("0.5"))
        self.assertEqual(grading.fraction(multiple, {0, 2}), D(0))  # -0.5 stops at zero
        self.assertEqual(grading.fraction(multiple, {7, "x"}), D(0))  # not choices of the question
        single = one("::S::s{=a ~%33.33333%b ~c}")
        self.assertEqual(grading.fraction(single, 1), D("0.3333333"))
        self.assertEqual(grading.fraction(single, True), D(0))
        tf = one("::T::t{FALSE}")
        self.assertEqual((grading.fraction(tf, False), grading.fraction(tf, True)), (D(1), D(0)))
        match = one("::P::p{=a -> 1 =b -> 2 =c -> 3}")
        self.assertEqual(grading.fraction(match, {0: "1", 1: "3", 2: "3"}), D(2) / D(3))
        numerical = one("::N::n{#=10:0 =%50%10:1}")
        numerical.default_mark = D(3)
        self.assertEqual(grading.mark(numerical, "10,5"), D("1.5"))
        self.assertIsNone(grading.mark(one("::E::e{}"), "text"))
        self.assertIsNone(grading.fraction(one("::D::d"), None))
