"""Writes of the question banks: import a file (all or nothing), share a category. Atomic and audited."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models as django_models
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cartable.core import audit, authz, erasure, uploads
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Role, SchoolClass, Subject, User
from cartable.learning import formats
from cartable.learning.formats import Item, Parsed, Refused
from cartable.learning.models import (
    REVIEW_MOMENTS,
    REVIEW_SHOWS,
    Accommodation,
    Answer,
    Attempt,
    Bank,
    Category,
    MatchPair,
    Question,
    QuestionFile,
    Quiz,
    QuizQuestion,
    Response,
    default_review,
)

FILE_FOLDER = "learning/%Y/%m/"
IMAGE_MAX_BYTES = 2 * 1024 * 1024


@dataclass
class Imported:
    questions: int
    categories: int


def bank_of(*, owner: User, establishment_id: int) -> Bank:
    """The owner's bank there with its top category, made the first time (called inside the actions)."""
    bank, _created = Bank.objects.get_or_create(establishment_id=establishment_id, owner=owner)
    Category.objects.get_or_create(
        bank=bank, path="", defaults={"establishment_id": establishment_id, "name": _("Haut")}
    )
    return bank


def _category(bank: Bank, names: tuple[str, ...], known: dict[str, Category], made: list[int]) -> Category:
    """The category at ``names`` under the bank's top, made (with its parents) when missing; a new one takes
    its parent's sharing."""
    path = formats.path_of(names)
    if path in known:
        return known[path]
    parent = _category(bank, names[:-1], known, made) if names else None
    category = Category.objects.create(
        establishment_id=bank.establishment_id,
        bank=bank,
        parent=parent,
        name=names[-1] if names else _("Haut"),
        path=path,
        sharing=parent.sharing if parent else Category.Sharing.PRIVATE,
        subject_id=parent.subject_id if parent else None,
    )
    known[path] = category
    made.append(category.pk)
    return category


def _check_images(item: Item) -> list[tuple[str, uploads.CheckedFile]]:
    checked = []
    for attachment in item.files:
        upload = ContentFile(attachment.content, name=attachment.name or "image")
        try:
            checked.append(
                (attachment.name, uploads.validate_upload(upload, max_bytes=IMAGE_MAX_BYTES, allowed=uploads.IMAGES))
            )
        except ValidationError as error:
            message = _("la question « %(name)s » a une image refusée : %(why)s") % {
                "name": item.name,
                "why": error.messages[0],
            }
            raise Refused([(item.line, message)]) from None
    return checked


@transaction.atomic
def import_questions(
    *, actor: Actor | None, owner: User, establishment_id: int, parsed: Parsed, into: Category | None = None
) -> Imported:
    """Write the questions of a file that was read whole (``formats.parse``) into the owner's bank.

    A question without ``$CATEGORY`` goes into ``into`` (the bank's top when None). Images are checked by
    their content first: one refused refuses the file. ``actor`` None: the management command, run by the
    server's operator. One audit row with the counts."""
    bank = bank_of(owner=owner, establishment_id=establishment_id)
    if actor is not None:
        authz.require(actor, Action.CHANGE, bank)
        if into is not None and into.bank_id != bank.pk:
            raise PermissionDenied
    images = {id(item): _check_images(item) for item in parsed.items}
    known = {c.path: c for c in Category.objects.filter(bank=bank)}
    made: list[int] = []
    target = into or known[""]
    for names in parsed.categories:
        _category(bank, names, known, made)
    position = Question.objects.filter(category__bank=bank).count()
    answers, pairs = [], []
    for item in parsed.items:
        category = target if item.category is None else _category(bank, item.category, known, made)
        position += 1
        question = Question.objects.create(
            establishment_id=bank.establishment_id,
            category=category,
            qtype=item.qtype,
            name=item.name,
            text=item.text,
            text_format=item.text_format,
            general_feedback=item.general_feedback,
            default_mark=item.default_mark,
            penalty=item.penalty,
            single=item.single,
            shuffle=item.shuffle,
            case_sensitive=item.case_sensitive,
            position=position,
        )
        answers += [
            Answer(
                question=question,
                position=i,
                text=c.text,
                fraction=c.fraction,
                feedback=c.feedback,
                tolerance=c.tolerance,
            )
            for i, c in enumerate(item.answers)
        ]
        pairs += [
            MatchPair(question=question, position=i, text=p.text, answer=p.answer) for i, p in enumerate(item.pairs)
        ]
        for name, checked in images[id(item)]:
            QuestionFile.objects.create(
                establishment_id=bank.establishment_id,
                question=question,
                name=name,
                file=uploads.store(checked, folder=FILE_FOLDER),
                content_type=checked.content_type,
                sha256=checked.sha256,
            )
    Answer.objects.bulk_create(answers)
    MatchPair.objects.bulk_create(pairs)
    counts = Imported(questions=len(parsed.items), categories=len(made))
    audit.record(
        actor=actor,
        verb="learning.import",
        target=bank,
        establishment_id=bank.establishment_id,
        after={"questions": counts.questions, "categories": counts.categories, "owner": owner.pk},
    )
    return counts


