"""告知承诺制 (国办发〔2020〕42号): the commitment text the applicant signs, the post-check task
(事中事后核查) created for the department, and a failed check: the decision revoked, the
e-licence revoked, the applicant told and barred from commitments for the configured period.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import DomainError, NotFound
from tongban.core.models import Enterprise, Person
from tongban.core.permissions import Perm
from tongban.licences import wallet
from tongban.licences.models import LicenceStatus
from tongban.licences.services import licence_revoke

from .. import access
from ..errors import CaseErrorCode
from ..models import (
    Case,
    Commitment,
    CommitmentBar,
    MaterialStatus,
    PostCheck,
    PostCheckStatus,
)
from ..models.case import Channel
from ..models.commitments import CommitmentChannel
from ..states import CaseAction as A
from ..states import CaseStatus as S
from .common import require_reason, transition
from .deferrals import policy_for
from .notices import tell_applicant

# A post-check is judged once the decision it checks exists (事后), or refused until then.
CHECKABLE = frozenset({S.APPROVED, S.ISSUED, S.DELIVERED, S.ARCHIVED})


def _today() -> dt.date:
    return workdays.business_date(timezone.now())


def commitment_terms(version, materials=None) -> tuple[str, int]:
    """The commitment text the applicant reads and signs, and its version: the item's own text
    when the administrator wrote one, otherwise the standard text naming the materials it
    replaces (证明义务), what the commitment covers (证明内容) and the liability (法律责任)."""
    policy = policy_for(version.item_id)
    if policy.commitment_text.strip():
        return policy.commitment_text.strip(), policy.commitment_version
    names = "、".join(
        m.name
        for m in (
            materials
            if materials is not None
            else [m for m in version.materials.all() if m.commitment_replaceable]
        )
    )
    text = gettext(
        "一、证明义务：办理“%(item)s”须证明%(names)s所证明的事项。"
        "二、证明内容：本人（本单位）承诺已符合上述材料所证明的条件，所填信息和承诺内容真实、"
        "准确、完整，行政机关可不再索要上述材料，依据本承诺办理。"
        "三、法律责任：本人（本单位）知晓行政机关将在%(days)s个工作日内进行事中事后核查；"
        "承诺不实的，行政机关将撤销审批决定、注销相关证照，记入信用记录，"
        "并在%(bar)s日内不再适用告知承诺制，由此产生的法律责任由本人（本单位）承担。"
    ) % {
        "item": version.name,
        "names": names,
        "days": policy.post_check_days,
        "bar": policy.bar_days,
    }
    return text, policy.commitment_version


def commitment_bar_of(person: Person | None, enterprise: Enterprise | None):
    """The bar in force on this applicant (the enterprise, when applying for one), or None."""
    qs = CommitmentBar.objects.filter(until__gte=_today())
    qs = qs.filter(enterprise=enterprise) if enterprise is not None else qs.filter(person=person)
    return qs.order_by("-until").first()


def check_commitment_allowed(*, case: Case, material) -> None:
    """Refuse a commitment in place of ``material``: not allowed by the item, or the applicant
    barred after a false commitment (nothing is written)."""
    if not material.commitment_replaceable:
        raise DomainError(
            CaseErrorCode.NOT_COMMITTABLE,
            _("材料“%(m)s”不能以告知承诺替代。"),
            field="status",
            m=material.name,
        )
    bar = commitment_bar_of(case.applicant, case.enterprise)
    if bar is not None:
        raise DomainError(
            CaseErrorCode.COMMITMENT_BARRED,
            _("申请人有虚假承诺记录，%(until)s 前不能选择告知承诺，请提交材料原件。"),
            field="status",
            until=bar.until.isoformat(),
        )


def commitment_record(*, case: Case) -> Commitment | None:
    """At acceptance (inside ``case_accept``'s transaction): the signed commitment (its exact
    text and version, the time and channel of signing) and the department's post-check task.
    A barred applicant's acceptance is refused."""
    rows = [
        r
        for r in case.materials.select_related("material")
        if r.status == MaterialStatus.COMMITMENT
    ]
    if not rows:
        return None
    for row in rows:
        check_commitment_allowed(case=case, material=row.material)
    materials = [r.material for r in rows]
    text, text_version = commitment_terms(case.item_version, materials)
    first = min(rows, key=lambda r: (r.added_at, r.pk))
    commitment = Commitment.objects.create(
        case=case,
        text=text,
        text_version=text_version,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        channel=CommitmentChannel.WINDOW
        if case.channel == Channel.WINDOW
        else CommitmentChannel.WEB,
        signed_at=first.added_at,
        signed_by=first.added_by,
    )
    commitment.materials.set(materials)
    policy = policy_for(case.item_version.item_id)
    PostCheck.objects.create(
        commitment=commitment,
        case=case,
        department_id=case.department_id,
        due=workdays.add_workdays(case.accepted_on, policy.post_check_days),
    )
    return commitment


def _locked_check(pk: int) -> PostCheck:
    return PostCheck.objects.select_for_update().get(pk=pk)


