"""Root URLs. Every view requires sign-in unless marked ``login_not_required`` (see tests/test_urls.py)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from cartable.core import views as core_views

admin.site.site_header = _("Cartable — administration")
admin.site.site_title = "Cartable"

urlpatterns = [
    path("", include("cartable.dashboard.urls")),
    path("comptes/", include("cartable.accounts.urls")),
    path("annuaire/", include("cartable.directory.urls")),
    path("etablissement/", include("cartable.governance.urls")),
    path("emploi-du-temps/", include("cartable.timetable.urls")),
    path("cahier-de-textes/", include("cartable.homework.urls")),
    path("agenda/", include("cartable.agenda.urls")),
    path("vie-scolaire/", include("cartable.attendance.urls")),
    path("discipline/", include("cartable.discipline.urls")),
    path("notes/", include("cartable.grades.urls")),
    path("bulletins/", include("cartable.reportcards.urls")),
    path("messagerie/", include("cartable.messaging.urls")),
    path("actualites/", include("cartable.news.urls")),
    path("forums/", include("cartable.forums.urls")),
    path("apprentissage/", include("cartable.learning.urls")),
    path("documents/", include("cartable.documents.urls")),
    path("notifications/", include("cartable.notifications.urls")),
    path("alimentation/", include("cartable.provisioning.urls")),
    path("", include("cartable.sso.urls")),  # /applications/ and the CAS server under /cas/
    path("", include("cartable.sso.oidc_urls")),  # the OpenID Connect provider (its own namespace)
    path("mes-donnees/", include("cartable.privacy.urls")),
    path("lti/", include("cartable.lti.urls")),
    path("admin/", admin.site.urls),
    path("sante/", core_views.health, name="health"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # Browsers ask for /favicon.ico on pages that do not name one (the Django admin's).
    path("favicon.ico", login_not_required(RedirectView.as_view(url=static("core/favicon.svg"))), name="favicon"),
]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