@transaction.atomic
def update_question(*, actor: Actor, question: Question, item: Item) -> Question:
    """Change a question of one's bank from what the form says (checked by ``formats.check``, as an import
    is): its texts, marks and options, its answers or pairs updated in place, in their order, so that the
    attempts already drawn keep pointing at them. In a quiz already begun, the number of its answers or
    pairs no longer changes (an attempt's order holds them)."""
    authz.require(actor, Action.CHANGE, question)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if item.qtype != question.qtype:
        raise ValueError(_("Le type d'une question ne change pas."))
    errors = formats.check(item)
    if errors:
        raise ValueError(errors[0])
    answers, pairs = list(question.answers.all()), list(question.pairs.all())
    begun = Attempt.objects.filter(quiz__slots__question=question).exists()
    if begun and (len(answers) != len(item.answers) or len(pairs) != len(item.pairs)):
        raise ValueError(
            _(
                "Cette question est dans un quiz déjà commencé : changez ses textes et ses poids, "
                "pas le nombre de ses réponses."
            )
        )
    before = {"name": question.name, "answers": len(answers), "pairs": len(pairs)}
    for name in (
        "name",
        "text",
        "text_format",
        "general_feedback",
        "default_mark",
        "single",
        "shuffle",
        "case_sensitive",
    ):
        setattr(question, name, getattr(item, name))
    question.save()
    for i, choice in enumerate(item.answers):
        row = answers[i] if i < len(answers) else Answer(question=question)
        row.position, row.text, row.fraction, row.feedback, row.tolerance = (
            i,
            choice.text,
            choice.fraction,
            choice.feedback,
            choice.tolerance,
        )
        row.save()
    Answer.objects.filter(pk__in=[a.pk for a in answers[len(item.answers) :]]).delete()
    for i, pair in enumerate(item.pairs):
        line = pairs[i] if i < len(pairs) else MatchPair(question=question)
        line.position, line.text, line.answer = i, pair.text, pair.answer
        line.save()
    MatchPair.objects.filter(pk__in=[p.pk for p in pairs[len(item.pairs) :]]).delete()
    audit.record(
        actor=actor,
        verb="learning.update_question",
        target=question,
        establishment_id=question.establishment_id,
        before=before,
        after={"name": question.name, "answers": len(item.answers), "pairs": len(item.pairs)},
    )
    return question


@transaction.atomic
def share_category(*, actor: Actor, category: Category, sharing: str, subject: Subject | None = None) -> int:
    """Share a category and its subcategories with the establishment's teachers, a subject's teachers, or
    nobody; returns how many categories changed."""
    authz.require(actor, Action.MANAGE, category)
    if sharing not in Category.Sharing.values:
        raise ValueError(_("Ce partage n'existe pas."))
    if sharing == Category.Sharing.SUBJECT:
        if subject is None or subject.establishment_id != category.establishment_id:
            raise ValueError(_("Choisissez une matière de l'établissement."))
    else:
        subject = None
    tree = Category.objects.filter(pk__in=subtree_ids(category))
    before = {"sharing": category.sharing, "subject": category.subject_id}
    changed = tree.update(sharing=sharing, subject=subject)
    audit.record(
        actor=actor,
        verb="learning.share_category",
        target=category,
        establishment_id=category.establishment_id,
        before=before,
        after={"sharing": sharing, "subject": subject.pk if subject else None, "categories": changed},
    )
    return changed


