"""Reads of the question banks, scoped to the actor, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cartable.core import authz
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Establishment, SchoolClass, Subject, User
from cartable.learning import formats, grading, render
from cartable.learning.formats import Attachment, Choice, Item, Pair
from cartable.learning.models import (
    IMMEDIATELY,
    Accommodation,
    Attempt,
    Bank,
    Category,
    Question,
    QuestionFile,
    Quiz,
    QuizQuestion,
    Response,
)

LIST_SIZE = 500


@dataclass
class BankTree:
    """A bank as the page shows it: its owner and its categories in tree order, with their counts."""

    owner: User
    establishment: Establishment
    mine: bool
    categories: list[Category] = field(default_factory=list)


def descendants(categories: Iterable[Category], root: Category) -> list[Category]:
    """``root`` and the categories under it, among ``categories`` (in memory)."""
    children: dict[int | None, list[Category]] = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    found, todo = [], [root]
    while todo:
        category = todo.pop()
        found.append(category)
        todo += children.get(category.pk, [])
    return sorted(found, key=lambda c: c.path)


def visible_categories(actor: Actor) -> list[Category]:
    """Every category the actor sees, with its bank's owner and its number of questions (one query)."""
    return list(
        Category.objects.visible_to(actor)
        .select_related("bank__owner", "bank__establishment", "subject")
        .annotate(question_count=Count("questions"))
        .order_by("bank_id", "path")
    )


def banks(actor: Actor, categories: list[Category]) -> list[BankTree]:
    """The categories grouped by bank, the actor's own first."""
    trees: dict[int, BankTree] = {}
    for category in categories:
        tree = trees.setdefault(
            category.bank_id,
            BankTree(
                owner=category.bank.owner,
                establishment=category.bank.establishment,
                mine=category.bank.owner_id == actor.user_id,
            ),
        )
        tree.categories.append(category)
    return sorted(trees.values(), key=lambda t: (not t.mine, t.establishment.name, t.owner.last_name))


def questions_of(actor: Actor, category: Category) -> list[Question]:
    """The questions of a category the actor sees (one query)."""
    return list(
        Question.objects.visible_to(actor)
        .filter(category=category)
        .only("id", "name", "qtype", "single", "text", "category_id", "position")
        .order_by("position", "id")[:LIST_SIZE]
    )


def question_queryset() -> QuerySet[Question]:
    return Question.objects.select_related("category__bank__owner").prefetch_related("answers", "pairs", "files")


def file_urls(question: Question) -> dict[str, str]:
    return {f.name: reverse("learning:file", args=[f.pk]) for f in question.files.all()}


def preview(question: Question) -> dict:
    """A question rendered for its preview: every text sanitized, images from the question only."""
    files = file_urls(question)
    fmt = question.text_format

    def html(text: str) -> str:
        return render.to_html(text, fmt, files) if text else ""

    return {
        "text": mark_safe(html(question.text).replace(formats.BLANK, "<strong>_____</strong>")),  # noqa: S308
        "general_feedback": html(question.general_feedback),
        "answers": [
            {
                "text": html(a.text) if question.qtype not in ("numerical", "truefalse") else a.text,
                "fraction": a.fraction,
                "tolerance": a.tolerance,
                "feedback": html(a.feedback),
                "right": a.fraction > 0,
            }
            for a in question.answers.all()
        ],
        "pairs": [{"text": html(p.text), "answer": p.answer} for p in question.pairs.all()],
    }


def establishment_subjects(actor: Actor, category: Category) -> QuerySet[Subject]:
    return Subject.objects.filter(establishment_id=category.establishment_id).order_by("name")


def own_categories(actor: Actor) -> list[Category]:
    """The categories of the actor's bank where they act (the import's choices; one query)."""
    return list(
        Category.objects.filter(bank__owner_id=actor.user_id, establishment_id=actor.establishment_id).order_by("path")
    )


def own_bank(actor: Actor) -> Bank | None:
    return Bank.objects.filter(owner_id=actor.user_id, establishment_id=actor.establishment_id).first()


