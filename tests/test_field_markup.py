"""One form-field markup for every app (core/_field.html): the hint and the error before the input and linked
to it, choice lists as a fieldset, and the « * » only where a form mixes required and optional fields."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string
from django.test import SimpleTestCase


class Mixed(forms.Form):
    title = forms.CharField(label="Titre", help_text="Court.")
    note = forms.CharField(label="Remarque", required=False)
    days = forms.MultipleChoiceField(
        label="Jours", choices=[("1", "Lundi"), ("2", "Mardi")], widget=forms.CheckboxSelectMultiple
    )
    urgent = forms.BooleanField(label="Urgent", required=False)


class AllRequired(forms.Form):
    login = forms.CharField(label="Identifiant")
    remember = forms.BooleanField(label="Se souvenir de moi", required=False)


def field_html(form: forms.Form, name: str) -> str:
    return render_to_string("core/_field.html", {"field": form[name]})


class FieldMarkupTests(SimpleTestCase):
    def test_a_required_field_among_optional_ones_is_starred_and_the_optional_one_is_not(self):
        form = Mixed()
        self.assertInHTML(
            '<label for="id_title">Titre <span aria-hidden="true">*</span></label>', field_html(form, "title")
        )
        self.assertInHTML('<label for="id_note">Remarque</label>', field_html(form, "note"))

    def test_where_every_field_must_be_filled_no_label_carries_a_star(self):
        self.assertInHTML('<label for="id_login">Identifiant</label>', field_html(AllRequired(), "login"))

    def test_the_hint_and_the_error_come_before_the_input_and_are_linked_to_it(self):
        form = Mixed(data={"title": ""})
        html = field_html(form, "title")
        self.assertLess(html.index('id="id_title_helptext"'), html.index("<input"))
        self.assertLess(html.index('id="id_title_error"'), html.index("<input"))
        self.assertIn('aria-describedby="id_title_helptext id_title_error"', html)
        self.assertIn('aria-invalid="true"', html)

    def test_a_choice_list_is_a_fieldset_with_its_legend_and_one_label_per_choice(self):
        html = field_html(Mixed(), "days")
        self.assertIn("<legend>Jours", html)
        self.assertInHTML(
            '<label class="checkbox" for="id_days_0">'
            '<input type="checkbox" name="days" value="1" id="id_days_0"> <span>Lundi</span></label>',
            html,
        )

    def test_a_single_checkbox_sits_inside_its_label(self):
        html = field_html(Mixed(), "urgent")
        self.assertInHTML(
            '<label class="checkbox" for="id_urgent">'
            '<input type="checkbox" name="urgent" id="id_urgent"> <span>Urgent</span></label>',
            html,
        )