def subtree_ids(category: Category) -> list[int]:
    """The category and every category under it (one query: a bank holds tens of categories)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Category.objects.filter(bank_id=category.bank_id).values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = [], [category.pk]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo += children.get(pk, [])
    return found


# --- quizzes ------------------------------------------------------------------------------------------------
def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


@transaction.atomic
def create_quiz(
    *,
    actor: Actor,
    category: Category,
    school_class: SchoolClass,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    time_limit: int | None = None,
    max_attempts: int = 1,
    grading: str = Quiz.Grading.BEST,
    review: dict[str, list[str]] | None = None,
) -> Quiz:
    """A quiz of the category's questions (in their order) for a class the actor teaches, taken up to
    ``max_attempts`` times (more with an accommodation); ``grading`` tells which attempt counts."""
    authz.require(actor, Action.VIEW, category)
    authz.require(actor, "learning.give_quiz", school_class)
    if closes_at <= opens_at:
        raise ValueError(_("La fermeture doit suivre l'ouverture."))
    if not 1 <= max_attempts <= 10 or grading not in Quiz.Grading.values:
        raise ValueError(_("Un quiz se fait en 1 à 10 tentatives, dont une compte."))
    review = default_review() if review is None else review
    if set(review) - set(REVIEW_MOMENTS) or any(set(shows) - set(REVIEW_SHOWS) for shows in review.values()):
        raise ValueError(_("Ces options de relecture n'existent pas."))
    questions = list(Question.objects.filter(category=category).order_by("position", "id"))
    if not questions:
        raise ValueError(_("Cette catégorie n'a aucune question."))
    quiz = Quiz.objects.create(
        establishment_id=school_class.establishment_id,
        owner_id=actor.user_id,
        title=title,
        school_class=school_class,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit=time_limit,
        max_attempts=max_attempts,
        grading=grading,
        review=review,
    )
    QuizQuestion.objects.bulk_create(
        QuizQuestion(quiz=quiz, question=q, position=i, mark=q.default_mark) for i, q in enumerate(questions)
    )
    audit.record(
        actor=actor,
        verb="learning.create_quiz",
        target=quiz,
        establishment_id=quiz.establishment_id,
        after={
            "title": title,
            "class": school_class.pk,
            "questions": len(questions),
            "time_limit": time_limit,
            "attempts": max_attempts,
            "grading": grading,
            "review": review,
        },
    )
    return quiz


def allowed_attempts(quiz: Quiz, student_id: int) -> int:
    """How many attempts the student has at the quiz: the quiz's, with the extra ones they are granted."""
    extra = (
        Accommodation.objects.filter(establishment_id=quiz.establishment_id, student_id=student_id)
        .values_list("extra_attempts", flat=True)
        .first()
    ) or 0
    return quiz.max_attempts + extra


