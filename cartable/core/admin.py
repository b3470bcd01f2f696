"""The kernel's admin: sign-in through Cartable's own login page, a read-only audit trail, the task backend in French.

The admin's own login form would be a second way in that escapes the login throttling, so the admin
site's login view is replaced: an anonymous visitor is sent to Cartable's login page, and a signed-in
person without admin rights is refused (403) rather than asked to sign in again.
"""

import django_tasks_db.admin  # registers DBTaskResultAdmin, replaced at the end of this module
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

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


# --- The task backend's admin, in French --------------------------------------------------------------------
# django-tasks-db ships no French and names its app with a plain string: its labels are given here, as French
# strings of Cartable's catalogue (translated to English there like every other), and its admin is replaced
# by a subclass whose computed columns have French headers.
TASK_FIELD_LABELS = {
    "id": _("identifiant"),
    "status": _("état"),
    "enqueued_at": _("mise en file le"),
    "started_at": _("commencée le"),
    "finished_at": _("terminée le"),
    "args_kwargs": _("arguments"),
    "priority": _("priorité"),
    "task_path": _("chemin de la tâche"),
    "worker_ids": _("processus"),
    "queue_name": _("file"),
    "backend_name": _("moteur"),
    "run_after": _("à exécuter après"),
    "return_value": _("valeur renvoyée"),
    "exception_class_path": _("classe de l'exception"),
    "traceback": _("trace de l'erreur"),
}
apps.get_app_config("django_tasks_database").verbose_name = _("Tâches en arrière-plan")
DBTaskResult._meta.verbose_name = _("résultat de tâche")
DBTaskResult._meta.verbose_name_plural = _("résultats de tâches")
for _name, _label in TASK_FIELD_LABELS.items():
    DBTaskResult._meta.get_field(_name).verbose_name = _label  # type: ignore[union-attr]  # concrete fields

admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class TaskResultAdmin(django_tasks_db.admin.DBTaskResultAdmin):
    """The backend's read-only admin, with French column headers."""

    @admin.display(description=_("tâche"))
    def task_name(self, obj: DBTaskResult) -> str:
        return obj.task_name

    @admin.display(description=_("trace de l'erreur"))
    def formatted_traceback(self, obj: DBTaskResult) -> str:
        return super().formatted_traceback(obj)

    @admin.display(description=_("à exécuter après"))
    def display_run_after(self, obj: DBTaskResult):
        return super().display_run_after(obj)