# --- export ----------------------------------------------------------------------------------------------------
def items_of(questions: Iterable[Question]) -> list[Item]:
    """The questions as the format writers take them (files read from storage)."""
    items = []
    for q in questions:
        items.append(
            Item(
                qtype=q.qtype,
                name=q.name,
                text=q.text,
                text_format=q.text_format,
                general_feedback=q.general_feedback,
                category=q.category.names,
                answers=[Choice(a.text, a.fraction, a.feedback, a.tolerance) for a in q.answers.all()],
                pairs=[Pair(p.text, p.answer) for p in q.pairs.all()],
                single=q.single,
                shuffle=q.shuffle,
                case_sensitive=q.case_sensitive,
                penalty=q.penalty,
                default_mark=q.default_mark,
                files=[Attachment(f.name, _read(f)) for f in q.files.all()],
            )
        )
    return items


def _read(file: QuestionFile) -> bytes:
    with file.file.open("rb") as handle:
        return handle.read()


def export_questions(categories: list[Category]) -> list[Item]:
    """Every question of the categories, category by category (three queries, plus the files read)."""
    questions = (
        Question.objects.filter(category__in=categories)
        .select_related("category")
        .prefetch_related("answers", "pairs", Prefetch("files", queryset=QuestionFile.objects.order_by("name")))
        .order_by("category__path", "position", "id")
    )
    return items_of(questions)


def export_for(actor: Actor, *, category: Category | None = None) -> list[Item]:
    """What the actor exports: a category they see and its subcategories, or their bank where they act."""
    if category is not None:
        authz.require(actor, Action.VIEW, category)
        return export_questions(descendants(visible_categories(actor), category))
    return export_questions(own_categories(actor))


def write(items: list[Item], fmt: str) -> str:
    from cartable.learning.formats import gift, moodlexml

    return (moodlexml if fmt == "moodlexml" else gift).write(items)


# --- quizzes ----------------------------------------------------------------------------------------------------
@dataclass
class Shown:
    """A question of an attempt as the student sees it: never a weight, a right answer or a feedback."""

    slot_id: int
    number: int
    qtype: str
    single: bool
    text: str
    choices: list[tuple[int, str]]
    pairs: list[tuple[int, str, str]]
    options: list[str]
    value: object
    # Once submitted, what the review shows at this moment (empty otherwise): the points earned out of
    # the question's, the right answers, the feedback of the answers given and the general one.
    points: Decimal | None = None
    out_of: Decimal | None = None
    right: list[str] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)


def own_quizzes(actor: Actor) -> list[Quiz]:
    """The quizzes the teacher gave, newest closing first, with their class (one query): the bank page lists
    them so that each quiz's results stay one click away after the day it was set."""
    if actor.user_id is None:
        return []
    return list(
        Quiz.objects.visible_to(actor)
        .filter(owner_id=actor.user_id)
        .select_related("school_class")
        .order_by("-closes_at", "-id")[:50]
    )


def student_quizzes(actor: Actor) -> list[Quiz]:
    """The quizzes open to the student, with their attempts (``my_attempts``, in order), the one under way
    (``my_attempt``) and how many they may still begin (``attempts_left``; three queries)."""
    quizzes = list(Quiz.objects.visible_to(actor).exclude(owner_id=actor.user_id).order_by("closes_at", "id")[:100])
    attempts: dict[int, list[Attempt]] = {}
    for found in Attempt.objects.filter(student_id=actor.user_id, quiz__in=quizzes).order_by("number"):
        attempts.setdefault(found.quiz_id, []).append(found)
    extra = dict(
        Accommodation.objects.filter(student_id=actor.user_id).values_list("establishment_id", "extra_attempts")
    )
    for quiz in quizzes:
        quiz.my_attempts = attempts.get(quiz.pk, [])
        quiz.my_attempt = next((a for a in quiz.my_attempts if a.submitted_at is None), None)
        quiz.attempts_left = max(0, quiz.max_attempts + extra.get(quiz.establishment_id, 0) - len(quiz.my_attempts))
    return quizzes


def attempt_queryset() -> QuerySet[Attempt]:
    return Attempt.objects.select_related("quiz", "student")


