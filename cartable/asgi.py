"""ASGI entry point, for a small live-update process; pages are served by WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cartable.settings")
application = get_asgi_application()
