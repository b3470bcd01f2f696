"""The bank's forms: import a file (or pasted text) into a category, share a category; a quiz, an
accommodation, the marks of an attempt's essays."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _

from cartable.core import french
from cartable.learning import formats
from cartable.learning.models import REVIEW_MOMENTS, REVIEW_SHOWS, Category, Quiz, default_review


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
