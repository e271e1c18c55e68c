"""一件事 (bundles): one application from the combined form and the de-duplicated materials,
one acceptance that accepts every child case at once, parallel review by each department
(并联审批: the children are ordinary cases with their own clocks and steps), and one delivery
of the combined result (一口出件) once every child has concluded.

A material several items need is stored once (on the bundle application) and every child that
needs it gets a row pointing at the same stored file, so each department sees it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import Bundle
from tongban.core import workdays
from tongban.core.errors import DomainError, PermissionDenied, ValidationFailed
from tongban.core.events import event_append
from tongban.core.models import Enterprise, Person, User
from tongban.core.notifications import notify

from .. import access, application_form
from ..errors import CaseErrorCode
from ..models import (
    BundleCase,
    BundleEvent,
    BundleMaterial,
    BundleMember,
    BundlePolicy,
    Case,
    CaseMaterial,
    DeliveryMethod,
    MaterialStatus,
)
from ..states import BundleAction as BA
from ..states import BundleStatus as BS
from ..states import CaseAction as A
from ..states import CaseStatus as S
from ..states import bundle_target_of
from ..uploads import check_upload, store, undo_on_failure
from .common import StaleCase, transition
from .lifecycle import case_accept, case_create, case_submit
from .numbering import next_case_no
from .review import case_deliver

# A child has concluded when nothing more will be decided on it (the bundle may deliver).
CONCLUDED = frozenset({S.ISSUED, S.DENIED, S.NOT_ACCEPTED, S.WITHDRAWN, S.REVOKED, S.DELIVERED})
# The children whose result the bundle's one delivery hands out.
DELIVERABLE = frozenset({S.ISSUED, S.DENIED, S.NOT_ACCEPTED})
# How the applicant supplies a de-duplicated material.
WAYS = (MaterialStatus.PROVIDED, MaterialStatus.DEFERRED, MaterialStatus.COMMITMENT)


@dataclass
class Supplied:
    """One de-duplicated material as the applicant supplies it: an upload, 容缺 or 告知承诺."""

    way: str = MaterialStatus.PROVIDED
    name: str = ""
    data: bytes | None = None


def combined_fields(bundle: Bundle, versions) -> list:
    """The bundle's combined form: its own fields, then any member item's field it lacks."""
    fields = list(application_form.fields_of(bundle))
    seen = {f.code for f in fields}
    for version in versions:
        for f in application_form.fields_of(version):
            if f.code not in seen:
                fields.append(f)
                seen.add(f.code)
    return fields


def policy_of(bundle: Bundle) -> BundlePolicy:
    policy = BundlePolicy.objects.filter(bundle=bundle).first()
    return policy if policy is not None else BundlePolicy(bundle=bundle)


def _bad(code, message, field: str = "", **params) -> ValidationFailed:
    return ValidationFailed(code, message, field=field, **params)


def _event(bc: BundleCase, *, actor, action, from_state, to_state, payload=None, new=False):
    event_append(
        model=BundleEvent,
        stream=bc.stream,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state=to_state,
        payload=payload,
        bundle_case=bc,
        new_stream=new,
    )


def _check_way(need, way: str) -> None:
    """容缺 / 告知承诺 only when every item that needs the material allows it."""
    m = need.material
    if way == MaterialStatus.DEFERRED and not all(_same(v, m).deferrable for v in need.items):
        raise _bad(
            CaseErrorCode.NOT_DEFERRABLE,
            _("材料“%(m)s”不允许容缺。"),
            field=f"m_{m.pk}",
            m=m.name,
        )
    if way == MaterialStatus.COMMITMENT and not all(
        _same(v, m).commitment_replaceable for v in need.items
    ):
        raise _bad(
            CaseErrorCode.NOT_COMMITTABLE,
            _("材料“%(m)s”不能以告知承诺替代。"),
            field=f"m_{m.pk}",
            m=m.name,
        )


def _same(version, material):
    """The item's own material with the same de-duplication key as ``material``."""
    key = material.dedup_key
    for m in version.materials.all():
        if m.dedup_key == key:
            return m
    return material