@transaction.atomic
def start_attempt(*, actor: Actor, quiz: Quiz, now: dt.datetime | None = None) -> Attempt:
    """The student's attempt under way, resumed, or a new one begun now (questions and choices shuffled
    once, kept on resume) while they have attempts left (the quiz's and their extra ones). The deadline is
    the server's: the time limit from now (with the student's extra time, if granted), never past the
    quiz's close."""
    now = _now(now)
    authz.require(actor, Action.VIEW, quiz)
    if actor.user_id is None or quiz.owner_id == actor.user_id:
        raise PermissionDenied
    taken = list(Attempt.objects.select_for_update().filter(quiz=quiz, student_id=actor.user_id).order_by("number"))
    open_one = next((a for a in taken if a.submitted_at is None), None)
    if open_one is not None:
        return open_one
    if now >= quiz.closes_at:
        raise ValueError(_("Ce quiz est fermé."))
    granted = Accommodation.objects.filter(establishment_id=quiz.establishment_id, student_id=actor.user_id).first()
    if len(taken) >= quiz.max_attempts + (granted.extra_attempts if granted else 0):
        raise ValueError(_("Vous avez utilisé toutes vos tentatives pour ce quiz."))
    deadline = quiz.closes_at
    if quiz.time_limit:
        extra = granted.extra_minutes_per_hour if granted else 0
        # minutes * (60 + extra) / 60, in seconds: exact (tiers-temps: 30 minutes become 40)
        deadline = min(deadline, now + dt.timedelta(seconds=quiz.time_limit * (60 + extra)))
    shuffler = random.SystemRandom()
    slots = list(
        QuizQuestion.objects.filter(quiz=quiz)
        .select_related("question")
        .prefetch_related("question__answers", "question__pairs")
    )
    shuffler.shuffle(slots)
    order = []
    for slot in slots:
        question = slot.question
        ids = (
            [a.pk for a in question.answers.all()]
            if question.qtype == "multichoice"
            else [p.pk for p in question.pairs.all()]
        )
        if question.shuffle:
            shuffler.shuffle(ids)
        order.append([slot.pk, ids])
    attempt = Attempt.objects.create(
        establishment_id=quiz.establishment_id,
        quiz=quiz,
        student_id=actor.user_id,
        number=len(taken) + 1,
        started_at=now,
        deadline=deadline,
        order=order,
    )
    audit.record(
        actor=actor,
        verb="learning.start_attempt",
        target=attempt,
        subject_id=actor.user_id,
        establishment_id=quiz.establishment_id,
        after={"deadline": deadline.isoformat(), "number": attempt.number},
    )
    return attempt


def _valid(question: Question, value: object) -> bool:
    """Whether a response has the question's shape and only its choices (a tampered save is refused)."""
    kind = question.qtype
    if value in (None, "", []):
        return True
    if kind == "multichoice":
        ids = {a.pk for a in question.answers.all()}
        chosen = [value] if question.single else value
        if question.single and isinstance(value, list):
            return False
        return (
            isinstance(chosen, list)
            and all(isinstance(i, int) and i in ids for i in chosen)
            and (not question.single or len(chosen) == 1)
        )
    if kind == "truefalse":
        return value in ("true", "false")
    if kind == "matching":
        pairs = {str(p.pk) for p in question.pairs.all()}
        answers = {p.answer for p in question.pairs.all()}
        return isinstance(value, dict) and set(value) <= pairs and all(v in answers or v == "" for v in value.values())
    if kind in ("shortanswer", "numerical", "essay"):
        return isinstance(value, str) and len(value) <= (20000 if kind == "essay" else 1000)
    return False


@transaction.atomic
def save_response(
    *, actor: Actor, attempt: Attempt, slot_id: int, value: object, sequence: int, now: dt.datetime | None = None
) -> Response:
    """Save one answer (autosave). Refused after the deadline or once submitted; a save older than the one
    kept (a smaller ``sequence``) changes nothing."""
    now = _now(now)
    authz.require(actor, Action.CHANGE, attempt)
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is not None or now > attempt.deadline:
        raise ValueError(_("Le temps est écoulé : cette réponse n'est pas enregistrée, les précédentes sont gardées."))
    if slot_id not in {row[0] for row in attempt.order}:
        raise ValueError(_("Cette question n'est pas celle de votre quiz."))
    slot = QuizQuestion.objects.select_related("question").get(pk=slot_id)
    if not _valid(slot.question, value):
        raise ValueError(_("Cette réponse ne correspond pas à la question."))
    response, created = Response.objects.get_or_create(
        attempt=attempt, slot=slot, defaults={"value": value, "sequence": sequence, "saved_at": now}
    )
    if not created and response.sequence < sequence:
        response.value, response.sequence, response.saved_at = value, sequence, now
        response.save(update_fields=["value", "sequence", "saved_at"])
    elif not created:
        return response
    audit.record(
        actor=actor,
        verb="learning.save_response",
        target=attempt,
        subject_id=attempt.student_id,
        establishment_id=attempt.establishment_id,
        after={"slot": slot_id, "sequence": sequence},
    )
    return response


