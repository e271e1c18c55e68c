"""Themes, life events and the material review terms: reference data edited directly."""

from __future__ import annotations

from django.contrib import admin

from ..models import LifeEvent, MaterialReviewTerm, Theme
from .base import CatalogAdmin


@admin.register(Theme, LifeEvent)
class TagAdmin(CatalogAdmin):
    list_display = ["code", "name", "audience", "order"]
    list_filter = ["audience"]
    search_fields = ["code", "name"]
    ordering = ["audience", "order", "code"]


@admin.register(MaterialReviewTerm)
class MaterialReviewTermAdmin(CatalogAdmin):
    list_display = ["term", "reason"]
    search_fields = ["term", "reason"]
