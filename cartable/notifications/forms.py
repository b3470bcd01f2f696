"""Input of the notification centre: the preference grid and quiet hours."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cartable.core.models import NotificationPreference


class QuietHoursForm(forms.Form):
    """Quiet hours: a night window (both times or neither) and, optionally, the whole weekend."""

    start = forms.TimeField(
        label=gettext_lazy("Pas de courriel à partir de"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Par exemple 20:00."),
    )
    end = forms.TimeField(
        label=gettext_lazy("Jusqu'à"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=gettext_lazy("Par exemple 07:00 : les courriels retenus partent à cette heure-là."),
    )
    weekends = forms.BooleanField(label=gettext_lazy("Pas de courriel le week-end"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None) and not self.errors:
            raise forms.ValidationError(_("Indiquez l'heure de début et l'heure de fin, ou aucune des deux."))
        if start is not None and start == end:
            raise forms.ValidationError(_("L'heure de fin doit différer de l'heure de début."))
        return data


def field_name(kind: str, child_id: int | None) -> str:
    return f"pref:{kind}:{child_id or 'moi'}"


def parse_preferences(data, groups, children) -> tuple[dict[tuple[str, int | None], str], list[str]]:
    """The choices posted for every cell of the grid, and the French errors for values out of the list.

    A child's cell may be empty ("as for me"); a general cell must hold one of the channels. A cell missing
    from the post keeps its current choice."""
    valid = set(NotificationPreference.Channel.values)
    choices: dict[tuple[str, int | None], str] = {}
    errors: list[str] = []
    for group in groups:
        for row in group.rows:
            current = {None: row.general} | {child.id: choice for child, choice in row.per_child}
            for child_id in [None] + [c.id for c in children]:
                value = data.get(field_name(row.kind.key, child_id), current.get(child_id, ""))
                if child_id is not None and value == "":
                    continue
                if value not in valid:
                    errors.append(_("Choix invalide pour « %(kind)s ».") % {"kind": row.kind.label})
                    continue
                choices[(row.kind.key, child_id)] = value
    return choices, errors