def bundle_apply(
    *,
    actor: User,
    bundle: Bundle,
    applicant: Person,
    answers: dict[str, str],
    form_data: dict[str, Any],
    supplied: dict[int, Supplied],
    enterprise: Enterprise | None = None,
    channel: str = "web",
    idempotency_key: str | None = None,
) -> BundleCase:
    """File a bundle application: a child case per included item, each with its materials
    (a shared upload stored once) and submitted; all or nothing.

    ``supplied`` maps each de-duplicated material (its catalogue pk, as listed by
    ``catalog.selectors.bundle_materials_for``) to how it is supplied. A required material
    missing, a 容缺 or 告知承诺 the items do not allow, a file refused: nothing is written.
    """
    if idempotency_key:
        earlier = BundleCase.objects.filter(
            created_by=actor, idempotency_key=idempotency_key
        ).first()
        if earlier is not None:
            return earlier
    result = catalog_selectors.bundle_materials_for(bundle, answers)  # refuses bad answers
    if len(result.items) < 1:
        raise _bad(CaseErrorCode.ITEM_NOT_AVAILABLE, _("按您的情况，该一件事没有需要办理的事项。"))
    if applicant.user_id != actor.pk:
        access.require_clerk(actor)
    missing = [
        n.material.name for n in result.materials if n.required and n.material.pk not in supplied
    ]
    if missing:
        raise _bad(
            CaseErrorCode.MATERIALS_MISSING,
            _("还缺少材料：%(m)s"),
            field="materials",
            m="、".join(missing),
        )
    checked: dict[int, Any] = {}
    for need in result.materials:
        given = supplied.get(need.material.pk)
        if given is None:
            continue
        if given.way not in WAYS:
            raise _bad(CaseErrorCode.UPLOAD_REFUSED, _("材料状态：不是可选值。"), field="status")
        _check_way(need, given.way)
        if given.way == MaterialStatus.PROVIDED:
            checked[need.material.pk] = check_upload(given.name, given.data or b"")
    fields = combined_fields(bundle, result.items)
    values = {}
    for f in fields:
        raw = (form_data or {}).get(f.code, "")
        value = application_form.clean_value(f, raw)
        if value:
            values[f.code] = value
    region = result.items[0].item.department.region.code[:6]
    try:
        with undo_on_failure(), transaction.atomic():
            bc = BundleCase(
                bundle=bundle,
                applicant=applicant,
                enterprise=enterprise,
                channel=channel,
                answers=dict(answers),
                form_data=values,
                created_by=actor,
                idempotency_key=idempotency_key,
                materials_count=len(result.materials),
                materials_without_bundle=result.undeduplicated_count,
            )
            # a counter of its own ("Y" + region): case numbers keep their sequence
            bc.bundle_no = next_case_no(
                region_code="Y" + region, day=workdays.business_date(timezone.now())
            )
            bc.save(force_insert=True)
            _event(
                bc,
                actor=actor,
                action=BA.SUBMIT,
                from_state="",
                to_state=BS.SUBMITTED,
                payload={
                    "items": [v.item.implementation_code for v in result.items],
                    "materials": bc.materials_count,
                    "materials_without_bundle": bc.materials_without_bundle,
                },
                new=True,
            )
            shared = _store_shared(bc, result, supplied, checked)
            for order, version in enumerate(result.items):
                _child(actor, bc, version, order, result, supplied, shared, values)
    except IntegrityError:
        if idempotency_key:
            earlier = BundleCase.objects.filter(
                created_by=actor, idempotency_key=idempotency_key
            ).first()
            if earlier is not None:
                return earlier
        raise
    return bc


def _store_shared(bc, result, supplied, checked) -> dict[int, BundleMaterial]:
    """Each de-duplicated material once: the upload stored once, however many items use it."""
    shared = {}
    for need in result.materials:
        given = supplied.get(need.material.pk)
        if given is None:
            continue
        row = BundleMaterial(
            bundle_case=bc, name=need.material.name, status=given.way, used_by=len(need.items)
        )
        info = checked.get(need.material.pk)
        if info is not None:
            row.original_name = given.name[-128:]
            row.sha256 = info.sha256
            store(row.file, f"{bc.bundle_no}-{need.material.pk}.{info.kind}", given.data)
        row.save(force_insert=True)
        shared[need.material.pk] = (row, info)
    return shared


