"""Rules configuration at /admin/: policies (their eligibility rule set is written and compiled
on the console's rule-set editor, with no item code); connectors, reference tables, rule sets,
evaluations, replay reports, the connector call log and policy matches read-only (every change to
them goes through the services: the console checks, compiles and logs)."""

from __future__ import annotations

from django.contrib import admin

from tongban.core.admin import ReadOnlyAdmin

from .models import (
    Connector,
    ConnectorCall,
    Evaluation,
    Policy,
    PolicyMatch,
    ReferenceTable,
    ReplayReport,
    RuleSet,
)


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "audience", "automatic", "benefit_item_code", "is_active"]
    list_filter = ["audience", "automatic", "is_active"]
    search_fields = ["code", "name"]
    fields = [
        "code",
        "name",
        "audience",
        "summary",
        "department",
        "rule_set",
        "automatic",
        "benefit_item_code",
        "valid_from",
        "valid_until",
        "is_active",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "rule_set":
            # A policy's eligibility rules are a rule set of no item.
            kwargs["queryset"] = RuleSet.objects.filter(item_code="")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(PolicyMatch)
class PolicyMatchAdmin(ReadOnlyAdmin):
    list_display = ["policy", "person", "enterprise", "status", "case_no", "matched_at"]
    list_filter = ["policy", "status"]
    raw_id_fields = ["person", "enterprise", "evaluation"]


@admin.register(Connector)
class ConnectorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "department", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(ReferenceTable)
class ReferenceTableAdmin(ReadOnlyAdmin):
    list_display = ["name", "key_column", "row_count", "source_name", "uploaded_at"]
    exclude = ["columns"]


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ["name", "item_code", "mode", "status", "activated_at"]
    list_filter = ["status", "mode"]
    search_fields = ["name", "item_code"]


@admin.register(ReplayReport)
class ReplayReportAdmin(ReadOnlyAdmin):
    list_display = ["rule_set", "since", "until", "case_count", "agreement", "created_at"]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["case_no", "rule_set", "purpose", "outcome", "at"]
    list_filter = ["outcome", "purpose"]
    search_fields = ["case_no"]


@admin.register(ConnectorCall)
class ConnectorCallAdmin(ReadOnlyAdmin):
    list_display = ["at", "connector", "purpose", "case_no", "subject_ref", "ok", "duration_ms"]
    list_filter = ["connector", "ok", "purpose"]
    search_fields = ["case_no"]
