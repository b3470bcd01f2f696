"""Error pages in the site's style: never a stack trace, never a hint about what exists."""

import logging
import sys

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10


@login_not_required
def csrf_failure(request, reason=""):
    return render(
        request,
        "core/error.html",
        {
            "title": _("Formulaire expiré"),
            "message": _(
                "Le formulaire a expiré ou n'a pas pu être vérifié. Revenez en arrière, rechargez la page "
                "et envoyez-le de nouveau."
            ),
        },
        status=403,
    )


def bad_request(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": _("Requête incorrecte"), "message": _("La demande n'a pas pu être comprise.")},
        status=400,
    )


def permission_denied(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"title": _("Accès refusé"), "message": _("Vous n'avez pas accès à cette page.")},
        status=403,
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "title": _("Page introuvable"),
            "message": _("Cette page n'existe pas ou vous n'y avez pas accès."),
        },
        status=404,
    )


def server_error(request):
    """The 500 page; rendered plainly when the page's context cannot be built (the database may be down).

    When the database cannot be reached (a primary restarting, PgBouncer losing its servers) the answer is a 503
    with ``Retry-After``: the person may try again in a few seconds."""
    unavailable = isinstance(sys.exc_info()[1], OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if unavailable:
        context = {
            "title": _("Service momentanément indisponible"),
            "message": _("La base de données ne répond pas pour l'instant. Réessayez dans quelques secondes."),
        }
    else:
        context = {
            "title": _("Erreur du serveur"),
            "message": _("Une erreur est survenue de notre côté. Réessayez dans quelques instants."),
        }
    try:
        response = render(request, "core/error.html", context, status=status)
    except Exception:
        log.exception("The error page could not use the request's context; rendering it plainly.")
        html = loader.get_template("core/error.html").render({**context, "SITE_NAME": settings.CARTABLE_SITE_NAME})
        response = HttpResponseServerError(html, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


@login_not_required
def health(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})


def require_module(key: str):
    """View decorator: the page answers 404 when its module is off in the active establishment."""
    from functools import wraps

    from django.http import Http404

    from cartable.core import registry

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not registry.module_enabled(request.actor.module_settings, key):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
