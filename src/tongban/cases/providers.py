"""What cases hands the rules app at start-up (``CasesConfig.ready``): rules sits below cases
and may not import it, so these functions reach it through ``tongban.rules.providers``.

- past cases of an item, for replay (回放): the decided cases with their form, answers, applicant
  and the human decision (cases decided automatically are left out: replay compares the rules
  with people's decisions);
- platform source ``cases``: the subject's own cases — ``approved_items`` (implementation codes
  of items with an approval), ``open_items`` (items with a case accepted and under way, or asked
  to correct; not a case only just submitted), ``approved_count``;
- platform source ``licences``: the subject's valid e-licences — ``valid_types`` (licence type
  codes held valid today) and ``has_<TYPE>`` for a type asked for by name (``has_YXLRYDZ``),
  through ``tongban.licences.selectors``;
- the benefit creator of 免申即享 policies (``services.instant.benefit_case_create``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from tongban.core import workdays
from tongban.licences import selectors as licence_selectors
from tongban.rules import providers as registry
from tongban.rules.context import Subject
from tongban.rules.providers import PastCase

from .models import Case, CaseEvent
from .services.instant import benefit_case_create
from .states import CaseAction as A
from .states import CaseStatus as S

APPROVED = (S.APPROVED, S.ISSUED, S.DELIVERED, S.ARCHIVED)
# Under way: accepted, or asked to correct. A case just submitted is not counted, so a
# submission's rules never see the submission itself.
OPEN = (S.CORRECTION_REQUESTED, S.IN_REVIEW, S.SUSPENDED)


def _subject_of(case: Case) -> Subject:
    if case.enterprise_id is not None:
        return Subject(
            kind="enterprise",
            id_no=case.enterprise.credit_code,
            person=case.applicant,
            enterprise=case.enterprise,
        )
    return Subject(kind="person", id_no=case.applicant.id_number, person=case.applicant)


def past_cases(item_code: str, since: dt.date, until: dt.date | None) -> Iterator[PastCase]:
    """The item's cases decided by a person between ``since`` and ``until`` (business dates)."""
    start = workdays.end_of_day(since - dt.timedelta(days=1))
    cases = (
        Case.objects.filter(
            item_version__item__implementation_code=item_code,
            decided_at__gt=start,
            status__in=(*APPROVED, S.DENIED),
        )
        .annotate(
            denied=Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action=A.DENY)),
            automatic=Exists(
                CaseEvent.objects.filter(case=OuterRef("pk"), action=A.APPROVE, actor__isnull=True)
            ),
        )
        .filter(automatic=False)
        .select_related("applicant__household_region", "enterprise__region")
        .order_by("decided_at", "pk")
    )
    if until is not None:
        cases = cases.filter(decided_at__lte=workdays.end_of_day(until))
    for case in cases.iterator(chunk_size=500):
        yield PastCase(
            case_no=case.case_no,
            subject=_subject_of(case),
            form=dict(case.form_data or {}),
            answers=dict(case.answers or {}),
            decided_on=workdays.business_date(case.decided_at),
            approved=not case.denied,
        )


def _owner_filter(subject: Subject) -> Q:
    if subject.kind == "enterprise":
        if subject.enterprise is not None:
            return Q(enterprise=subject.enterprise)
        return Q(enterprise__credit_code=subject.id_no)
    if subject.person is not None:
        return Q(applicant=subject.person, enterprise__isnull=True)
    return Q(applicant__id_number=subject.id_no, enterprise__isnull=True)


def cases_source(subject: Subject, fields: list[str]) -> dict[str, Any]:
    """The subject's own cases (one query)."""
    rows = list(
        Case.objects.filter(_owner_filter(subject), status__in=(*APPROVED, *OPEN))
        .order_by()
        .values_list("item_version__item__implementation_code", "status")
    )
    approved = sorted({code for code, status in rows if status in APPROVED})
    values = {
        "approved_items": approved,
        "open_items": sorted({code for code, status in rows if status in OPEN}),
        "approved_count": sum(1 for _c, status in rows if status in APPROVED),
    }
    return {f: values[f] for f in fields if f in values}


def licences_source(
    subject: Subject, fields: list[str], as_of: dt.date | None = None
) -> dict[str, Any]:
    """The subject's licences valid today, by type code; with ``as_of`` (a replay), those issued
    before that day and valid on it (not the licence the replayed case itself issued)."""
    owner = (
        {"enterprise": subject.enterprise}
        if subject.kind == "enterprise"
        else {"person": subject.person}
    )
    today = as_of or workdays.business_date(timezone.now())
    values: dict[str, Any] = {}
    if "valid_types" in fields or (as_of is not None and any(f.startswith("has_") for f in fields)):
        held = licence_selectors.licences_of(**owner).select_related("licence_type")
        if as_of is not None:
            held = held.filter(issued_on__lt=as_of)
        valid = {
            lic.licence_type.code
            for lic in held
            if licence_selectors.licence_state(lic, today=today) == "valid"
        }
        if "valid_types" in fields:
            values["valid_types"] = sorted(valid)
        if as_of is not None:
            values.update({f: f[4:] in valid for f in fields if f.startswith("has_")})
            return values
    for f in fields:
        if f.startswith("has_"):
            values[f] = (
                licence_selectors.valid_licence_of(type_code=f[4:], today=today, **owner)
                is not None
            )
    return values


def benefit_creator(policy, subject: Subject, evaluation) -> str:
    return benefit_case_create(policy=policy, subject=subject, evaluation=evaluation)


def register() -> None:
    registry.register_past_cases(past_cases)
    registry.register_platform_source("cases", cases_source)
    registry.register_platform_source("licences", licences_source)
    registry.register_benefit_creator(benefit_creator)
