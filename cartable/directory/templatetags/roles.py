"""Role titles as template filters, built in to every template (settings: ``builtins``).

``{{ m.role|role_title:person }}`` -> « Enseignante » for Mme Bernard; ``{{ m|membership_title:person }}``
-> the job title typed, else the role's title (``directory/titles.py``)."""

from django import template

from cartable.directory import titles

register = template.Library()
register.filter("role_title", titles.role_title)
register.filter("membership_title", titles.membership_title)
