"""Ratings in /admin/: read-only. Nobody may edit, hide or delete a rating (nor its
rectification history) — not even a superuser; changes go through the services."""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin

from .models import (
    ContactView,
    QuestionSet,
    Rating,
    RatingDevice,
    Rectification,
    RectificationEvent,
)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["service_kind", "service_ref", "department", "level", "channel", "rated_at"]
    list_filter = ["level", "channel", "service_kind", "flagged"]
    search_fields = ["service_ref"]
    exclude = ["person", "address_hash"]  # the rater's identity is not shown here


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ["id", "department", "status", "outcome", "verify_due", "due"]
    list_filter = ["status", "outcome"]


@admin.register(RectificationEvent)
class RectificationEventAdmin(ReadOnlyAdmin):
    list_display = ["stream", "seq", "action", "occurred_at"]


@admin.register(ContactView)
class ContactViewAdmin(ReadOnlyAdmin):
    list_display = ["rectification", "viewer", "at"]


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ["scope", "version", "is_active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RatingDevice)
class RatingDeviceAdmin(ReadOnlyAdmin):
    list_display = ["code", "department", "window", "mode", "is_active"]
    exclude = ["token_hash"]
