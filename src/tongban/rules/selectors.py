"""Reads of the rules app."""

from __future__ import annotations

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models import ServiceItemVersion, SituationQuestion
from tongban.catalog.models.items import VersionStatus
from tongban.core.models import AuditEvent

from .connectors import field_types
from .context import APPLICANT_FIELDS, form_field_types
from .models import (
    Connector,
    ConnectorCall,
    Evaluation,
    Policy,
    PolicyMatch,
    ReferenceTable,
    ReplayReport,
    RuleSet,
    RuleSetStatus,
)


def active_rule_set(*, item_code: str, item_version_id: int | None = None) -> RuleSet | None:
    """The active rule set of an item: one for this very version wins over one for the code."""
    if not item_code:
        return None
    qs = RuleSet.objects.filter(item_code=item_code, status=RuleSetStatus.ACTIVE)
    if item_version_id is None:
        return qs.filter(item_version__isnull=True).first()
    # one statement (it runs at every submission): the version's own set first
    return (
        qs.filter(Q(item_version_id=item_version_id) | Q(item_version__isnull=True))
        .order_by(F("item_version_id").desc(nulls_last=True), "-id")
        .first()
    )


def evaluations_for_case(case_no: str) -> list[Evaluation]:
    if not case_no:
        return []
    return list(
        Evaluation.objects.filter(case_no=case_no).select_related("rule_set").order_by("at", "id")
    )


def item_version_for(item_code: str, item_version_id: int | None = None):
    """The item version whose form a rule set reads: the given one, else the published one,
    else the newest."""
    qs = ServiceItemVersion.objects.filter(item__implementation_code=item_code)
    if item_version_id is not None:
        return qs.filter(pk=item_version_id).first()
    return (
        qs.filter(status=VersionStatus.PUBLISHED).order_by("-id").first()
        or qs.order_by("-id").first()
    )


def connector_fields() -> dict[str, str]:
    out: dict[str, str] = {}
    for connector in Connector.objects.filter(is_active=True):
        for name, kind in field_types(connector).items():
            out[f"{connector.code}.{name}"] = kind
    return out


def declared_fields(*, item_code: str = "", item_version_id: int | None = None) -> dict[str, str]:
    """Every field a rule of this item (or of a policy, with no item) may read, with its type."""
    declared: dict[str, str] = {"today": "date", **APPLICANT_FIELDS}
    if item_code:
        version = item_version_for(item_code, item_version_id)
        declared.update(form_field_types(version))
        if version is not None:
            for code in SituationQuestion.objects.filter(version=version).values_list(
                "code", flat=True
            ):
                declared[f"answers.{code}"] = "string"
    for name, kind in connector_fields().items():
        declared.setdefault(name, kind)
    return declared


def rule_sets() -> QuerySet[RuleSet]:
    return RuleSet.objects.filter(policy__isnull=True).annotate(rule_count=Count("rules"))


def get_rule_set(pk: int) -> RuleSet | None:
    return RuleSet.objects.filter(pk=pk).first()


HISTORY_LABELS = {
    "rule_set_create": _("创建"),
    "rule_set_update": _("修改规则"),
    "rule_set_activate": _("依据回放报告启用"),
    "rule_set_retire": _("停用"),
}


def rule_set_history(rule_set: RuleSet) -> list[AuditEvent]:
    """The rule set's hash-chained history (saved, activated, retired), oldest first; each event
    has ``label`` for the page."""
    events = list(
        AuditEvent.objects.filter(stream=f"rule_set:{rule_set.pk}")
        .select_related("actor")
        .order_by("seq")
    )
    for event in events:
        event.label = HISTORY_LABELS.get(event.action, event.action)
    return events


def replay_reports(rule_set: RuleSet) -> QuerySet[ReplayReport]:
    return ReplayReport.objects.filter(rule_set=rule_set).select_related("created_by")


def connectors() -> QuerySet[Connector]:
    return Connector.objects.select_related("department").annotate(
        call_count=Count("calls"), failed_count=Count("calls", filter=Q(calls__ok=False))
    )


def connector_calls(*, connector_id: int | None = None, case_no: str = "") -> QuerySet:
    qs = ConnectorCall.objects.select_related("connector")
    if connector_id:
        qs = qs.filter(connector_id=connector_id)
    if case_no:
        qs = qs.filter(case_no=case_no)
    return qs


def reference_tables() -> QuerySet[ReferenceTable]:
    return ReferenceTable.objects.select_related("uploaded_by")


def policies() -> QuerySet[Policy]:
    return Policy.objects.select_related("department", "rule_set").annotate(
        match_count=Count("matches")
    )


def matches_for_person(person) -> QuerySet[PolicyMatch]:
    return PolicyMatch.objects.filter(person=person).select_related(
        "policy__department", "evaluation__rule_set"
    )


def matches_for_enterprise(enterprise) -> QuerySet[PolicyMatch]:
    return PolicyMatch.objects.filter(enterprise=enterprise).select_related(
        "policy__department", "evaluation__rule_set"
    )
