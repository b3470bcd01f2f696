"""Admin pages of the directory, for regional administrators."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from cartable.directory import models as m


class MembershipInline(admin.StackedInline):
    model = m.Membership
    fk_name = "person"
    extra = 0
    autocomplete_fields = ["establishment"]


class ExternalIdentifierInline(admin.StackedInline):
    model = m.ExternalIdentifier
    extra = 0


class GuardianshipInline(admin.StackedInline):
    model = m.Guardianship
    fk_name = "guardian"
    extra = 0
    raw_id_fields = ["student"]


@admin.register(m.User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "email", "is_active", "activated_at"]
    list_filter = ["is_active", "is_superuser", "memberships__role"]
    search_fields = ["username", "last_name", "first_name", "email"]
    fieldsets = (
        *UserAdmin.fieldsets,
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