@transaction.atomic
def save_responses(
    *,
    actor: Actor,
    attempt: Attempt,
    values: list[tuple[int, object]],
    sequence: int,
    now: dt.datetime | None = None,
) -> int:
    """Save the answers a page posts at once (the autosave, « Enregistrer »), in a number of queries that does
    not grow with the questions: all checked as ``save_response`` checks one (a late save, a question not
    of the attempt, a value not of its question refuse the whole post; what was saved stays), the new ones
    inserted together, those older than ``sequence`` updated together, one audit row. Returns how many
    answers were written."""
    now = _now(now)
    authz.require(actor, Action.CHANGE, attempt)
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is not None or now > attempt.deadline:
        raise ValueError(_("Le temps est écoulé : cette réponse n'est pas enregistrée, les précédentes sont gardées."))
    drawn = {row[0] for row in attempt.order}
    wanted = dict(values)
    if set(wanted) - drawn:
        raise ValueError(_("Cette question n'est pas celle de votre quiz."))
    slots = {
        s.pk: s
        for s in QuizQuestion.objects.filter(pk__in=wanted)
        .select_related("question")
        .prefetch_related("question__answers", "question__pairs")
    }
    if not all(_valid(slots[slot_id].question, value) for slot_id, value in wanted.items()):
        raise ValueError(_("Cette réponse ne correspond pas à la question."))
    found = {r.slot_id: r for r in Response.objects.select_for_update().filter(attempt=attempt, slot_id__in=wanted)}
    new = [
        Response(attempt=attempt, slot_id=slot_id, value=value, sequence=sequence, saved_at=now)
        for slot_id, value in wanted.items()
        if slot_id not in found
    ]
    newer = [r for r in found.values() if r.sequence < sequence]
    for response in newer:
        response.value, response.sequence, response.saved_at = wanted[response.slot_id], sequence, now
    Response.objects.bulk_create(new)
    Response.objects.bulk_update(newer, ["value", "sequence", "saved_at"])
    if new or newer:
        audit.record(
            actor=actor,
            verb="learning.save_response",
            target=attempt,
            subject_id=attempt.student_id,
            establishment_id=attempt.establishment_id,
            after={"slots": sorted(r.slot_id for r in [*new, *newer]), "sequence": sequence},
        )
    return len(new) + len(newer)


def _finish(attempt: Attempt, submitted_at: dt.datetime | None = None) -> Attempt:
    """Grade the attempt (again) from what was saved: every question graded automatically, an essay by the
    teacher's mark (nothing until given: the attempt is ``to_grade`` while an essay answered has none)."""
    from cartable.learning import grading, queries

    slots = list(
        QuizQuestion.objects.filter(quiz_id=attempt.quiz_id)
        .select_related("question__category")
        .prefetch_related("question__answers", "question__pairs", "question__files")
    )
    saved = {r.slot_id: r for r in Response.objects.filter(attempt=attempt)}
    score, to_grade = Decimal(0), False
    items = queries.items_of(s.question for s in slots)
    for slot, item in zip(slots, items, strict=True):
        response = saved.get(slot.pk)
        if slot.question.qtype == "essay":
            given = response.mark if response is not None else None
            answered = response is not None and bool(str(response.value or "").strip())
            to_grade = to_grade or (answered and given is None)
            score += given if given is not None else Decimal(0)
            continue
        share = grading.fraction(item, queries.graded_value(slot.question, response.value if response else None))
        score += slot.mark * (share or Decimal(0))
    attempt.score, attempt.to_grade = score, to_grade
    fields = ["score", "to_grade"]
    if submitted_at is not None:
        attempt.submitted_at = submitted_at
        fields.append("submitted_at")
    attempt.save(update_fields=fields)
    return attempt


@transaction.atomic
def submit_attempt(*, actor: Actor | None, attempt: Attempt, now: dt.datetime | None = None) -> Attempt:
    """Submit with what was saved and grade it in exact decimals; after the deadline it counts as submitted
    at the deadline. ``actor`` None: the periodic job closing overdue attempts."""
    now = _now(now)
    if actor is not None:
        authz.require(actor, Action.CHANGE, attempt)
    attempt = Attempt.objects.select_for_update().get(pk=attempt.pk)
    if attempt.submitted_at is not None:
        return attempt
    _finish(attempt, min(now, attempt.deadline))
    audit.record(
        actor=actor,
        verb="learning.submit_attempt",
        target=attempt,
        subject_id=attempt.student_id,
        establishment_id=attempt.establishment_id,
        after={"score": str(attempt.score), "to_grade": attempt.to_grade},
    )
    return attempt


