"""Reads of bundle applications (一件事): the lanes of each department, the bundle's clock (the
longest child clock) and its combined result."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound

from . import access
from .models import BundleCase, BundleEvent, BundleMember, BundlePolicy, Case, CaseEvent
from .states import BundleAction, CaseAction
from .states import CaseStatus as S

CONCLUDED = frozenset({S.ISSUED, S.DENIED, S.NOT_ACCEPTED, S.WITHDRAWN, S.REVOKED, S.DELIVERED})
APPLICANT_EVENTS = frozenset(
    {
        "submit",
        "accept",
        "request_correction",
        "resubmit",
        "approve",
        "deny",
        "suspend",
        "resume",
        "extend",
        "issue",
        "deliver",
        "withdraw",
        "supplemented",
        "revoke",
        "refuse",
    }
)


@dataclass
class Lane:
    """One department's part of a bundle: its child cases and their events, in order."""

    department: object
    cases: list[Case] = field(default_factory=list)
    events: list[CaseEvent] = field(default_factory=list)


@dataclass
class Progress:
    bc: BundleCase
    cases: list[Case]
    lanes: list[Lane]
    events: list[BundleEvent]
    due: object  # the latest promised due date of its children: the bundle's own clock
    concluded: bool
    denied: list[Case]
    granted: list[Case]


def _members(bc: BundleCase) -> list[Case]:
    return [
        m.case
        for m in BundleMember.objects.filter(bundle_case=bc)
        .select_related("case__department", "case__item_version")
        .order_by("order", "id")
    ]


def progress(bc: BundleCase, *, for_applicant: bool = False) -> Progress:
    cases = _members(bc)
    events = list(CaseEvent.objects.filter(case__in=cases).order_by("occurred_at", "id"))
    by_case: dict[int, list[CaseEvent]] = {}
    for e in events:
        e.label = CaseAction(e.action).label if e.action in CaseAction.values else e.action
        if not for_applicant or e.action in APPLICANT_EVENTS:
            by_case.setdefault(e.case_id, []).append(e)
    lanes: dict[int, Lane] = {}
    for c in cases:
        lane = lanes.setdefault(c.department_id, Lane(department=c.department))
        lane.cases.append(c)
        c.lane_events = by_case.get(c.pk, [])
        lane.events.extend(c.lane_events)
    for lane in lanes.values():
        lane.events.sort(key=lambda e: (e.occurred_at, e.pk))
    bundle_events = list(BundleEvent.objects.filter(bundle_case=bc).order_by("seq"))
    for e in bundle_events:
        e.label = BundleAction(e.action).label if e.action in BundleAction.values else e.action
    dues = [c.promised_due for c in cases if c.promised_due]
    return Progress(
        bc=bc,
        cases=cases,
        lanes=list(lanes.values()),
        events=bundle_events,
        due=max(dues) if dues else None,
        concluded=bool(cases) and all(c.status in CONCLUDED for c in cases),
        denied=[c for c in cases if c.status == S.DENIED],
        granted=[c for c in cases if c.status in (S.APPROVED, S.ISSUED, S.DELIVERED)],
    )


def get_own_bundle(*, user, bundle_no: str) -> BundleCase:
    """The applicant's (or their agent's) bundle application; not found otherwise."""
    bc = (
        BundleCase.objects.select_related("bundle", "applicant").filter(bundle_no=bundle_no).first()
    )
    if bc is None or bc.applicant.user_id != getattr(user, "pk", None):
        raise NotFound(_("没有找到该一件事。"))
    return bc


def get_bundle_for_staff(*, user, bundle_no: str) -> BundleCase:
    """A bundle application for a window clerk or supervisor, or a department staff member of
    one of its children; not found for missing and forbidden alike."""
    bc = (
        BundleCase.objects.select_related("bundle", "applicant").filter(bundle_no=bundle_no).first()
    )
    if bc is None or not any(access.can_view(user, c) for c in _members(bc)):
        raise NotFound(_("没有找到该一件事。"))
    return bc


def bundles_of_applicant(user) -> QuerySet[BundleCase]:
    return BundleCase.objects.filter(applicant__user=user).select_related("bundle")


def bundles_for_staff(*, status: str | None) -> QuerySet[BundleCase]:
    """Bundle applications in ``status`` (all of them when it is empty), oldest first."""
    qs = BundleCase.objects.select_related("bundle", "applicant").order_by("created_at", "id")
    return qs.filter(status=status) if status else qs


def partial_allowed(bc: BundleCase) -> bool:
    """May the applicant continue with the approved items when one is denied (default yes)."""
    policy = BundlePolicy.objects.filter(bundle_id=bc.bundle_id).first()
    return True if policy is None else policy.partial_allowed


def applied_before(*, user, idempotency_key: str) -> bool:
    """The user already filed a bundle application with this idempotency key (a retry)."""
    return BundleCase.objects.filter(created_by=user, idempotency_key=idempotency_key).exists()
