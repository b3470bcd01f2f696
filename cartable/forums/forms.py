"""Forms of the forums: a new class or group forum, a new topic, a reply."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cartable.core import authz, richtext
from cartable.directory.actor import Actor
from cartable.directory.models import Group, SchoolClass

BODY_HELP = _("Mise en forme simple permise (gras, listes, liens) ; le reste est retiré.")


def _has_text(value: str) -> str:
    if not richtext.to_text(richtext.sanitize(value)).strip():
        raise forms.ValidationError(_("Écrivez un message."), code="required")
    return value


class ForumForm(forms.Form):
    """A class or group forum: the choices are the classes and groups the actor may open a forum for."""

    target = forms.CharField(label=_("Pour"), widget=forms.Select)
    title = forms.CharField(label=_("Titre"), max_length=120)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    open_to_parents = forms.BooleanField(
        label=_("Ouvert aux parents"), required=False, help_text=_("Les parents des élèves lisent et écrivent aussi.")
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        eid = actor.establishment_id
        classes = SchoolClass.objects.filter(establishment_id=eid).order_by("name")
        groups = Group.objects.filter(establishment_id=eid).order_by("name")
        if not authz.can(actor, "forums.manage", actor.establishment):
            classes = classes.filter(pk__in=sorted(actor.taught_class_ids))
            groups = groups.filter(pk__in=sorted(actor.taught_group_ids))
        self.targets = {f"class:{c.pk}": c for c in classes} | {f"group:{g.pk}": g for g in groups}
        self.fields["target"].widget.choices = [("", "—")] + [
            (key, (_("Classe %(name)s") if key.startswith("class") else _("Groupe %(name)s")) % {"name": t.name})
            for key, t in self.targets.items()
        ]

    def clean_target(self):
        key = self.cleaned_data["target"]
        if key not in self.targets:
            raise forms.ValidationError(_("Choisissez une classe ou un groupe."))
        return self.targets[key]


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Sujet"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), help_text=BODY_HELP)

    def clean_body(self):
        return _has_text(self.cleaned_data["body"])


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Votre réponse"), widget=forms.Textarea(attrs={"rows": 5}), help_text=BODY_HELP)

    def clean_body(self):
        return _has_text(self.cleaned_data["body"])
