"""The hall in /admin/: halls, window groups, windows and opening hours are configuration an
administrator edits (the clerk signed in at a window is set only by signing in); bookings,
numbers and their events are written only through the services and shown read-only."""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin

from .models import (
    Booking,
    ClerkPhoto,
    Hall,
    HallEvent,
    OpeningHours,
    QueueNumber,
    Window,
    WindowGroup,
)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "department", "slot_minutes", "booking_days_ahead", "is_active"]
    inlines = [OpeningHoursInline]


@admin.register(WindowGroup)
class WindowGroupAdmin(admin.ModelAdmin):
    list_display = ["hall", "code", "name", "slot_capacity", "service_minutes", "bookable"]
    list_filter = ["hall"]
    filter_horizontal = ["items"]


@admin.register(Window)
class WindowAdmin(admin.ModelAdmin):
    list_display = ["hall", "number", "name", "kind", "clerk", "is_active"]
    list_filter = ["hall", "kind"]
    filter_horizontal = ["groups"]
    readonly_fields = ["clerk", "signed_in_at"]


@admin.register(ClerkPhoto)
class ClerkPhotoAdmin(admin.ModelAdmin):
    list_display = ["user"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ["code", "hall", "group", "date", "slot_start", "status"]
    list_filter = ["hall", "status"]
    search_fields = ["code"]
    exclude = ["person"]


@admin.register(QueueNumber)
class QueueNumberAdmin(ReadOnlyAdmin):
    list_display = ["number", "hall", "business_date", "status", "channel", "window", "taken_at"]
    list_filter = ["hall", "status", "channel"]


@admin.register(HallEvent)
class HallEventAdmin(ReadOnlyAdmin):
    list_display = ["stream", "seq", "action", "from_state", "to_state", "occurred_at"]
    search_fields = ["stream"]
