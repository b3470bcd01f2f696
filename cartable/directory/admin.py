"""Admin pages of the directory, for regional administrators."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from cartable.directory import actions
from cartable.directory import models as m


class ReadOnlyInline(admin.StackedInline):
    """Shown, not edited: the row's own admin page saves it through the directory's audited actions."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MembershipInline(ReadOnlyInline):
    model = m.Membership
    fk_name = "person"


class ExternalIdentifierInline(admin.StackedInline):
    model = m.ExternalIdentifier
    extra = 0


class GuardianshipInline(ReadOnlyInline):
    model = m.Guardianship
    fk_name = "guardian"


def _actor(request: HttpRequest) -> Any:
    """The regional administrator acting in the admin (``ActorMiddleware`` builds it)."""
    return getattr(request, "actor", None)


@admin.register(m.User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "email", "is_active", "activated_at"]
    list_filter = ["is_active", "is_superuser", "memberships__role"]
    search_fields = ["username", "last_name", "first_name", "email"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (None, {"fields": ["title", "birth_date", "activated_at"]}),
    )
    inlines = [MembershipInline, GuardianshipInline, ExternalIdentifierInline]
    # Django's two-box selector fails axe-core (an aria-label on a plain span): plain multiple selects.
    filter_horizontal = ()


@admin.register(m.Academy)
class AcademyAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["name", "code"]


@admin.register(m.Establishment)
class EstablishmentAdmin(admin.ModelAdmin):
    list_display = ["uai", "name", "kind", "ministry", "city", "academy"]
    list_filter = ["academy", "kind", "ministry"]
    search_fields = ["uai", "name", "city"]

    def save_model(self, request, obj, form, change):
        """A new establishment opens through the directory's action (audited, with every app's setup)."""
        if change:
            super().save_model(request, obj, form, change)
        else:
            actions.open_establishment(actor=getattr(request, "actor", None), establishment=obj)


class PeriodInline(admin.StackedInline):
    model = m.Period
    extra = 0


@admin.register(m.SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["label", "establishment", "start_date", "end_date"]
    list_filter = ["label"]
    list_select_related = ["establishment"]
    inlines = [PeriodInline]


@admin.register(m.Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "establishment"]
    list_select_related = ["establishment"]
    search_fields = ["name", "code"]


@admin.register(m.SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    list_display = ["name", "level", "establishment", "school_year", "head_teacher"]
    list_filter = ["level", "establishment"]
    list_select_related = ["establishment", "school_year", "head_teacher"]
    search_fields = ["name"]
    raw_id_fields = ["head_teacher"]


@admin.register(m.Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "establishment", "school_year"]
    list_select_related = ["establishment", "school_year"]
    search_fields = ["name"]
    # Django's two-box selector fails axe-core (unlabelled selects); the plain multiple select passes.


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "establishment", "start_date", "end_date"]
    list_filter = ["role", "establishment"]
    list_select_related = ["person", "establishment"]
    raw_id_fields = ["person"]
    search_fields = ["person__last_name", "person__username"]

    # Granting a role goes through the audited actions, one row at a time (the bulk delete too).
    def save_model(self, request: HttpRequest, obj: m.Membership, form: Any, change: bool) -> None:
        actions.save_membership(actor=_actor(request), membership=obj)

    def delete_model(self, request: HttpRequest, obj: m.Membership) -> None:
        actions.remove_membership(actor=_actor(request), membership=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[m.Membership]) -> None:
        for membership in queryset:
            actions.remove_membership(actor=_actor(request), membership=membership)


@admin.register(m.Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["student", "school_class", "establishment", "start_date", "end_date"]
    list_select_related = ["student", "school_class", "establishment"]
    raw_id_fields = ["student", "school_class"]
    search_fields = ["student__last_name", "school_class__name"]


@admin.register(m.GroupMembership)
class GroupMembershipAdmin(admin.ModelAdmin):
    list_display = ["student", "group", "establishment"]
    list_select_related = ["student", "group", "establishment"]
    raw_id_fields = ["student", "group"]


@admin.register(m.TeachingAssignment)
class TeachingAssignmentAdmin(admin.ModelAdmin):
    list_display = ["teacher", "subject", "school_class", "group", "establishment"]
    list_select_related = ["teacher", "subject", "school_class", "group", "establishment"]
    raw_id_fields = ["teacher", "school_class", "group", "subject"]


@admin.register(m.Guardianship)
class GuardianshipAdmin(admin.ModelAdmin):
    list_display = ["guardian", "student", "relationship", "legal_responsibility", "receives_notifications"]
    list_select_related = ["guardian", "student"]
    raw_id_fields = ["guardian", "student"]
    search_fields = ["guardian__last_name", "student__last_name"]

    # Linking a guardian to a child goes through the audited actions, one row at a time (the bulk delete too).
    def save_model(self, request: HttpRequest, obj: m.Guardianship, form: Any, change: bool) -> None:
        actions.save_guardianship(actor=_actor(request), guardianship=obj)

    def delete_model(self, request: HttpRequest, obj: m.Guardianship) -> None:
        actions.remove_guardianship(actor=_actor(request), guardianship=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[m.Guardianship]) -> None:
        for guardianship in queryset:
            actions.remove_guardianship(actor=_actor(request), guardianship=guardianship)
