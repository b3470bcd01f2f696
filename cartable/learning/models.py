"""Banques de questions: one bank per teacher and establishment, nested categories that may be shared, and
questions of Moodle's types with their answers, matching pairs and embedded images."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cartable.directory.models import EstablishmentScoped, Subject, User
from cartable.learning import formats


class TextFormat(models.TextChoices):
    HTML = "html", _("HTML")
    MARKDOWN = "markdown", _("Markdown")
    PLAIN = "plain", _("Texte brut")
    MOODLE = "moodle", _("Format automatique Moodle")


class QuestionType(models.TextChoices):
    MULTICHOICE = formats.MULTICHOICE, _("Choix multiple")
    TRUEFALSE = formats.TRUEFALSE, _("Vrai ou faux")
    SHORTANSWER = formats.SHORTANSWER, _("Réponse courte")
    NUMERICAL = formats.NUMERICAL, _("Numérique")
    MATCHING = formats.MATCHING, _("Appariement")
    ESSAY = formats.ESSAY, _("Composition")
    DESCRIPTION = formats.DESCRIPTION, _("Description")


class Bank(EstablishmentScoped):
    """A teacher's question bank in one establishment; its questions live in its categories."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="question_banks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("banque de questions")
        verbose_name_plural = _("banques de questions")
        constraints = [models.UniqueConstraint(fields=["establishment", "owner"], name="bank_one_per_owner")]

    def __str__(self) -> str:
        return str(self.owner)


class Category(EstablishmentScoped):
    """A category of a bank. ``path`` is its place under the bank's top (``Algèbre/Fractions``, empty for the
    top), as GIFT's ``$CATEGORY`` and Moodle XML name it. Sharing reaches its subcategories: an action
    writes it down the tree, and a new subcategory takes its parent's."""

    class Sharing(models.TextChoices):
        PRIVATE = "private", _("Personne d'autre")
        ESTABLISHMENT = "establishment", _("Les enseignants de l'établissement")
        SUBJECT = "subject", _("Les enseignants d'une matière")

    bank = models.ForeignKey(Bank, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(_("nom"), max_length=255)
    path = models.CharField(max_length=1000, blank=True)
    sharing = models.CharField(_("partage"), max_length=16, choices=Sharing.choices, default=Sharing.PRIVATE)
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("matière")
    )

    class Meta:
        verbose_name = _("catégorie de questions")
        verbose_name_plural = _("catégories de questions")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["bank", "path"], name="category_unique_path"),
            models.CheckConstraint(
                condition=Q(sharing="subject", subject__isnull=False)
                | (~Q(sharing="subject") & Q(subject__isnull=True)),
                name="category_sharing_subject",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "sharing", "subject"], name="category_estab_sharing")]

    def __str__(self) -> str:
        return self.name

    @property
    def names(self) -> tuple[str, ...]:
        return formats.names_of(self.path) if self.path else ()

    @property
    def depth(self) -> int:
        return len(self.names)


class Question(EstablishmentScoped):
    """A question in a category. Texts are kept as written in their format and rendered sanitized
    (``learning.render``); ``single``, ``shuffle`` and ``case_sensitive`` apply to the types that have them."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    qtype = models.CharField(_("type"), max_length=16, choices=QuestionType.choices)
    name = models.CharField(_("nom"), max_length=255)
    text = models.TextField(_("énoncé"))
    text_format = models.CharField(max_length=10, choices=TextFormat.choices, default=TextFormat.MOODLE)
    general_feedback = models.TextField(_("commentaire général"), blank=True)
    default_mark = models.DecimalField(max_digits=12, decimal_places=7, default=Decimal(1))
    penalty = models.DecimalField(max_digits=8, decimal_places=7, default=formats.DEFAULT_PENALTY)
    single = models.BooleanField(default=True)
    shuffle = models.BooleanField(default=True)
    case_sensitive = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["establishment", "category", "position"], name="question_estab_category")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_missing_word(self) -> bool:
        return self.qtype in (QuestionType.MULTICHOICE, QuestionType.SHORTANSWER) and formats.BLANK in self.text

    @property
    def type_label(self) -> str:
        if self.is_missing_word:
            return str(_("Mot manquant"))
        if self.qtype == QuestionType.MULTICHOICE and not self.single:
            return str(_("Choix multiple (plusieurs réponses)"))
        return str(self.get_qtype_display())


class Answer(models.Model):
    """An answer of a question, its weight as an exact percentage (``-33.33333``) and its feedback; a
    numerical answer is a number with its tolerance (``*``: any other)."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    fraction = models.DecimalField(max_digits=9, decimal_places=5)
    feedback = models.TextField(blank=True)
    tolerance = models.DecimalField(max_digits=30, decimal_places=10, null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(fraction__gte=-100, fraction__lte=100), name="answer_fraction_range")
        ]

    def __str__(self) -> str:
        return self.text[:60]


class MatchPair(models.Model):
    """A line of a matching question: a subquestion and its answer."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="pairs")
    position = models.PositiveIntegerField(default=0)
    text = models.TextField()
    answer = models.CharField(max_length=255)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.text[:30]} -> {self.answer[:30]}"


class QuestionFile(EstablishmentScoped):
    """An image embedded in a question's text, checked by content, referred to as ``@@PLUGINFILE@@/name``."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to="learning/%Y/%m/")
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["question", "name"], name="questionfile_unique_name")]

    def __str__(self) -> str:
        return self.name


