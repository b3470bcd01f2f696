"""Form helpers for core/_field.html."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def marks_required(field: forms.BoundField) -> bool:
    """Whether the field gets the « * » of a required field: only when the form also has optional fields to
    fill in (a checkbox, never "required", does not count). Where every field must be filled (a sign-in, a
    password change, the preferences' choices), the marks say nothing and only clutter the labels."""
    if not field.field.required:
        return False
    return any(
        not other.required and not isinstance(other.widget, forms.CheckboxInput) for other in field.form.fields.values()
    )
