"""Grids in the configuration site, read-only: grids and assignments are made through the grid
services (``grid_create``, ``grid_worker_assign``: the demo, or a deployment's set-up script),
events and visit tasks by the grid workers' pages."""

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin

from .models import Grid, GridAssignment, GridEvent, VisitTask


@admin.register(Grid)
class GridAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "street", "is_active")
    search_fields = ("code", "name")


@admin.register(GridAssignment)
class GridAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("grid", "worker", "assigned_at")


@admin.register(GridEvent)
class GridEventAdmin(ReadOnlyAdmin):
    list_display = ("ticket", "grid", "reporter", "resolution", "reported_at")
    list_filter = ("resolution", "grid")


@admin.register(VisitTask)
class VisitTaskAdmin(ReadOnlyAdmin):
    list_display = ("case", "grid", "community", "status", "attempts", "visited_at")
    list_filter = ("status", "grid")
