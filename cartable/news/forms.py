"""The news form: title, text, audience, dates, pin and an optional image with its alternative text."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cartable.core import uploads
from cartable.directory.actor import Actor
from cartable.directory.models import SchoolClass
from cartable.news.models import NewsItem

PARIS = ZoneInfo("Europe/Paris")
IMAGE_MAX_BYTES = 5 * 1024 * 1024
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class NewsForm(forms.Form):
    """A piece of news; ``cleaned_data`` gains ``publish_at``, ``expires_at`` and ``checked_image``."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    body = forms.CharField(
        label=_("Texte"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Mise en forme simple permise (gras, listes, liens) ; le reste est retiré."),
    )
    audience = forms.ChoiceField(label=_("Pour qui"), choices=NewsItem.Audience.choices)
    classes = forms.ModelMultipleChoiceField(
        label=_("Classes"),
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Pour « Certaines classes » : leurs élèves et leurs familles."),
    )
    pinned = forms.BooleanField(label=_("Épingler en tête"), required=False)
    publish_date = forms.DateField(
        label=_("Date de publication"), required=False, widget=DATE, help_text=_("Vide : tout de suite.")
    )
    publish_time = forms.TimeField(label=_("Heure de publication"), required=False, widget=TIME)
    expire_date = forms.DateField(
        label=_("Date d'expiration"), required=False, widget=DATE, help_text=_("Vide : l'actualité reste affichée.")
    )
    image = forms.FileField(label=_("Image"), required=False, help_text=_("PNG, JPEG, GIF ou WebP, 5 Mo au plus."))
    image_alt = forms.CharField(
        label=_("Texte alternatif de l'image"),
        max_length=250,
        required=False,
        help_text=_("Obligatoire avec une image : ce qu'elle montre, pour qui ne la voit pas."),
    )
    remove_image = forms.BooleanField(label=_("Retirer l'image"), required=False)

    def __init__(self, *args: Any, actor: Actor, item: NewsItem | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item = item
        establishment_id = item.establishment_id if item else actor.establishment_id
        self.regional = establishment_id is None
        if self.regional:
            del self.fields["audience"]
            del self.fields["classes"]
        else:
            classes = SchoolClass.objects.filter(establishment_id=establishment_id).order_by("name")
            self.fields["classes"].queryset = classes  # type: ignore[attr-defined]
        if item is None or not item.image:
            del self.fields["remove_image"]

    @classmethod
    def initial_for(cls, item: NewsItem) -> dict:
        publish = timezone.localtime(item.publish_at, PARIS)
        return {
            "title": item.title,
            "body": item.body,
            "audience": item.audience,
            "classes": [c.pk for c in item.classes.all()],
            "pinned": item.pinned,
            "publish_date": publish.date(),
            "publish_time": publish.time().replace(second=0, microsecond=0),
            "expire_date": timezone.localtime(item.expires_at, PARIS).date() if item.expires_at else None,
            "image_alt": item.image_alt,
        }

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            return None
        return uploads.validate_upload(upload, max_bytes=IMAGE_MAX_BYTES, allowed=uploads.IMAGES)

    def clean(self):
        data = super().clean()
        now = timezone.now()
        day, time = data.get("publish_date"), data.get("publish_time")
        if day is None:
            publish_at = self.item.publish_at if self.item and time is None else now
        else:
            publish_at = dt.datetime.combine(day, time or dt.time(8), tzinfo=PARIS)
        data["publish_at"] = publish_at
        expire = data.get("expire_date")
        data["expires_at"] = None
        if expire is not None:
            expires_at = dt.datetime.combine(expire + dt.timedelta(days=1), dt.time.min, tzinfo=PARIS)
            if expires_at <= publish_at:
                self.add_error("expire_date", _("L'expiration doit suivre la publication."))
            data["expires_at"] = expires_at
        if not self.regional and data.get("audience") == NewsItem.Audience.CLASSES and not data.get("classes"):
            self.add_error("classes", _("Choisissez au moins une classe."))
        keeps_image = self.item is not None and self.item.image and not data.get("remove_image")
        if (data.get("image") or keeps_image) and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", ValidationError(_("Décrivez l'image (texte alternatif)."), code="required"))
        return data
