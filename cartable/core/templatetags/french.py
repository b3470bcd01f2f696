"""French grammar as template filters, built in to every template (settings: ``builtins``): ``|de``."""

from django import template

from cartable.core import french

register = template.Library()
register.filter("de", french.de)