# Moodle's moments of a review (deferred feedback: nothing is shown during the attempt, as Moodle greys
# « Pendant la tentative » out for it) and what each may show.
REVIEW_MOMENTS = {
    "immediately": _("Juste après la tentative (2 minutes)"),
    "open": _("Plus tard, tant que le quiz est ouvert"),
    "closed": _("Après la fermeture du quiz"),
}
REVIEW_SHOWS = {"marks": _("Les points"), "right": _("Les bonnes réponses"), "feedback": _("Les commentaires")}
IMMEDIATELY = 120  # seconds after the submission, as in Moodle


def default_review() -> dict[str, list[str]]:
    return {"immediately": ["marks"], "open": ["marks"], "closed": ["marks", "right", "feedback"]}


class Quiz(EstablishmentScoped):
    """A quiz a teacher gives a class: the questions of one of their categories, open between two dates,
    with an optional time limit enforced on the server, ``max_attempts`` per student (more with an
    accommodation), and the one that counts chosen by ``grading``."""

    class Grading(models.TextChoices):
        BEST = "best", _("La meilleure")
        LAST = "last", _("La dernière")
        FIRST = "first", _("La première")
        AVERAGE = "average", _("La moyenne des tentatives")

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="quizzes")
    title = models.CharField(_("titre"), max_length=200)
    school_class = models.ForeignKey(
        "directory.SchoolClass", on_delete=models.CASCADE, related_name="+", verbose_name=_("classe")
    )
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("fermeture"))
    time_limit = models.PositiveIntegerField(_("durée (minutes)"), null=True, blank=True)
    max_attempts = models.PositiveSmallIntegerField(_("tentatives permises"), default=1)
    grading = models.CharField(_("tentative qui compte"), max_length=8, choices=Grading.choices, default=Grading.BEST)
    # What a student's review shows at each of Moodle's moments: {"immediately"|"open"|"closed": ["marks",
    # "right", "feedback"]} (see REVIEW_MOMENTS; a moment missing shows nothing).
    review = models.JSONField(default=default_review)
    # The gradebook's evaluation the results went to (grades' id: the gradebook is reached through its actions).
    evaluation_id = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quiz")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="quiz_dates"),
            models.CheckConstraint(condition=Q(max_attempts__gte=1, max_attempts__lte=10), name="quiz_attempts_range"),
        ]
        indexes = [models.Index(fields=["establishment", "school_class", "opens_at"], name="quiz_estab_class")]

    def __str__(self) -> str:
        return self.title


class QuizQuestion(models.Model):
    """A question of a quiz, worth ``mark`` points."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="slots")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)
    mark = models.DecimalField(max_digits=12, decimal_places=7, default=Decimal(1))

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["quiz", "question"], name="quizquestion_unique")]

    def __str__(self) -> str:
        return f"{self.quiz_id}:{self.position}"


class Attempt(EstablishmentScoped):
    """A student's attempt (``number`` 1, 2, …): the order drawn at its start (kept on resume), its deadline
    on the server's clock, and once submitted its score in exact decimals; ``to_grade`` while an essay
    of it waits for the teacher's mark (its score counts the essay as nothing until then)."""

    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="quiz_attempts")
    number = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    order = models.JSONField(default=list)  # [[slot id, [answer ids in the order shown]], ...]
    score = models.DecimalField(max_digits=14, decimal_places=7, null=True, blank=True)
    to_grade = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["quiz", "student", "number"], name="attempt_unique_number"),
            models.UniqueConstraint(
                fields=["quiz", "student"], condition=Q(submitted_at__isnull=True), name="attempt_one_open"
            ),
        ]
        indexes = [models.Index(fields=["establishment", "quiz"], name="attempt_estab_quiz")]

    def __str__(self) -> str:
        return f"{self.quiz_id}:{self.student_id}"


class Response(models.Model):
    """The saved answer to one question of an attempt; ``sequence`` grows with each save from the page, so
    an older save arriving late never overwrites a newer one."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    slot = models.ForeignKey(QuizQuestion, on_delete=models.CASCADE, related_name="+")
    value = models.JSONField(null=True)
    sequence = models.PositiveBigIntegerField(default=0)  # milliseconds since 1970 from the page
    saved_at = models.DateTimeField()
    # An essay's points, given by hand by the teacher (None: not graded yet).
    mark = models.DecimalField(max_digits=12, decimal_places=7, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "slot"], name="response_unique")]

    def __str__(self) -> str:
        return f"{self.attempt_id}:{self.slot_id}"


class Accommodation(EstablishmentScoped):
    """What a student is granted for every quiz there (a PAP or PPS, set by the direction or the vie
    scolaire): extra time as minutes per hour of the time limit (tiers-temps: 20, a third more) and extra
    attempts. Only what is granted is kept, never the reason."""

    student = models.ForeignKey(User, on_delete=models.CASCADE, related_name="quiz_accommodations")
    extra_minutes_per_hour = models.PositiveSmallIntegerField(_("temps supplémentaire (minutes par heure)"), default=20)
    extra_attempts = models.PositiveSmallIntegerField(_("tentatives supplémentaires"), default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("aménagement")
        verbose_name_plural = _("aménagements")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "student"], name="accommodation_one_per_student"),
            models.CheckConstraint(condition=Q(extra_minutes_per_hour__lte=120), name="accommodation_time_range"),
            models.CheckConstraint(condition=Q(extra_attempts__lte=10), name="accommodation_attempts_range"),
        ]

    def __str__(self) -> str:
        return f"{self.student_id}: +{self.extra_minutes_per_hour} min/h, +{self.extra_attempts}"
