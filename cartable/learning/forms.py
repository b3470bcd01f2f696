"""The bank's forms: import a file (or pasted text) into a category, share a category; a quiz, an
accommodation, the marks of an attempt's essays."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from cartable.core import french
from cartable.learning import formats
from cartable.learning.models import REVIEW_MOMENTS, REVIEW_SHOWS, Category, Question, Quiz, TextFormat, default_review


class ImportForm(forms.Form):
    """A GIFT or Moodle XML file, or GIFT text pasted; ``cleaned_data["parsed"]`` holds what it contains."""

    file = forms.FileField(
        label=_("Fichier GIFT ou Moodle XML"),
        required=False,
        help_text=_("Le format est reconnu d'après le contenu. Un fichier avec une erreur n'est pas importé du tout."),
    )
    text = forms.CharField(
        label=_("Ou collez le texte GIFT"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )
    category = forms.TypedChoiceField(
        label=_("Catégorie des questions sans $CATEGORY"), coerce=int, choices=(), required=False
    )

    def __init__(self, *args, categories: list[Category], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            (c.pk, "— " * c.depth + (c.name if c.path else str(_("Haut de la banque")))) for c in categories
        ]

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload is None and not text:
            raise forms.ValidationError(_("Choisissez un fichier ou collez du texte GIFT."))
        if upload is not None:
            if upload.size > formats.max_bytes():  # refused before it is read
                raise forms.ValidationError(
                    _("Le fichier est trop volumineux (%(max)s au plus).") % {"max": french.size(formats.max_bytes())}
                )
            raw = upload.read()
        else:
            raw = text.encode("utf-8")
        try:
            data["parsed"] = formats.parse(raw)
        except formats.Refused as refused:
            raise forms.ValidationError(refused.messages()) from None
        data["into"] = self.categories.get(data.get("category") or 0)
        return data


class ShareForm(forms.Form):
    sharing = forms.ChoiceField(label=_("Partager avec"), choices=Category.Sharing.choices, widget=forms.RadioSelect)
    subject: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Matière"), queryset=None, required=False)

    def __init__(self, *args, subjects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = subjects

    def clean(self):
        data = super().clean()
        if data.get("sharing") == Category.Sharing.SUBJECT and not data.get("subject"):
            self.add_error("subject", _("Choisissez la matière dont les enseignants verront la catégorie."))
        return data


class QuizForm(forms.Form):
    """A quiz of a category's questions for a class the teacher teaches."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    school_class: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Classe"), queryset=None)
    opens_at = forms.DateTimeField(label=_("Ouverture"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Fermeture"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    time_limit = forms.IntegerField(
        label=_("Durée en minutes"), required=False, min_value=1, max_value=600, help_text=_("Vide : sans limite.")
    )
    max_attempts = forms.IntegerField(
        label=_("Tentatives permises"),
        min_value=1,
        max_value=10,
        initial=1,
        help_text=_("Un élève qui a un aménagement en a davantage."),
    )
    grading = forms.ChoiceField(
        label=_("Tentative qui compte"), choices=Quiz.Grading.choices, initial=Quiz.Grading.BEST
    )

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        initial = default_review()
        for moment, label in REVIEW_MOMENTS.items():
            self.fields[f"review_{moment}"] = forms.MultipleChoiceField(
                label=_("Ce que l'élève voit : %(moment)s") % {"moment": str(label).lower()},
                choices=list(REVIEW_SHOWS.items()),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                initial=initial[moment],
            )

    def review(self) -> dict[str, list[str]]:
        return {moment: list(self.cleaned_data[f"review_{moment}"]) for moment in REVIEW_MOMENTS}

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("La fermeture doit suivre l'ouverture."))
        return data


def responses_from(post, shown) -> list[tuple[int, object]]:
    """The answers posted by the attempt page, one per question shown, in the shape the action checks."""
    found: list[tuple[int, object]] = []
    for question in shown:
        key = f"q{question.slot_id}"
        if question.qtype == "multichoice":
            values = post.getlist(key)
            ids = [int(v) for v in values if v.isdigit()]
            if len(ids) != len(values):
                ids = [-1]  # a tampered value: the action refuses it
            found.append((question.slot_id, (ids[0] if ids else None) if question.single else ids))
        elif question.qtype == "matching":
            found.append((question.slot_id, {str(p): post.get(f"{key}_{p}", "") for p, *_shown in question.pairs}))
        elif question.qtype != "description":
            found.append((question.slot_id, post.get(key, "")))
    return found