def get_post_check_for_user(*, user, pk: int) -> PostCheck:
    """A post-check of the user's department (not found for missing and forbidden alike)."""
    check = (
        PostCheck.objects.select_related("case__department", "case__applicant", "commitment")
        .filter(pk=pk)
        .first()
    )
    if check is None or not access.in_department(user, check.case):
        raise NotFound(_("没有找到该核查任务。"))
    return check


def _judge(check: PostCheck, expected_version: int | None) -> None:
    if expected_version is not None and check.version != expected_version:
        raise DomainError(CaseErrorCode.STALE, _("该核查任务已被其他人办理，请刷新后查看。"))
    if check.status != PostCheckStatus.PENDING:
        raise DomainError(
            CaseErrorCode.POST_CHECK_DONE,
            _("该核查任务已办结（%(s)s），不能再次登记。"),
            s=PostCheckStatus(check.status).label,
        )


def _not_yet(case: Case) -> None:
    if case.status not in CHECKABLE:
        raise DomainError(
            CaseErrorCode.TRANSITION_NOT_ALLOWED,
            _("办件尚未作出准予决定（当前状态为“%(s)s”），核查结果请在决定后登记。"),
            s=S(case.status).label,
        )


def post_check_pass(
    *, actor, check: PostCheck, finding: str, expected_version: int | None = None
) -> PostCheck:
    """核查属实: the commitment holds; the check is closed with its finding (one event)."""
    case = check.case
    access.require_department(actor, case, Perm.CASE_REVIEW)
    finding = require_reason(finding, _("核查意见"))
    held: dict = {}

    def guard(c: Case) -> None:
        held["check"] = locked = _locked_check(check.pk)
        _judge(locked, expected_version)

    def close(c: Case) -> None:
        locked = held["check"]
        locked.status, locked.finding = PostCheckStatus.PASSED, finding
        locked.checked_by, locked.checked_at = actor, timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "finding", "checked_by", "checked_at", "version"])

    transition(
        case=case,
        actor=actor,
        action=A.POST_CHECK_PASS,
        reason=finding,
        payload={"post_check": check.pk},
        check=guard,
        then=close,
    )
    return held["check"]


def post_check_fail(
    *, actor, check: PostCheck, finding: str, expected_version: int | None = None
) -> PostCheck:
    """承诺不实: the decision is revoked (撤销行政决定) with one event, the case's e-licence
    revoked, the applicant told, and barred from commitments for the item's bar period.
    All in one transaction; refused (nothing changed) before the decision or a second time."""
    case = check.case
    access.require_department(actor, case, Perm.CASE_APPROVE)
    finding = require_reason(finding, _("核查意见（承诺不实的事实）"))
    policy = policy_for(case.item_version.item_id)
    held: dict = {}

    def guard(c: Case) -> None:
        held["check"] = locked = _locked_check(check.pk)
        _judge(locked, expected_version)
        _not_yet(c)

    def apply(c: Case) -> None:
        c.decision_reason = finding

    def then(c: Case) -> None:
        locked = held["check"]
        locked.status, locked.finding = PostCheckStatus.FAILED, finding
        locked.checked_by, locked.checked_at = actor, timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "finding", "checked_by", "checked_at", "version"])
        until = _today() + dt.timedelta(days=policy.bar_days)
        CommitmentBar.objects.create(
            person=c.applicant if c.enterprise_id is None else None,
            enterprise=c.enterprise if c.enterprise_id is not None else None,
            until=until,
            reason=gettext("办件 %(no)s 告知承诺不实") % {"no": c.case_no},
            case=c,
        )
        licence = wallet.licence_of_case(c.case_no)
        if licence is not None and licence.status == LicenceStatus.VALID:
            licence_revoke(
                licence=licence,
                reason=gettext("告知承诺不实，审批决定已撤销（办件 %(no)s）") % {"no": c.case_no},
                actor=actor,
            )
            held["licence"] = licence.number
        tell_applicant(
            c,
            gettext("审批决定已撤销"),
            gettext(
                "经事中事后核查，您的承诺与事实不符：%(f)s。依据国办发〔2020〕42号，撤销审批决定"
                "%(lic)s；%(until)s 前您不能再选择告知承诺方式办理。如不服，可依法申请行政复议或者"
                "提起行政诉讼。"
            )
            % {
                "f": finding,
                "lic": gettext("并注销证照 %(n)s") % {"n": held["licence"]}
                if held.get("licence")
                else "",
                "until": until.isoformat(),
            },
        )

    with transaction.atomic():
        transition(
            case=case,
            actor=actor,
            action=A.REVOKE,
            reason=finding,
            payload={"post_check": check.pk, "bar_days": policy.bar_days},
            check=guard,
            apply=apply,
            then=then,
        )
    return held["check"]


def post_checks_of_department(*, department_id: int | None, status: str):
    """The department's post-checks in ``status``, earliest due first (a read for the list)."""
    return (
        PostCheck.objects.filter(department_id=department_id or -1, status=status)
        .select_related("case__applicant", "case__item_version", "commitment")
        .order_by("due", "id")
    )
