"""可能符合条件的政策 (政策通): the policies the platform found the applicant — or an enterprise
they act for — may be eligible for, each with the rules that held and the data they read, and
a link to apply or, for a 免申即享 policy, the benefit case created with no application."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.rules import selectors as rules_selectors
from tongban.rules.models import MatchStatus

from ..explanation import Explanation, connectors_read, explain
from .portal import applicant_required


@dataclass
class MatchView:
    match: object
    policy: object
    holder: str
    explanation: Explanation | None
    case_no: str
    apply_code: str


def _views(matches, holder: str, connectors) -> list[MatchView]:
    out = []
    for m in matches:
        if m.status == MatchStatus.DECLINED or not m.policy.is_active:
            continue
        out.append(
            MatchView(
                match=m,
                policy=m.policy,
                holder=holder,
                explanation=explain(None, m.evaluation, connectors=connectors)
                if m.evaluation_id
                else None,
                case_no=m.case_no,
                apply_code=""
                if m.policy.automatic or not m.policy.benefit_item_code
                else m.policy.benefit_item_code,
            )
        )
    return out


@rule("applicant")
@require_GET
@applicant_required
def policies(request: HttpRequest) -> HttpResponse:
    person = request.person
    connectors = connectors_read()
    rows = _views(rules_selectors.matches_for_person(person), person.name, connectors)
    for enterprise in core_selectors.enterprises_for(request.user):
        rows += _views(
            rules_selectors.matches_for_enterprise(enterprise), enterprise.name, connectors
        )
    return render(
        request,
        "cases/portal_policies.html",
        {
            "automatic": [r for r in rows if r.policy.automatic],
            "others": [r for r in rows if not r.policy.automatic],
        },
    )