def graded_value(question: Question, value: object) -> object:
    """A saved value in the shape ``grading.fraction`` takes."""
    answers = [a.pk for a in question.answers.all()]
    if question.qtype == "multichoice":
        chosen = value if isinstance(value, list) else [value]
        indices = {answers.index(i) for i in chosen if i in answers}
        return next(iter(indices), -1) if question.single else indices
    if question.qtype == "truefalse":
        return {"true": True, "false": False}.get(value) if isinstance(value, str) else None
    if question.qtype == "matching":
        pairs = [p.pk for p in question.pairs.all()]
        given = value if isinstance(value, dict) else {}
        return {pairs.index(int(k)): v for k, v in given.items() if k.isdigit() and int(k) in pairs}
    return value if isinstance(value, str) else ""


def review_moment(attempt: Attempt, now: dt.datetime | None = None) -> str | None:
    """Which of Moodle's moments it is for the attempt's review: None while it is under way."""
    if attempt.submitted_at is None:
        return None
    now = now or timezone.now()
    if (now - attempt.submitted_at).total_seconds() <= IMMEDIATELY:
        return "immediately"
    return "open" if now < attempt.quiz.closes_at else "closed"


def review_shows(attempt: Attempt, now: dt.datetime | None = None) -> frozenset[str]:
    """What the attempt's review shows now, as the quiz's teacher decided (nothing during the attempt)."""
    moment = review_moment(attempt, now)
    return frozenset(attempt.quiz.review.get(moment, ())) if moment else frozenset()


def _light_item(question: Question) -> Item:
    """The question as ``grading`` reads it (no category, no file read)."""
    return Item(
        qtype=question.qtype,
        name=question.name,
        text=question.text,
        answers=[Choice(a.text, a.fraction, a.feedback, a.tolerance) for a in question.answers.all()],
        pairs=[Pair(p.text, p.answer) for p in question.pairs.all()],
        single=question.single,
        case_sensitive=question.case_sensitive,
        default_mark=question.default_mark,
    )


def _right_text(item: Item, choice: Choice) -> str:
    if item.qtype == formats.TRUEFALSE:
        return str(_("Vrai") if choice.text == "true" else _("Faux"))
    if item.qtype == formats.NUMERICAL and choice.tolerance:
        return f"{choice.text} ± {choice.tolerance.normalize():f}"
    return choice.text


def attempt_page(attempt: Attempt, shows: frozenset[str] = frozenset()) -> list[Shown]:
    """The attempt's questions in the order drawn at its start, with what was saved (four queries). Once
    submitted, ``shows`` (``review_shows``) adds the points, right answers and feedback the review allows,
    and nothing else ever reaches the page."""
    slots = {
        s.pk: s
        for s in QuizQuestion.objects.filter(quiz_id=attempt.quiz_id)
        .select_related("question")
        .prefetch_related("question__answers", "question__pairs", "question__files")
    }
    saved = {r.slot_id: r for r in Response.objects.filter(attempt=attempt)}
    shown = []
    for number, (slot_id, ids) in enumerate(attempt.order, start=1):
        slot = slots[slot_id]
        question = slot.question
        files, fmt = file_urls(question), question.text_format
        answers = {a.pk: a for a in question.answers.all()}
        pairs = {p.pk: p for p in question.pairs.all()}
        response = saved.get(slot_id)
        value = response.value if response else None
        chosen = value if isinstance(value, dict) else {}
        text = render.to_html(question.text, fmt, files).replace(formats.BLANK, "<strong>_____</strong>")
        item = Shown(
            slot_id=slot_id,
            number=number,
            qtype=question.qtype,
            single=question.single,
            text=mark_safe(text),  # noqa: S308 - sanitized above
            choices=[(i, render.to_html(answers[i].text, fmt, files)) for i in ids if i in answers],
            pairs=[(i, render.to_html(pairs[i].text, fmt, files), chosen.get(str(i), "")) for i in ids if i in pairs],
            options=sorted({p.answer for p in pairs.values()}),
            value=value,
        )
        if shows and question.qtype != "description":
            _review(item, slot, response, shows, files)
        shown.append(item)
    return shown


