"""政策通 / 免申即享: find the persons and enterprises a policy's eligibility rules pass for.

Candidates of a policy are those its audience allows: the persons (or enterprises) known to the
platform, plus the rows of the reference tables its rules read (population extracts, subsidy
lists). Someone only a reference table knows is evaluated with what the ID number tells (birth
date, age, gender) and the row; when eligible and the row carries a name (``name`` or ``姓名``
column), the person is registered so the match can be recorded and told.

Matching is idempotent: a person or enterprise matched once stays one ``PolicyMatch`` and is not
told twice. An automatic (免申即享) policy's benefit case is created through the provider the
cases app registers; when that fails the match stays without a case and the next run retries it.
Only an outcome of ``pass`` matches: a source that is unavailable never makes anyone eligible.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError
from tongban.core.models import Enterprise, Person
from tongban.core.notifications import notify as send_notice
from tongban.core.services.people import enterprise_register, person_register

from .. import connectors as sources
from .. import providers
from ..context import Subject
from ..models import (
    Connector,
    ConnectorCall,
    ConnectorKind,
    Evaluation,
    MatchStatus,
    Outcome,
    Policy,
    PolicyAudience,
    PolicyMatch,
    ReferenceRow,
)
from .evaluation import Prepared, prepare, run

logger = logging.getLogger("tongban.rules")


@dataclass
class MatchSummary:
    policies: int = 0
    candidates: int = 0
    already_matched: int = 0
    eligible: int = 0
    new_matches: int = 0
    notified: int = 0
    granted: int = 0
    needs_review: int = 0
    unregistered: int = 0
    errors: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def _table_ids(prepared: Prepared) -> list[int]:
    codes = prepared.connectors
    if not codes:
        return []
    ids = []
    for config in Connector.objects.filter(
        code__in=codes, kind=ConnectorKind.TABLE, is_active=True
    ).values_list("config", flat=True):
        table = (config or {}).get("table")
        if isinstance(table, int):
            ids.append(table)
    return ids


def _candidates(policy: Policy, prepared: Prepared) -> Iterator[tuple[Subject, dict | None]]:
    """(subject, reference row data or None) for everyone the policy's audience allows."""
    seen: set[str] = set()
    if policy.audience == PolicyAudience.PERSON:
        for person in Person.objects.select_related("household_region").iterator(chunk_size=500):
            seen.add(person.id_number)
            yield Subject.of_person(person), None
    else:
        for enterprise in Enterprise.objects.select_related(
            "region", "legal_representative"
        ).iterator(chunk_size=500):
            seen.add(enterprise.credit_code)
            yield Subject.of_enterprise(enterprise), None
    for key, data in (
        ReferenceRow.objects.filter(table_id__in=_table_ids(prepared))
        .order_by("table_id", "id")
        .values_list("key", "data")
        .iterator(chunk_size=500)
    ):
        if key in seen:
            continue
        seen.add(key)
        yield Subject(kind=policy.audience, id_no=key), data


def _register(policy: Policy, subject: Subject, row: dict | None) -> Subject | None:
    """Register someone only a reference table knows (needs a name); None when not possible."""
    row = row or {}
    name = str(row.get("name") or row.get("姓名") or "").strip()
    if not name:
        return None
    try:
        with transaction.atomic():
            if policy.audience == PolicyAudience.PERSON:
                return Subject.of_person(person_register(name=name, id_number=subject.id_no))
            return Subject.of_enterprise(enterprise_register(name=name, credit_code=subject.id_no))
    except DomainError:
        return None


def _link() -> str:
    try:
        return reverse("cases:policies")  # the portal page lives in cases (a URL name only)
    except NoReverseMatch:
        return ""


def _recipient(subject: Subject) -> Person | None:
    if subject.person is not None:
        return subject.person
    if subject.enterprise is not None:
        return subject.enterprise.legal_representative
    return None


def _grant(policy: Policy, match: PolicyMatch, subject: Subject, evaluation) -> bool:
    creator = providers.benefit_creator()
    if creator is None or not policy.benefit_item_code:
        return False
    try:
        with transaction.atomic():
            case_no = creator(policy, subject, evaluation)
    except Exception:
        logger.exception("benefit case for policy %s failed", policy.code)
        return False
    if not case_no:
        return False
    match.case_no = str(case_no)[:32]
    match.status = MatchStatus.GRANTED
    match.save(update_fields=["case_no", "status"])
    return True