def _child(actor, bc, version, order, result, supplied, shared, values) -> Case:
    own = {f.code for f in application_form.fields_of(version)}
    case = case_create(
        actor=actor,
        item_code=version.item.implementation_code,
        applicant=bc.applicant,
        enterprise=bc.enterprise,
        channel=bc.channel,
        answers={k: v for k, v in bc.answers.items() if k in _asked(version)},
        form_data={k: v for k, v in values.items() if k in own},
    )
    BundleMember.objects.create(bundle_case=bc, case=case, order=order)
    present = set(case.materials.values_list("material_id", flat=True))  # 免证办
    rows = []
    for need in result.materials:
        if version not in need.items or need.material.pk not in shared:
            continue
        row, info = shared[need.material.pk]
        # every material of this item the shared one stands for (one key may cover two)
        for material in _all_same(version, need.material):
            if material.pk in present:
                continue
            present.add(material.pk)
            rows.append(_row(material, row, info, bc, actor))

    def insert(c: Case) -> None:
        for r in rows:
            r.case = c
        CaseMaterial.objects.bulk_create(rows)

    if rows:
        case = transition(
            case=case,
            actor=actor,
            action=A.MATERIAL_ADDED,
            payload={
                "bundle": bc.bundle_no,
                "seqs": [r.material.seq for r in rows],
                "statuses": [r.status for r in rows],
            },
            then=insert,
        )
    return case_submit(actor=actor, case=case)


def _all_same(version, material) -> list:
    key = material.dedup_key
    return [m for m in version.materials.all() if m.dedup_key == key] or [material]


def _row(material, row: BundleMaterial, info, bc: BundleCase, actor) -> CaseMaterial:
    return CaseMaterial(
        material=material,
        status=row.status,
        file=row.file.name if row.file else "",
        original_name=row.original_name,
        content_type=info.content_type if info else "",
        size=info.size if info else 0,
        sha256=row.sha256,
        note=gettext("一件事 %(no)s 共享材料") % {"no": bc.bundle_no},
        added_by=actor,
    )


def _asked(version) -> set[str]:
    return {q.code for q in version.questions.all()}


def _locked(bc: BundleCase, expected_version: int | None) -> BundleCase:
    current = BundleCase.objects.select_for_update().get(pk=bc.pk)
    if expected_version is not None and current.version != expected_version:
        raise StaleCase(CaseErrorCode.STALE, _("该一件事已被其他人办理，请刷新后查看。"))
    return current


def children(bc: BundleCase) -> list[Case]:
    return [
        m.case
        for m in BundleMember.objects.filter(bundle_case=bc)
        .select_related("case__department", "case__applicant", "case__item_version__item")
        .order_by("order", "id")
    ]


def _tell(bc: BundleCase, title: str, body: str) -> None:
    notify(
        person=bc.applicant,
        title=title,
        body=gettext("一件事 %(no)s（%(name)s）：") % {"no": bc.bundle_no, "name": bc.bundle.name}
        + body,
        link=f"/my/bundles/{bc.bundle_no}/",
    )


def bundle_accept(*, actor: User, bc: BundleCase, expected_version: int | None = None):
    """一次受理: every child accepted together (each starts its own clock and first review
    task at its department), or none."""
    access.require_clerk(actor)
    with transaction.atomic():
        current = _locked(bc, expected_version)
        target = bundle_target_of(BA.ACCEPT, current.status)
        accepted = []
        for case in children(current):
            if case.status == S.SUBMITTED:
                accepted.append(case_accept(actor=actor, case=case))
        current.status, current.version = target, current.version + 1
        current.accepted_on = workdays.business_date(timezone.now())
        current.save(update_fields=["status", "version", "accepted_on"])
        _event(
            current,
            actor=actor,
            action=BA.ACCEPT,
            from_state=BS.SUBMITTED,
            to_state=target,
            payload={"cases": [c.case_no for c in accepted]},
        )
        due = max((c.promised_due for c in accepted if c.promised_due), default=None)
        _tell(
            current,
            gettext("一件事已受理"),
            gettext("已一次受理，%(n)s 个事项由各部门并联审批，预计 %(due)s 前办结。")
            % {"n": len(accepted), "due": due.isoformat() if due else "-"},
        )
    return current


