"""The admin: the AAF function codes (edited here, audited through the app's action) and the import runs
(read-only: a run is a record)."""

from django.contrib import admin

from cartable.provisioning import actions
from cartable.provisioning.models import FunctionRole, ImportRun


@admin.register(FunctionRole)
class FunctionRoleAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "role")
    search_fields = ("code", "label")

    def save_model(self, request, obj, form, change):
        actions.save_function_role(actor=request.actor, function=obj)

    def delete_model(self, request, obj):
        actions.delete_function_role(actor=request.actor, function=obj)

    def has_delete_permission(self, request, obj=None):
        return False  # a code removed would silently stop giving its role: change its role instead


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "source_kind", "outcome", "dry_run", "requested_by")
    list_filter = ("source_kind", "outcome", "dry_run")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
