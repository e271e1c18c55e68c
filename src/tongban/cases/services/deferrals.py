"""容缺受理 (acceptance with deferred materials): the deadline recorded at acceptance, the guard
that keeps the decision (or the delivery) waiting, and the supplement that completes it.

Distinct from the statutory correction request (补正, 行政许可法第三十二条): a correction stops
the case before acceptance and its clock; a deferral accepts the case at once, its clock runs,
and only the approval (or the delivery, as the item configures) waits for the materials.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import DomainError
from tongban.core.events import event_append

from ..errors import CaseErrorCode
from ..models import AcceptancePolicy, Case, CaseEvent, CaseMaterial, Deferral, MaterialStatus
from ..models.commitments import DeferralBlocks
from ..states import OPEN
from ..states import CaseAction as A
from ..states import CaseStatus as S

# A deferred material counts as handed in when one of these rows follows it.
HANDED_IN = frozenset({MaterialStatus.PROVIDED, MaterialStatus.PAPER, MaterialStatus.LICENCE})
# A deferral exists only from the acceptance on.
AFTER_ACCEPTANCE = frozenset({S.IN_REVIEW, S.SUSPENDED, S.APPROVED, S.ISSUED})
# Cases whose supplement can still be owed (a closed case owes nothing any more).
OWING = OPEN | {S.APPROVED, S.ISSUED}


def policy_for(item_id: int) -> AcceptancePolicy:
    """The item's acceptance policy, or the defaults (not saved) when it has none."""
    policy = AcceptancePolicy.objects.filter(item_id=item_id).first()
    return policy if policy is not None else AcceptancePolicy(item_id=item_id)


def _today() -> dt.date:
    return workdays.business_date(timezone.now())


def owed_materials(case: Case, rows: list[CaseMaterial] | None = None) -> list:
    """The deferred materials of ``case`` not handed in since (catalogue ``Material`` rows)."""
    rows = rows if rows is not None else list(case.materials.select_related("material"))
    deferred = {r.material_id: r.material for r in rows if r.status == MaterialStatus.DEFERRED}
    given = {r.material_id for r in rows if r.status in HANDED_IN}
    return [m for pk, m in sorted(deferred.items()) if pk not in given]


def deferral_record(*, case: Case) -> Deferral | None:
    """At acceptance (called inside ``case_accept``'s transaction): the deadline to hand in the
    deferred materials, in working days from the acceptance date as the item configures."""
    owed = owed_materials(case)
    if not owed:
        return None
    policy = policy_for(case.item_version.item_id)
    deferral = Deferral.objects.create(
        case=case,
        due=workdays.add_workdays(case.accepted_on, policy.supplement_days),
        blocks=policy.deferral_blocks,
    )
    deferral.materials.set(owed)
    return deferral


def _open_deferral(case: Case) -> Deferral | None:
    return Deferral.objects.filter(case_id=case.pk, supplied_at__isnull=True).order_by().first()


def check_not_owed(case: Case, *, stage: str) -> None:
    """Refuse the approval (``stage`` "decision") or the delivery ("delivery") while deferred
    materials the item makes it wait for are still owed."""
    deferral = _open_deferral(case)
    if deferral is None or deferral.blocks != stage:
        return
    owed = owed_materials(case)
    if not owed:
        return
    raise DomainError(
        CaseErrorCode.SUPPLEMENT_OWED,
        _("容缺材料尚未补齐：%(m)s（补齐期限 %(due)s）。补齐前不能%(what)s。"),
        m="、".join(m.name for m in owed),
        due=deferral.due.isoformat(),
        what=_("作出准予许可决定") if stage == DeferralBlocks.DECISION else _("送达办理结果"),
    )


def after_material_added(*, actor, case: Case) -> Deferral | None:
    """Called inside ``case_material_add``'s transaction (the case locked): when the last owed
    material is in, the deferral is complete — on time or late — and one event says so.

    Before acceptance there is no deferral yet: nothing is read (a draft's uploads cost no
    extra query)."""
    if case.status not in AFTER_ACCEPTANCE:
        return None
    deferral = _open_deferral(case)
    if deferral is None or owed_materials(case):
        return None
    now = timezone.now()
    deferral.supplied_at = now
    deferral.late = workdays.business_date(now) > deferral.due
    deferral.save(update_fields=["supplied_at", "late"])
    event_append(
        model=CaseEvent,
        stream=case.stream,
        action=A.SUPPLEMENTED,
        actor=actor,
        from_state=case.status,
        to_state=case.status,
        payload={"due": deferral.due.isoformat(), "late": deferral.late},
        case=case,
    )
    return deferral


def acceptance_policy_save(*, policy: AcceptancePolicy) -> AcceptancePolicy:
    """Save an item's acceptance policy; a changed commitment text gets the next version, so a
    signed commitment always names the exact text its applicant read."""
    if policy.pk is not None:
        before = AcceptancePolicy.objects.filter(pk=policy.pk).values_list(
            "commitment_text", "commitment_version"
        )
        old = before.first()
        if old is not None and old[0].strip() != policy.commitment_text.strip():
            policy.commitment_version = max(policy.commitment_version, old[1]) + 1
    policy.save()
    return policy