def bundle_continue_partial(
    *, actor: User, bc: BundleCase, expected_version: int | None = None
) -> BundleCase:
    """The applicant chooses to continue with the approved items after one was denied (only
    when the bundle allows it)."""
    if not (bc.applicant.user_id == getattr(actor, "pk", None)):
        raise PermissionDenied(_("只有申请人本人可以作此选择。"))
    with transaction.atomic():
        current = _locked(bc, expected_version)
        bundle_target_of(BA.CONTINUE_PARTIAL, current.status)
        if not policy_of(current.bundle).partial_allowed:
            raise DomainError(
                CaseErrorCode.BUNDLE_PARTIAL_REFUSED,
                _("该一件事须全部事项准予后才能办结，不能只继续办理部分事项。"),
            )
        kids = children(current)
        if not any(c.status == S.DENIED for c in kids):
            raise DomainError(
                CaseErrorCode.BUNDLE_PARTIAL_REFUSED, _("没有不予许可的事项，无需选择。")
            )
        if current.partial_confirmed:
            raise DomainError(CaseErrorCode.BUNDLE_PARTIAL_REFUSED, _("您已作过此选择。"))
        current.partial_confirmed, current.version = True, current.version + 1
        current.save(update_fields=["partial_confirmed", "version"])
        _event(
            current,
            actor=actor,
            action=BA.CONTINUE_PARTIAL,
            from_state=current.status,
            to_state=current.status,
            payload={"denied": [c.case_no for c in kids if c.status == S.DENIED]},
        )
    return current


def _how(method: str, *, code: str, carrier: str, tracking_no: str) -> str:
    if method == DeliveryMethod.WINDOW:
        return gettext("请凭取件码 %(c)s 到综合窗口一次领取全部结果。") % {"c": code}
    if method == DeliveryMethod.MAIL:
        return gettext("已通过%(c)s一并寄出，单号 %(n)s。") % {"c": carrier, "n": tracking_no}
    return gettext("请在“我的一件事”中查看全部结果。")


def bundle_deliver(
    *,
    actor: User,
    bc: BundleCase,
    method: str,
    carrier: str = "",
    tracking_no: str = "",
    expected_version: int | None = None,
) -> BundleCase:
    """一口出件: once every child has concluded, every result is delivered together (each child
    case records its delivery) and the bundle is done. With a child denied and others approved,
    the applicant must first have chosen to continue with the approved ones."""
    access.require_clerk(actor)
    if method == DeliveryMethod.LOCKER:
        raise DomainError(
            CaseErrorCode.LOCKER_UNAVAILABLE,
            _("送达方式：一件事统一出件请选择窗口领取、邮寄或电子送达。"),
            field="method",
        )
    with transaction.atomic():
        current = _locked(bc, expected_version)
        target = bundle_target_of(BA.DELIVER, current.status)
        kids = children(current)
        pending = [c for c in kids if c.status not in CONCLUDED]
        if pending:
            raise DomainError(
                CaseErrorCode.BUNDLE_NOT_READY,
                _("还有事项尚未办结：%(m)s。全部办结后统一出件。"),
                m="、".join(f"{c.item_version.name}（{S(c.status).label}）" for c in pending),
            )
        denied = [c for c in kids if c.status == S.DENIED]
        approved = [c for c in kids if c.status == S.ISSUED]
        if denied and approved and not current.partial_confirmed:
            raise DomainError(
                CaseErrorCode.BUNDLE_PARTIAL_REFUSED,
                _("有事项不予许可，须申请人确认继续办理已准予的事项后才能出件。")
                if policy_of(current.bundle).partial_allowed
                else _("有事项不予许可，该一件事不能只办结部分事项。"),
            )
        done, results = [], []
        code = f"{secrets.randbelow(10**6):06d}" if method == DeliveryMethod.WINDOW else ""
        for case in kids:
            if case.status in DELIVERABLE:
                results.append(f"{case.item_version.name}：{S(case.status).label}")
                done.append(
                    case_deliver(
                        actor=actor,
                        case=case,
                        method=method,
                        carrier=carrier,
                        tracking_no=tracking_no,
                        pickup_code=code,
                        tell=False,  # one notice for the bundle below, not one per child
                    ).case_no
                )
        current.status, current.version = target, current.version + 1
        current.delivered_at = timezone.now()
        current.save(update_fields=["status", "version", "delivered_at"])
        _event(
            current,
            actor=actor,
            action=BA.DELIVER,
            from_state=BS.IN_PROGRESS,
            to_state=target,
            payload={"method": method, "cases": done},
        )
        _tell(
            current,
            gettext("一件事统一出件"),
            gettext("全部事项已办结，办理结果已统一送达（%(n)s 份）：%(results)s。")
            % {"n": len(done), "results": "；".join(results)}
            + _how(method, code=code, carrier=carrier, tracking_no=tracking_no),
        )
    return current
