"""Writes of the question banks: import a file (all or nothing), share a category. Atomic and audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models as django_models
from django.db import transaction
from django.utils.translation import gettext as _

from cartable.core import audit, authz, erasure, uploads
from cartable.core.authz import Action
from cartable.directory.actor import Actor
from cartable.directory.models import Subject, User
from cartable.learning import formats
from cartable.learning.formats import Item, Parsed, Refused
from cartable.learning.models import Answer, Bank, Category, MatchPair, Question, QuestionFile

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


# --- erasure of a person's data (named by the data providers in hooks.py) -------------------------------
ERASURE: dict[type[django_models.Model], erasure.Rule] = {
    Bank: erasure.delete("owner"),  # a teacher's own work: it goes with them (shared copies are not kept)
}


@transaction.atomic
def erase_personal_data(*, user: User, model: type[django_models.Model], actor: Actor | None = None) -> int:
    """Erase what ``model`` holds on ``user`` (its rule above), audited; returns the rows changed."""
    return erasure.erase(app="learning", rules=ERASURE, user=user, model=model, actor=actor)