@transaction.atomic
def grade_essays(*, actor: Actor, attempt: Attempt, marks: dict[int, Decimal | None]) -> Attempt:
    """The quiz's teacher gives the essays of a submitted attempt their points (``slot id → points``, from
    0 to the question's mark; None takes a mark back), and the attempt's score is counted again. Refused
    once the results are in the gradebook: a mark is then corrected in its grid."""
    authz.require(actor, Action.CHANGE, attempt.quiz)
    attempt = Attempt.objects.select_for_update().select_related("quiz").get(pk=attempt.pk)
    if attempt.submitted_at is None:
        raise ValueError(_("Cette tentative n'est pas encore rendue."))
    if attempt.quiz.evaluation_id is not None:
        raise ValueError(_("Les résultats sont déjà dans le carnet de notes ; corrigez la note dans sa grille."))
    essays = {
        s.pk: s for s in QuizQuestion.objects.filter(quiz_id=attempt.quiz_id, pk__in=marks, question__qtype="essay")
    }
    if set(marks) - set(essays):
        raise ValueError(_("Seules les compositions se corrigent à la main."))
    responses = {r.slot_id: r for r in Response.objects.select_for_update().filter(attempt=attempt, slot_id__in=marks)}
    before, after = {}, {}
    for slot_id, points in marks.items():
        slot = essays[slot_id]
        if points is not None and not Decimal(0) <= points <= slot.mark:
            raise ValueError(
                _("Les points d'une composition vont de 0 à %(max)s.") % {"max": floatformat(slot.mark, "-2")}
            )
        response = responses.get(slot_id)
        if response is None:
            response = Response.objects.create(attempt=attempt, slot=slot, value="", saved_at=attempt.submitted_at)
        before[str(slot_id)] = None if response.mark is None else str(response.mark)
        after[str(slot_id)] = None if points is None else str(points)
        if response.mark != points:
            response.mark = points
            response.save(update_fields=["mark"])
    _finish(attempt)
    audit.record(
        actor=actor,
        verb="learning.grade_essays",
        target=attempt,
        subject_id=attempt.student_id,
        establishment_id=attempt.establishment_id,
        before=before,
        after={**after, "score": str(attempt.score), "to_grade": attempt.to_grade},
    )
    return attempt


TIERS_TEMPS = 20  # minutes per hour: a third more


@transaction.atomic
def set_accommodation(
    *, actor: Actor, student: User, extra_minutes_per_hour: int = TIERS_TEMPS, extra_attempts: int = 0
) -> Accommodation | None:
    """Grant a student of the establishment where the actor acts extra time (minutes per hour of a quiz's
    time limit) and extra attempts for every quiz there; nothing granted removes the accommodation. Only
    what is granted is stored, never why. Returns the accommodation, None when removed."""
    from cartable.directory import queries as directory_queries

    authz.require(actor, "learning.grant_accommodation", None)
    establishment = actor.establishment
    if (
        establishment is None
        or not directory_queries.people_with_role(establishment, Role.STUDENT).filter(pk=student.pk).exists()
    ):
        raise PermissionDenied
    if not 0 <= extra_minutes_per_hour <= 120 or not 0 <= extra_attempts <= 10:
        raise ValueError(_("Le temps supplémentaire va de 0 à 120 minutes par heure, les tentatives de 0 à 10."))
    found = Accommodation.objects.select_for_update().filter(establishment=establishment, student=student).first()
    before = {"minutes": found.extra_minutes_per_hour, "attempts": found.extra_attempts} if found else None
    after = {"minutes": extra_minutes_per_hour, "attempts": extra_attempts}
    if extra_minutes_per_hour == 0 and extra_attempts == 0:
        result = None
        if found is not None:
            found.delete()
    else:
        result, _created = Accommodation.objects.update_or_create(
            establishment=establishment,
            student=student,
            defaults={"extra_minutes_per_hour": extra_minutes_per_hour, "extra_attempts": extra_attempts},
        )
    audit.record(
        actor=actor,
        verb="learning.set_accommodation",
        target=result,
        subject_id=student.pk,
        establishment_id=establishment.pk,
        before=before,
        after=after,
    )
    return result