def _notify(policy: Policy, match: PolicyMatch, subject: Subject, *, granted: bool) -> bool:
    person = _recipient(subject)
    if person is None:
        return False
    if granted:
        title = _("政策已为您自动兑现：%(name)s") % {"name": policy.name}
        body = _("您符合“%(name)s”的条件，已为您自动办理，无需申请。办件编号：%(case_no)s。") % {
            "name": policy.name,
            "case_no": match.case_no,
        }
    else:
        title = _("您可能符合政策：%(name)s") % {"name": policy.name}
        body = _("根据已共享的数据，您可能符合“%(name)s”的条件。%(summary)s") % {
            "name": policy.name,
            "summary": policy.summary[:200],
        }
    send_notice(person=person, title=title, body=body, link=_link())
    match.notified_at = timezone.now()
    if match.status == MatchStatus.ELIGIBLE:
        match.status = MatchStatus.NOTIFIED
    match.save(update_fields=["notified_at", "status"])
    return True


def _policy_match(policy: Policy, *, today: dt.date, notify: bool, summary: MatchSummary) -> None:
    prepared = prepare(policy.rule_set)
    log = sources.CallLog(purpose=f"policy:{policy.code}"[:128], actor_label="policies-match")
    matched = PolicyMatch.objects.filter(policy=policy)
    done_people = set(matched.exclude(person=None).values_list("person__id_number", flat=True))
    done_firms = set(
        matched.exclude(enterprise=None).values_list("enterprise__credit_code", flat=True)
    )
    done = done_people | done_firms
    if policy.automatic:  # a granted benefit that failed last time is retried
        for match in (
            matched.filter(case_no="")
            .exclude(evaluation=None)
            .select_related("person", "enterprise", "evaluation")
        ):
            subject = (
                Subject.of_person(match.person)
                if match.person
                else Subject.of_enterprise(match.enterprise)
            )
            with transaction.atomic():
                if _grant(policy, match, subject, match.evaluation):
                    summary.granted += 1
    for subject, row in _candidates(policy, prepared):
        summary.candidates += 1
        if subject.id_no in done:
            summary.already_matched += 1
            continue
        pending: list[ConnectorCall] = []
        try:
            with transaction.atomic():
                result = run(
                    prepared,
                    subject=subject,
                    form={},
                    answers={},
                    today=today,
                    log=log,
                    pending=pending,
                )
                ConnectorCall.objects.bulk_create(pending)
                pending = []
                if result.outcome != Outcome.PASS:
                    if result.outcome == Outcome.REVIEW:
                        summary.needs_review += 1
                    continue
                summary.eligible += 1
                if subject.person is None and subject.enterprise is None:
                    registered = _register(policy, subject, row)
                    if registered is None:
                        summary.unregistered += 1
                        continue
                    subject = registered
                evaluation = Evaluation.objects.create(
                    rule_set=policy.rule_set,
                    purpose="policy",
                    outcome=result.outcome,
                    trace=result.trace,
                    sources=result.sources,
                    automatic_decision=policy.automatic,
                )
                try:
                    with transaction.atomic():
                        match = PolicyMatch.objects.create(
                            policy=policy,
                            person=subject.person,
                            enterprise=subject.enterprise,
                            evaluation=evaluation,
                        )
                except IntegrityError:  # matched meanwhile by a concurrent run
                    summary.already_matched += 1
                    evaluation.delete()
                    continue
                summary.new_matches += 1
                done.add(subject.id_no)
                granted = policy.automatic and _grant(policy, match, subject, evaluation)
                summary.granted += int(granted)
                if notify and _notify(policy, match, subject, granted=granted):
                    summary.notified += 1
        except Exception:
            if pending:
                ConnectorCall.objects.bulk_create(pending)
            logger.exception("policy %s: candidate failed", policy.code)
            summary.errors += 1


def policies_match(
    *, policy: Policy | None = None, today: dt.date, notify: bool = True
) -> MatchSummary:
    """Match one policy (or every active policy valid on ``today``)."""
    summary = MatchSummary()
    if policy is not None:
        policies = [policy]
    else:
        policies = list(
            Policy.objects.filter(is_active=True)
            .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .select_related("rule_set")
        )
    for item in policies:
        summary.policies += 1
        _policy_match(item, today=today, notify=notify, summary=summary)
    return summary
