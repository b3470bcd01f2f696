"""The kernel's admin: sign-in through Cartable's own login page, and a read-only audit trail.

The admin's own login form would be a second way in that escapes the login throttling, so the admin
site's login view is replaced: an anonymous visitor is sent to Cartable's login page, and a signed-in
person without admin rights is refused (403) rather than asked to sign in again.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cartable.core.models import AuditEvent


@login_not_required
def admin_login(request, extra_context=None):
    """Send the admin's sign-in to Cartable's login page; refuse a signed-in person who is not staff."""
    if request.user.is_authenticated:
        raise PermissionDenied
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = admin_login  # type: ignore[method-assign]  # the admin has no login form of its own


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, to read only: it is written by actions and never edited by hand."""

    list_display = ["at", "kind", "verb", "actor", "target_type", "target_id", "establishment_id", "subject_id"]
    list_filter = ["kind"]  # choices: no DISTINCT query over a table of millions of rows
    list_select_related = ["actor"]
    search_fields = ["=verb", "=target_type", "=target_id"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