MARK_PLACES = Decimal("0.01")  # the gradebook keeps hundredths: the quiz's exact score is rounded half up


@transaction.atomic
def publish_results(
    *, actor: Actor, quiz: Quiz, scale: Decimal = Decimal(20), coefficient: Decimal = Decimal(1)
) -> int:
    """Write the quiz's results into the gradebook, once, as an evaluation of its class in the subject the
    actor teaches it and the current period (through ``grades.actions``): a submitted attempt's score on
    ``scale`` rounded half up to hundredths (the attempt that counts, per the quiz's ``grading``), « NR » for
    a student who did not submit. Refused while an essay waits for its mark. Marks changed later
    in the grid stay: results are never written twice. Returns the evaluation's id."""
    from cartable.grades import actions as grades_actions
    from cartable.grades import queries as grades_queries
    from cartable.learning import queries

    authz.require(actor, Action.CHANGE, quiz)
    quiz = Quiz.objects.select_for_update().select_related("school_class").get(pk=quiz.pk)
    if quiz.evaluation_id is not None:
        raise ValueError(_("Les résultats sont déjà dans le carnet de notes ; corrigez-les dans sa grille."))
    subject_id = next((t.subject_id for t in actor.teaching if t.class_id == quiz.school_class_id), None)
    period = grades_queries.periods_of_year(quiz.establishment_id)[1]
    if subject_id is None or period is None:
        raise ValueError(_("Aucune matière enseignée à cette classe ni période en cours : rien n'est reporté."))
    evaluation = grades_actions.save_evaluation(
        actor=actor,
        subject=Subject.objects.get(pk=subject_id),
        period=period,
        title=quiz.title,
        date=timezone.localdate(),
        coefficient=coefficient,
        scale=scale,
        school_class=quiz.school_class,
    )
    to_grade = Attempt.objects.filter(quiz=quiz, submitted_at__isnull=False, to_grade=True).count()
    if to_grade:
        raise ValueError(
            ngettext(
                "%(n)d tentative a une composition à corriger : corrigez-la avant de reporter les résultats.",
                "%(n)d tentatives ont une composition à corriger : corrigez-les avant de reporter les résultats.",
                to_grade,
            )
            % {"n": to_grade}
        )
    total = sum((s.mark for s in QuizQuestion.objects.filter(quiz=quiz)), Decimal(0)) or Decimal(1)
    scores = queries.counted_scores(quiz)
    students = grades_queries.audience_students(school_class_id=quiz.school_class_id)
    entries = {
        s.pk: grades_actions.MarkEntry(value=(scores[s.pk] * scale / total).quantize(MARK_PLACES, ROUND_HALF_UP))
        if s.pk in scores
        else grades_actions.MarkEntry(code="NR")
        for s in students
    }
    grades_actions.save_marks(actor=actor, evaluation=evaluation, entries=entries)
    quiz.evaluation_id = evaluation.pk
    quiz.save(update_fields=["evaluation_id"])
    audit.record(
        actor=actor,
        verb="learning.publish_results",
        target=quiz,
        establishment_id=quiz.establishment_id,
        after={"evaluation": evaluation.pk, "marks": len(entries)},
    )
    return evaluation.pk


def submit_overdue(now: dt.datetime | None = None) -> int:
    """Submit every attempt whose deadline has passed (the periodic job)."""
    now = _now(now)
    count = 0
    for attempt in Attempt.objects.filter(submitted_at__isnull=True, deadline__lt=now).order_by("deadline")[:500]:
        submit_attempt(actor=None, attempt=attempt, now=now)
        count += 1
    return count


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Quiz: erasure.delete("owner"),  # with its attempts: the marks that count live in the gradebook
    Attempt: erasure.delete("student"),
    Accommodation: erasure.delete("student"),
    Bank: erasure.delete("owner"),  # a teacher's own work: it goes with them (shared copies are not kept)
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="learning", rules=ERASURE, user=user, model=model, actor=actor)
