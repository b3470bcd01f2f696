"""WSGI entry point: ``gunicorn cartable.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.SECRET_KEY_EPHEMERAL:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set to serve Cartable outside demo mode.")
