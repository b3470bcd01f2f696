"""Timetable registrations: module, menu, widgets, personal data."""

from django.utils.translation import gettext_lazy as _

from cartable.core import registry
from cartable.timetable.models import LessonChange, Slot

registry.register_module(
    registry.Module(
        key="timetable", label=_("Emploi du temps"), description=_("Les cours de la semaine et leurs modifications.")
    )
)
registry.register_data_provider(
    registry.DataProvider(
        model=LessonChange,
        purpose=_("Informer des modifications de l'emploi du temps (remplacements)."),
        retention=_("L'année scolaire."),
        export=lambda u: list(LessonChange.objects.filter(substitute=u).values("date", "kind", "note")),
        erase=lambda u: LessonChange.objects.filter(created_by=u).update(created_by=None),
        user_fields=("substitute", "created_by"),
    )
)
assert Slot  # slots hold no personal data: they point to teaching assignments
