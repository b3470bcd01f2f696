"""Forms of the timetable's staff pages: a change to a lesson, an exceptional lesson, weekly lessons, rooms,
days off, the import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from cartable.directory.actor import current
from cartable.directory.models import Membership, Role, TeachingAssignment, User
from cartable.timetable.models import LessonChange, Room, Weeks

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def teachers_of(establishment_id: int):
    members = current(Membership.objects.filter(establishment_id=establishment_id, role=Role.TEACHER))
    return User.objects.filter(pk__in=members.values("person_id")).order_by("last_name", "first_name")


def _field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    """A model choice field of the form, to narrow its rows to the establishment's."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class _TeacherChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class _AssignmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.subject.name} — {obj.school_class or obj.group} — {obj.teacher.display_name}"


class LessonChangeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Modification"),
        widget=forms.RadioSelect,
        choices=[
            (LessonChange.Kind.CANCELLED, _("Annuler le cours")),
            (LessonChange.Kind.ROOM, _("Changer de salle")),
            (LessonChange.Kind.SUBSTITUTE, _("Remplacer l'enseignant")),
        ],
    )
    room = forms.ModelChoiceField(label=_("Nouvelle salle"), queryset=Room.objects.none(), required=False)
    substitute = _TeacherChoice(label=_("Remplaçant"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("Précision (facultatif)"), max_length=200, required=False)

    def __init__(self, *args, establishment_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        _field(self, "room").queryset = Room.objects.filter(establishment_id=establishment_id)
        _field(self, "substitute").queryset = teachers_of(establishment_id)


class ExceptionalLessonForm(forms.Form):
    assignment = _AssignmentChoice(label=_("Cours"), queryset=TeachingAssignment.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Début"), widget=TIME)
    end_time = forms.TimeField(label=_("Fin"), widget=TIME)
    room = forms.ModelChoiceField(label=_("Salle"), queryset=Room.objects.none(), required=False)
    substitute = _TeacherChoice(
        label=_("Assuré par un autre enseignant (facultatif)"), queryset=User.objects.none(), required=False
    )
    note = forms.CharField(label=_("Précision (facultatif)"), max_length=200, required=False)

    def __init__(self, *args, establishment_id: int, class_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        assignments = TeachingAssignment.objects.filter(establishment_id=establishment_id).select_related(
            "subject", "teacher", "school_class", "group"
        )
        if class_id is not None:
            assignments = assignments.filter(school_class_id=class_id) | assignments.filter(group__classes=class_id)
        _field(self, "assignment").queryset = assignments.distinct().order_by("subject__name", "pk")
        _field(self, "room").queryset = Room.objects.filter(establishment_id=establishment_id)
        _field(self, "substitute").queryset = teachers_of(establishment_id)


class NonSchoolDayForm(forms.Form):
    label = forms.CharField(label=_("Libellé"), max_length=120)
    start_date = forms.DateField(label=_("Du"), widget=DATE)
    end_date = forms.DateField(label=_("Au (inclus)"), widget=DATE)


class WeekAForm(forms.Form):
    week_a_monday = forms.DateField(
        label=_("Un jour d'une semaine A"),
        widget=DATE,
        help_text=_("Les semaines alternent ensuite : A, B, A, B…"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_(
            "Un CSV (UTF-8), l'export des cours d'EDT (EXP_COURS.xml) ou l'export d'UDT (zip des fichiers UDCal)."
        ),
    )
    valid_from = forms.DateField(label=_("Applicable à partir du"), widget=DATE)
    dry_run = forms.BooleanField(
        label=_("Simuler seulement : montrer ce qui changerait, sans rien écrire"),
        required=False,
        initial=True,
    )
    replace = forms.BooleanField(
        label=_("CSV : remplacer l'emploi du temps actuel à partir de cette date"),
        required=False,
    )


def assignments_of(establishment_id: int, *, class_id: int | None = None, group_id: int | None = None, teacher_id=None):
    """The establishment's teaching assignments for a select, narrowed to a class (with its groups), a group
    or a teacher when given (one query, names included)."""
    assignments = TeachingAssignment.objects.filter(establishment_id=establishment_id).select_related(
        "subject", "teacher", "school_class", "group"
    )
    if class_id is not None:
        assignments = assignments.filter(Q(school_class_id=class_id) | Q(group__classes=class_id))
    if group_id is not None:
        assignments = assignments.filter(group_id=group_id)
    if teacher_id is not None:
        assignments = assignments.filter(teacher_id=teacher_id)
    return assignments.distinct().order_by("subject__name", "school_class__name", "group__name", "pk")


class SlotForm(forms.Form):
    """A weekly lesson: who teaches what to whom, when, where, which weeks, from which date."""

    assignment = _AssignmentChoice(label=_("Cours"), queryset=TeachingAssignment.objects.none())
    weekday = forms.TypedChoiceField(
        label=_("Jour"), coerce=int, choices=[(day, str(WEEKDAYS[day]).capitalize()) for day in range(6)]
    )
    start_time = forms.TimeField(label=_("Début"), widget=TIME)
    end_time = forms.TimeField(label=_("Fin"), widget=TIME)
    room = forms.ModelChoiceField(label=_("Salle (facultatif)"), queryset=Room.objects.none(), required=False)
    weeks = forms.ChoiceField(label=_("Semaines"), choices=Weeks.choices, initial=Weeks.ALL)
    valid_from = forms.DateField(
        label=_("À partir du"),
        widget=DATE,
        help_text=_("Les semaines précédentes restent comme elles étaient."),
    )

    def __init__(self, *args, establishment_id: int, assignments=None, **kwargs):
        super().__init__(*args, **kwargs)
        _choice_field(self, "weekday").choices = [(day, str(WEEKDAYS[day]).capitalize()) for day in range(6)]
        _field(self, "assignment").queryset = (
            assignments if assignments is not None else assignments_of(establishment_id)
        )
        _field(self, "room").queryset = Room.objects.filter(establishment_id=establishment_id).order_by("name")


class EndSlotForm(forms.Form):
    last_day = forms.DateField(label=_("Dernier jour de cours"), widget=DATE)


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=60)
    capacity = forms.IntegerField(label=_("Capacité (facultatif)"), min_value=1, max_value=2000, required=False)