def _review(shown: Shown, slot: QuizQuestion, response: Response | None, shows: frozenset[str], files) -> None:
    question, fmt = slot.question, slot.question.text_format
    light = _light_item(question)
    given = graded_value(question, response.value if response else None)

    def html(text: str) -> str:
        return mark_safe(render.to_html(text, fmt, files))  # noqa: S308 - sanitized

    if "marks" in shows:
        shown.out_of = slot.mark
        if question.qtype == "essay":
            shown.points = response.mark if response else None
        else:
            shown.points = slot.mark * (grading.fraction(light, given) or Decimal(0))
    if "right" in shows:
        if question.qtype == "matching":
            shown.right = [html(f"{p.text} → {p.answer}") for p in light.pairs if p.text.strip()]
        else:
            shown.right = [html(_right_text(light, c)) for c in grading.right_answers(light)]
    if "feedback" in shows:
        texts = [c.feedback for c in grading.matched(light, given)] + [question.general_feedback]
        shown.feedback = [html(t) for t in texts if t.strip()]


@dataclass
class ResultRow:
    """A student's line of a quiz's results: their attempts in order and the score that counts."""

    student: User
    attempts: list[Attempt]
    counted: Decimal | None

    @property
    def to_grade(self) -> list[Attempt]:
        return [a for a in self.attempts if a.to_grade and a.submitted_at is not None]


def quiz_results(quiz: Quiz) -> list[ResultRow]:
    """The quiz's attempts by student, with the score that counts per the quiz's ``grading`` (one query)."""
    rows: dict[int, ResultRow] = {}
    for found in (
        Attempt.objects.filter(quiz=quiz)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student_id", "number")
    ):
        rows.setdefault(found.student_id, ResultRow(found.student, [], None)).attempts.append(found)
    for row in rows.values():
        row.counted = grading.counted(
            [a.score for a in row.attempts if a.submitted_at and a.score is not None], quiz.grading
        )
    return list(rows.values())


def counted_scores(quiz: Quiz) -> dict[int, Decimal]:
    """The score that counts of each student who submitted an attempt (one query)."""
    scores: dict[int, list[Decimal]] = {}
    for student_id, score in (
        Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False, score__isnull=False)
        .order_by("number")
        .values_list("student_id", "score")
    ):
        scores.setdefault(student_id, []).append(score)
    return {pk: found for pk, given in scores.items() if (found := grading.counted(given, quiz.grading)) is not None}


@dataclass
class Essay:
    """An essay of a submitted attempt, as its teacher grades it."""

    slot_id: int
    number: int
    text: str
    answer: str
    out_of: Decimal
    mark: Decimal | None
    bound: object = None  # its form field, set by the grading form


def essays_of(attempt: Attempt) -> list[Essay]:
    """The attempt's essays in the order the student saw them, with their answer and mark (two queries)."""
    slots = {
        s.pk: s
        for s in QuizQuestion.objects.filter(quiz_id=attempt.quiz_id, question__qtype="essay").select_related(
            "question"
        )
    }
    saved = {r.slot_id: r for r in Response.objects.filter(attempt=attempt, slot_id__in=slots)}
    found = []
    for number, (slot_id, _ids) in enumerate(attempt.order, start=1):
        if slot_id not in slots:
            continue
        slot, response = slots[slot_id], saved.get(slot_id)
        found.append(
            Essay(
                slot_id=slot_id,
                number=number,
                text=mark_safe(render.to_html(slot.question.text, slot.question.text_format, {})),  # noqa: S308
                answer=str(response.value or "") if response else "",
                out_of=slot.mark,
                mark=response.mark if response else None,
            )
        )
    return found


def accommodations(actor: Actor) -> list[Accommodation]:
    """The accommodations granted where the actor acts, by student name (one query)."""
    return list(
        Accommodation.objects.visible_to(actor)
        .filter(establishment_id=actor.establishment_id)
        .select_related("student")
        .order_by("student__last_name", "student__first_name")[:LIST_SIZE]
    )


def establishment_students(actor: Actor) -> QuerySet[User]:
    """The students of the establishment where the actor acts (the accommodation form's choices)."""
    from cartable.directory import queries as directory_queries
    from cartable.directory.models import Role

    if actor.establishment is None:
        return User.objects.none()
    return directory_queries.people_with_role(actor.establishment, Role.STUDENT)


def taught_classes(actor: Actor) -> QuerySet[SchoolClass]:
    """The classes the actor teaches now (the quiz form's choices)."""
    return SchoolClass.objects.filter(pk__in=actor.taught_class_ids).order_by("name")
