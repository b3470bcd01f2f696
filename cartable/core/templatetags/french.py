"""French grammar as template filters, built in to every template (settings: ``builtins``): ``|de``, ``|taille``."""

from django import template

from cartable.core import french

register = template.Library()
register.filter("de", french.de)
register.filter("taille", french.size)