class AccommodationForm(forms.Form):
    """What a student is granted for every quiz of the establishment (both at 0: nothing)."""

    student: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Élève"), queryset=None)
    extra_minutes_per_hour = forms.IntegerField(
        label=_("Temps supplémentaire, en minutes par heure"),
        min_value=0,
        max_value=120,
        initial=20,
        help_text=_("Un tiers-temps : 20 minutes par heure. 0 : pas de temps supplémentaire."),
    )
    extra_attempts = forms.IntegerField(label=_("Tentatives supplémentaires"), min_value=0, max_value=10, initial=0)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students
        self.fields["student"].label_from_instance = lambda u: f"{u.last_name.upper()} {u.first_name}"


class EssayMarksForm(forms.Form):
    """One field per essay of an attempt: its points, from 0 to the question's mark (empty: not graded)."""

    def __init__(self, *args, essays, **kwargs):
        super().__init__(*args, **kwargs)
        self.essays = essays
        for essay in essays:
            self.fields[f"mark{essay.slot_id}"] = forms.DecimalField(
                label=_("Points de la question %(n)d, sur %(max)s")
                % {"n": essay.number, "max": floatformat(essay.out_of, "-2")},
                required=False,
                min_value=0,
                max_value=essay.out_of,
                decimal_places=2,
                localize=True,
                initial=essay.mark,
            )
            essay.bound = self[f"mark{essay.slot_id}"]

    def marks(self) -> dict[int, Decimal | None]:
        return {essay.slot_id: self.cleaned_data[f"mark{essay.slot_id}"] for essay in self.essays}


# --- editing a question ----------------------------------------------------------------------------------------
WITH_ANSWERS = (formats.MULTICHOICE, formats.SHORTANSWER, formats.NUMERICAL)
BLANK_ROWS = 3  # empty rows offered for more answers or pairs, as Moodle's « 3 choix de plus »


class AnswerRow(forms.Form):
    """An answer of a multiple-choice, short-answer or numerical question (an empty text: no answer)."""

    text = forms.CharField(label=_("Réponse"), required=False, max_length=5000)
    fraction = forms.DecimalField(
        label=_("Poids (%)"), required=False, min_value=-100, max_value=100, decimal_places=5, localize=True
    )
    feedback = forms.CharField(label=_("Commentaire"), required=False, max_length=5000)
    tolerance = forms.DecimalField(label=_("Tolérance"), required=False, min_value=0, decimal_places=10, localize=True)


class PairRow(forms.Form):
    """A line of a matching question (an empty line: none)."""

    text = forms.CharField(label=_("Question"), required=False, max_length=5000)
    answer = forms.CharField(label=_("Réponse associée"), required=False, max_length=255)


AnswerRows = forms.formset_factory(AnswerRow, extra=BLANK_ROWS, max_num=50, absolute_max=50)
PairRows = forms.formset_factory(PairRow, extra=BLANK_ROWS, max_num=50, absolute_max=50)


