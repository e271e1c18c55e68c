"""Supervision in /admin/: the performance score weights are configured here (a new row is a new
version; the newest active one is used); cards, urges, orders and reports are read-only — a card
is never edited or deleted, not even by a superuser (resolution goes through the console)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from tongban.core.admin import ReadOnlyAdmin

from .models import Card, MonthlyReport, ScoreWeights, SupervisionOrder, Urge
from .performance import COMPONENTS


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["subject_kind", "subject_ref", "department", "colour", "kind", "raised_at"]
    list_filter = ["colour", "kind", "subject_kind"]
    search_fields = ["subject_ref"]


@admin.register(Urge)
class UrgeAdmin(ReadOnlyAdmin):
    list_display = ["subject_kind", "subject_ref", "department", "at"]


@admin.register(SupervisionOrder)
class SupervisionOrderAdmin(ReadOnlyAdmin):
    list_display = ["subject_kind", "subject_ref", "department", "status", "due"]
    list_filter = ["status"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin):
    list_display = ["month", "generated_at"]


class ScoreWeightsForm(forms.ModelForm):
    class Meta:
        model = ScoreWeights
        fields = ["name", "weights", "is_active"]

    def clean_weights(self):
        weights = self.cleaned_data["weights"]
        if not isinstance(weights, dict) or set(weights) - set(COMPONENTS):
            raise forms.ValidationError(
                _("权重须是 JSON 对象，键只能是 %(keys)s。"),
                params={"keys": ", ".join(COMPONENTS)},
            )
        for value in weights.values():
            if not isinstance(value, int | float) or value < 0:
                raise forms.ValidationError(_("每个权重须是不小于 0 的数。"))
        if not sum(weights.values()):
            raise forms.ValidationError(_("权重之和须大于 0。"))
        return weights


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(admin.ModelAdmin):
    form = ScoreWeightsForm
    list_display = ["name", "weights", "is_active", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False
