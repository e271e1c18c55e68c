"""Hotline configuration at /admin/: the subject taxonomy, the dispatch catalogue (its entries
and rules inline), handling limits; tickets read-only (every change to a ticket goes through the
services, from the console or the API)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError

from . import clocks, dispatch
from .models import (
    DispatchCatalogue,
    DispatchEntry,
    DispatchRule,
    HandlingLimit,
    Subject,
    Ticket,
    TicketAssignment,
    TicketEvent,
)
from .services import catalogue_publish


def _refresh_caches() -> None:
    transaction.on_commit(dispatch.invalidate)
    transaction.on_commit(clocks.invalidate)


class CacheRefreshingAdmin(admin.ModelAdmin):
    """Catalogue and limits are cached per process: drop the cache after every change here."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _refresh_caches()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        _refresh_caches()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _refresh_caches()


@admin.register(Subject)
class SubjectAdmin(CacheRefreshingAdmin):
    list_display = ["code", "name", "level", "parent", "active"]
    list_filter = ["level", "active"]
    search_fields = ["code", "name", "keywords"]
    autocomplete_fields = ["parent"]
    ordering = ["code"]


class DispatchEntryInline(admin.TabularInline):
    model = DispatchEntry
    extra = 0
    autocomplete_fields = ["subject", "department"]


class DispatchRuleInline(admin.TabularInline):
    model = DispatchRule
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["subject", "region", "department"]
    fields = [
        "position",
        "name",
        "subject",
        "keywords",
        "region",
        "ticket_type",
        "department",
        "to_locality",
        "active",
    ]


@admin.register(DispatchCatalogue)
class DispatchCatalogueAdmin(CacheRefreshingAdmin):
    list_display = ["version", "status", "basis", "published_at", "published_by"]
    list_filter = ["status"]
    readonly_fields = ["status", "published_at", "published_by", "created_at"]
    inlines = [DispatchEntryInline, DispatchRuleInline]
    actions = ["publish"]

    @admin.action(description=_("发布所选版本（原现行版本废止）"))
    def publish(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个版本发布。"), messages.ERROR)
            return
        try:
            catalogue = catalogue_publish(actor=request.user, version=queryset.get().version)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("派单目录 v%(v)s 已发布。") % {"v": catalogue.version})


@admin.register(HandlingLimit)
class HandlingLimitAdmin(CacheRefreshingAdmin):
    list_display = [
        "name",
        "ticket_type",
        "subject",
        "urgency",
        "hazard",
        "sign_value",
        "sign_unit",
        "handle_value",
        "handle_unit",
        "return_days",
        "max_extension_days",
        "active",
    ]
    list_filter = ["ticket_type", "urgency", "hazard", "active"]
    autocomplete_fields = ["subject"]


class AssignmentInline(admin.TabularInline):
    model = TicketAssignment
    extra = 0
    can_delete = False
    fields = ["department", "role", "status", "round", "dispatched_at", "sign_due", "handle_due"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["seq", "occurred_at", "action", "actor_label", "from_state", "to_state", "reason"]
    readonly_fields = fields
    ordering = ["seq"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-only: a ticket changes only through the services (console, API)."""

    list_display = [
        "ticket_no",
        "status",
        "ticket_type",
        "subject",
        "department",
        "street",
        "created_at",
        "handle_due",
    ]
    list_filter = ["status", "ticket_type", "source", "urgency", "escalated"]
    search_fields = ["ticket_no", "title"]
    list_select_related = ["subject", "department", "street"]
    show_full_result_count = False
    inlines = [AssignmentInline, EventInline]
    exclude = ["caller_phone", "caller_name"]  # personal data stays in the console

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