class QuestionForm(forms.Form):
    """A question of any type; ``item()`` is what it says, checked by the rules of the importers
    (``formats.check``), so a question typed here is one a file could hold. Whatever is typed comes back on
    an error."""

    name = forms.CharField(label=_("Nom"), max_length=255)
    text = forms.CharField(label=_("Énoncé"), widget=forms.Textarea(attrs={"rows": 5}))
    text_format = forms.ChoiceField(label=_("Format du texte"), choices=TextFormat.choices)
    general_feedback = forms.CharField(
        label=_("Commentaire général"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    default_mark = forms.DecimalField(
        label=_("Note par défaut"), min_value=0, max_value=1000, decimal_places=7, localize=True, initial=1
    )
    single = forms.BooleanField(label=_("Une seule bonne réponse"), required=False)
    shuffle = forms.BooleanField(label=_("Mélanger les choix"), required=False)
    case_sensitive = forms.BooleanField(label=_("Respecter les majuscules"), required=False)
    truth = forms.ChoiceField(
        label=_("La bonne réponse"),
        choices=[("true", _("Vrai")), ("false", _("Faux"))],
        widget=forms.RadioSelect,
        required=False,
    )
    feedback_true = forms.CharField(label=_("Commentaire si l'élève répond « Vrai »"), required=False)
    feedback_false = forms.CharField(label=_("Commentaire si l'élève répond « Faux »"), required=False)

    def __init__(self, *args, qtype: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.qtype = qtype
        keep = {"name", "text", "text_format", "general_feedback"}
        if qtype != formats.DESCRIPTION:
            keep.add("default_mark")
        if qtype == formats.MULTICHOICE:
            keep |= {"single", "shuffle"}
        if qtype == formats.MATCHING:
            keep.add("shuffle")
        if qtype == formats.SHORTANSWER:
            keep.add("case_sensitive")
        if qtype == formats.TRUEFALSE:
            keep |= {"truth", "feedback_true", "feedback_false"}
            self.fields["truth"].required = True
        for name in set(self.fields) - keep:
            del self.fields[name]
        data, initial = (args[0] if args else kwargs.get("data")), kwargs.get("initial") or {}
        self.answers = (
            AnswerRows(data, prefix="answer", initial=initial.get("answers")) if qtype in WITH_ANSWERS else None
        )
        self.pairs = PairRows(data, prefix="pair", initial=initial.get("pairs")) if qtype == formats.MATCHING else None

    def is_valid(self) -> bool:
        rows = [r for r in (self.answers, self.pairs) if r is not None]
        valid = all([super().is_valid(), *(r.is_valid() for r in rows)])
        if not valid:
            return False
        for message in formats.check(self.item()):
            self.add_error(None, message[:1].upper() + message[1:])
        return not self.errors

    def item(self) -> formats.Item:
        data = self.cleaned_data
        answers: list[formats.Choice] = []
        if self.answers is not None:
            for row in self.answers.cleaned_data:
                if (row.get("text") or "").strip():
                    answers.append(
                        formats.Choice(
                            row["text"].strip(),
                            row.get("fraction") or Decimal(0),
                            row.get("feedback") or "",
                            row.get("tolerance") if self.qtype == formats.NUMERICAL else None,
                        )
                    )
        if self.qtype == formats.TRUEFALSE:
            answers = [
                formats.Choice(
                    value,
                    formats.HUNDRED if data.get("truth") == value else Decimal(0),
                    data.get(f"feedback_{value}", ""),
                )
                for value in ("true", "false")
            ]
        pairs = [
            formats.Pair(row["text"].strip(), (row.get("answer") or "").strip())
            for row in (self.pairs.cleaned_data if self.pairs is not None else [])
            if (row.get("text") or "").strip() or (row.get("answer") or "").strip()
        ]
        return formats.Item(
            qtype=self.qtype,
            name=data["name"],
            text=data["text"],
            text_format=data["text_format"],
            general_feedback=data.get("general_feedback", ""),
            answers=answers,
            pairs=pairs,
            single=data.get("single", True) if self.qtype == formats.MULTICHOICE else True,
            shuffle=data.get("shuffle", True),
            case_sensitive=data.get("case_sensitive", False),
            default_mark=Decimal(0) if self.qtype == formats.DESCRIPTION else data["default_mark"],
        )


def question_initial(question: Question) -> dict:
    """The form's initial data from a question and its answers or pairs."""
    answers = list(question.answers.all())
    initial = {
        "name": question.name,
        "text": question.text,
        "text_format": question.text_format,
        "general_feedback": question.general_feedback,
        "default_mark": question.default_mark.normalize(),
        "single": question.single,
        "shuffle": question.shuffle,
        "case_sensitive": question.case_sensitive,
        "answers": [
            {
                "text": a.text,
                "fraction": a.fraction.normalize(),
                "feedback": a.feedback,
                "tolerance": a.tolerance.normalize() if a.tolerance is not None else None,
            }
            for a in answers
        ],
        "pairs": [{"text": p.text, "answer": p.answer} for p in question.pairs.all()],
    }
    for a in answers:
        if a.text in ("true", "false") and question.qtype == formats.TRUEFALSE:
            initial[f"feedback_{a.text}"] = a.feedback
            if a.fraction == formats.HUNDRED:
                initial["truth"] = a.text
    return initial
