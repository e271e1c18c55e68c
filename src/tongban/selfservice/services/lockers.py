"""Pickup lockers (自助取件): place a result, send the pickup code, open with it, flag the
uncollected for mailing. Every change: one transaction, a row lock, one event."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.services import case_deliver, case_for_change
from tongban.cases.services.delivery import case_locker_collected, case_locker_placed
from tongban.cases.states import CaseStatus
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.events import event_append
from tongban.core.notifications import notify
from tongban.core.permissions import Perm, require_perm

from ..errors import ConflictError, RateLimited, SelfserviceError
from ..errors import SelfserviceErrorCode as E
from ..lockers import LockerFault, controller
from ..models import OCCUPYING, Compartment, Deposit, DepositEvent, DepositStatus

CODE_DIGITS = 8
# Wrong pickup codes a kiosk may enter in a window before pickups there pause (guessing guard).
PICKUP_FAILURES_ALLOWED = 10
PICKUP_FAILURE_WINDOW = 600
DELIVERABLE = (CaseStatus.ISSUED, CaseStatus.DENIED, CaseStatus.NOT_ACCEPTED)


def code_digest(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"locker:{code}".encode(), hashlib.sha256).hexdigest()


def _new_code() -> tuple[str, str]:
    """A fresh pickup code no occupied compartment uses (a code names one deposit)."""
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        digest = code_digest(code)
        if not Deposit.objects.filter(code_digest=digest, status__in=OCCUPYING).exists():
            return code, digest


def _event(deposit: Deposit, *, action: str, actor=None, actor_label: str = "", **kw) -> None:
    event_append(
        model=DepositEvent,
        stream=deposit.stream,
        action=action,
        actor=actor,
        actor_label=actor_label,
        deposit=deposit,
        **kw,
    )


def _open(compartment: Compartment) -> None:
    try:
        controller().open(bank=compartment.bank.code, compartment=compartment.number)
    except LockerFault as exc:
        raise SelfserviceError(
            E.LOCKER_FAULT,
            _("格口 %(c)s 未能打开，请联系大厅工作人员。本次操作未生效。"),
            c=compartment.label,
        ) from exc


def _send_code(deposit: Deposit, code: str) -> None:
    case = deposit.case
    notify(
        person=case.applicant,
        title=str(_("自助取件码")),
        body=str(
            _(
                "办件 %(no)s（%(item)s）的办理结果已放入%(bank)s %(c)s 号格口，"
                "取件码 %(code)s，%(until)s 前在自助终端“自助取件”输入即可开柜。"
                "请勿将取件码告诉他人。"
            )
        )
        % {
            "no": case.case_no,
            "item": case.item_version.name,
            "bank": deposit.compartment.bank.name,
            "c": deposit.compartment.label,
            "code": code,
            "until": timezone.localtime(deposit.code_expires_at).strftime("%Y-%m-%d %H:%M"),
        },
    )


def deposit_place(
    *, actor, compartment_id: int, case_no: str, now: dt.datetime | None = None
) -> tuple[Deposit, str]:
    """Staff leave a case's result in a compartment: the door opens, the applicant gets the
    pickup code by SMS. Returns the deposit and the code (shown once, never stored)."""
    require_perm(actor, Perm.LOCKER_MANAGE)
    case_no = (case_no or "").strip()
    if not case_no:
        raise ValidationFailed(E.CASE_NOT_READY, _("办件编号：请填写。"), field="case_no")
    try:
        case = case_for_change(user=actor, case_no=case_no)
    except NotFound:
        raise ValidationFailed(
            E.CASE_NOT_READY, _("办件编号：没有找到办件 %(no)s。"), field="case_no", no=case_no
        ) from None
    if case.status not in DELIVERABLE:
        raise ValidationFailed(
            E.CASE_NOT_READY,
            _("办件编号：办件 %(no)s 当前为“%(s)s”，尚无可领取的办理结果。"),
            field="case_no",
            no=case_no,
            s=CaseStatus(case.status).label,
        )
    now = now or timezone.now()
    try:
        with transaction.atomic():
            compartment = (
                Compartment.objects.select_for_update()
                .select_related("bank")
                .filter(pk=compartment_id)
                .first()
            )
            if compartment is None or not compartment.in_service or not compartment.bank.is_active:
                raise ValidationFailed(
                    E.COMPARTMENT_UNAVAILABLE, _("格口：该格口不可用。"), field="compartment"
                )
            if Deposit.objects.filter(compartment=compartment, status__in=OCCUPYING).exists():
                raise ConflictError(
                    E.COMPARTMENT_BUSY,
                    _("格口：%(c)s 已有存件，请选择空闲格口。"),
                    field="compartment",
                    c=compartment.label,
                )
            if Deposit.objects.filter(case=case, status__in=OCCUPYING).exists():
                raise ConflictError(
                    E.CASE_ALREADY_DEPOSITED,
                    _("办件编号：办件 %(no)s 的结果已在取件柜中。"),
                    field="case_no",
                    no=case_no,
                )
            code, digest = _new_code()
            deposit = Deposit.objects.create(
                compartment=compartment,
                case=case,
                code_digest=digest,
                code_expires_at=now + dt.timedelta(days=settings.TONGBAN_LOCKER_CODE_DAYS),
                placed_by=actor,
                placed_at=now,
            )
            _event(
                deposit,
                action="place",
                actor=actor,
                to_state=DepositStatus.PLACED,
                occurred_at=now,
                new_stream=True,
                payload={"case_no": case.case_no, "compartment": compartment.label},
            )
            # the case records it: delivery method 自助取件柜, the locker, the code sent
            case_locker_placed(
                actor=actor,
                case=case,
                locker=compartment.label,
                deposit=deposit.pk,
                code_expires_at=deposit.code_expires_at,
            )
            _open(compartment)
            _send_code(deposit, code)
    except IntegrityError:  # a racing placement took the compartment or the case first
        raise ConflictError(
            E.COMPARTMENT_BUSY, _("格口：该格口或办件刚被他人占用，请重试。"), field="compartment"
        ) from None
    return deposit, code


def _failure(kiosk_code: str) -> None:
    key = f"selfservice:pickup-failures:{kiosk_code}"
    cache.add(key, 0, PICKUP_FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, PICKUP_FAILURE_WINDOW)


def _check_throttle(kiosk_code: str) -> None:
    if (cache.get(f"selfservice:pickup-failures:{kiosk_code}") or 0) >= PICKUP_FAILURES_ALLOWED:
        raise RateLimited(
            E.PICKUP_LOCKED, _("取件码输入错误次数过多，请 10 分钟后再试或联系工作人员。")
        )


def _refuse_code(digest: str, now: dt.datetime) -> SelfserviceError:
    """Why a code opens nothing: used, expired, moved to mailing or unknown."""
    last = Deposit.objects.filter(code_digest=digest).order_by("-placed_at", "-id").first()
    if last is None or last.status == DepositStatus.REMOVED:
        return SelfserviceError(
            E.PICKUP_CODE_INVALID, _("取件码：取件码不正确，请核对短信后重新输入。"), field="code"
        )
    if last.status == DepositStatus.COLLECTED:
        return SelfserviceError(
            E.PICKUP_CODE_INVALID,
            _("取件码：该取件码已使用过，不能再次开柜。如有疑问请联系工作人员。"),
            field="code",
        )
    if last.status == DepositStatus.FLAGGED:
        return SelfserviceError(
            E.PICKUP_CODE_EXPIRED,
            _("取件码：逾期未取，办理结果已转为邮寄送达，请留意快递信息或联系工作人员。"),
            field="code",
        )
    return SelfserviceError(
        E.PICKUP_CODE_EXPIRED,
        _("取件码：取件码已于 %(t)s 过期，请联系工作人员重新发送。"),
        field="code",
        t=timezone.localtime(last.code_expires_at).strftime("%Y-%m-%d %H:%M"),
    )


def deposit_pickup(*, code: str, kiosk_code: str = "", now: dt.datetime | None = None) -> Deposit:
    """The applicant opens the compartment with the pickup code at a kiosk: the door opens,
    the code is spent and the case is delivered (送达), all in one transaction."""
    code = "".join((code or "").split())
    _check_throttle(kiosk_code)
    if not (code.isdigit() and len(code) == CODE_DIGITS):
        _failure(kiosk_code)
        raise ValidationFailed(
            E.PICKUP_CODE_INVALID,
            _("取件码：请输入短信中的 %(n)s 位数字取件码。"),
            field="code",
            n=CODE_DIGITS,
        )
    now = now or timezone.now()
    digest = code_digest(code)
    with transaction.atomic():
        deposit = (
            Deposit.objects.select_for_update(of=("self",))
            .select_related("compartment__bank", "case")
            .filter(code_digest=digest, status=DepositStatus.PLACED)
            .first()
        )
        if deposit is None or deposit.code_expires_at <= now:
            refusal = _refuse_code(digest, now)
        else:
            refusal = None
        if refusal is None:
            _open(deposit.compartment)
            deposit.status = DepositStatus.COLLECTED
            deposit.collected_at = now
            deposit.code_expires_at = min(deposit.code_expires_at, now)
            deposit.version += 1
            deposit.save(update_fields=["status", "collected_at", "code_expires_at", "version"])
            label = str(_("自助取件柜 %(c)s")) % {"c": deposit.compartment.label}
            _event(
                deposit,
                action="collect",
                actor_label=label[:64],
                from_state=DepositStatus.PLACED,
                to_state=DepositStatus.COLLECTED,
                occurred_at=now,
                payload={"kiosk": kiosk_code},
            )
            _deliver_case(deposit, label)
            return deposit
    _failure(kiosk_code)
    raise refusal


def _deliver_case(deposit: Deposit, label: str) -> None:
    """送达 through the cases service (lock, guard, one ``deliver`` event with the delivery
    method 自助取件柜 and the locker; the applicant is told)."""
    case_locker_collected(
        case=deposit.case,
        locker=deposit.compartment.label,
        deposit=deposit.pk,
        collected_at=deposit.collected_at,
        actor_label=label,
    )


class LockerProvider:
    """What selfservice gives cases at start-up (``SelfserviceConfig.ready``): a case
    delivered "by locker" from the case page goes into the first free compartment."""

    def place(self, *, actor, case) -> None:
        require_perm(actor, Perm.LOCKER_MANAGE)
        busy = Deposit.objects.filter(status__in=OCCUPYING).values("compartment_id")
        free = (
            Compartment.objects.filter(in_service=True, bank__is_active=True)
            .exclude(pk__in=busy)
            .order_by("bank__code", "number")
            .first()
        )
        if free is None:
            raise ConflictError(
                E.COMPARTMENT_BUSY,
                _("送达方式：自助取件柜暂无空闲格口，请选择其他送达方式。"),
                field="method",
            )
        deposit_place(actor=actor, compartment_id=free.pk, case_no=case.case_no)


def _locked_deposit(deposit_id: int, expected_version: int | None) -> Deposit:
    deposit = (
        Deposit.objects.select_for_update(of=("self",))
        .select_related("compartment__bank", "case")
        .filter(pk=deposit_id)
        .first()
    )
    if deposit is None:
        raise NotFound(_("没有找到该存件。"))
    if expected_version is not None and deposit.version != expected_version:
        raise ConflictError(E.STALE, _("该存件已被他人处理，请刷新后查看。"))
    return deposit


def deposit_code_resend(
    *, actor, deposit_id: int, expected_version: int | None = None, now=None
) -> tuple[Deposit, str]:
    """A new pickup code (the old one stops working) with a fresh lifetime."""
    require_perm(actor, Perm.LOCKER_MANAGE)
    now = now or timezone.now()
    with transaction.atomic():
        deposit = _locked_deposit(deposit_id, expected_version)
        if deposit.status != DepositStatus.PLACED:
            raise ConflictError(
                E.DEPOSIT_CLOSED,
                _("该存件当前为“%(s)s”，不能重发取件码。"),
                s=DepositStatus(deposit.status).label,
            )
        code, deposit.code_digest = _new_code()
        deposit.code_expires_at = now + dt.timedelta(days=settings.TONGBAN_LOCKER_CODE_DAYS)
        deposit.version += 1
        deposit.save(update_fields=["code_digest", "code_expires_at", "version"])
        _event(deposit, action="code_resend", actor=actor, occurred_at=now)
        _send_code(deposit, code)
    return deposit, code


def deposits_flag_uncollected(*, now: dt.datetime | None = None) -> list[Deposit]:
    """Deposits still uncollected ``TONGBAN_LOCKER_UNCOLLECTED_DAYS`` after placement are
    flagged for mailing: the code stops working and the applicant is told. Idempotent."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.TONGBAN_LOCKER_UNCOLLECTED_DAYS)
    ids = list(
        Deposit.objects.filter(status=DepositStatus.PLACED, placed_at__lte=cutoff).values_list(
            "pk", flat=True
        )
    )
    flagged = []
    for deposit_id in ids:
        with transaction.atomic():
            deposit = _locked_deposit(deposit_id, None)
            if deposit.status != DepositStatus.PLACED:
                continue
            deposit.status = DepositStatus.FLAGGED
            deposit.flagged_at = now
            deposit.code_expires_at = min(deposit.code_expires_at, now)
            deposit.version += 1
            deposit.save(update_fields=["status", "flagged_at", "code_expires_at", "version"])
            _event(
                deposit,
                action="flag",
                actor_label="system",
                from_state=DepositStatus.PLACED,
                to_state=DepositStatus.FLAGGED,
                occurred_at=now,
                payload={"days": settings.TONGBAN_LOCKER_UNCOLLECTED_DAYS},
            )
            notify(
                person=deposit.case.applicant,
                title=str(_("逾期未取，将邮寄送达")),
                body=str(
                    _(
                        "办件 %(no)s 的办理结果在取件柜中超过 %(d)s 天未取，"
                        "取件码已失效，工作人员将按登记地址邮寄给您。"
                    )
                )
                % {"no": deposit.case.case_no, "d": settings.TONGBAN_LOCKER_UNCOLLECTED_DAYS},
            )
            flagged.append(deposit)
    return flagged


def deposit_remove(
    *,
    actor,
    deposit_id: int,
    expected_version: int | None = None,
    carrier: str = "",
    tracking_no: str = "",
    now: dt.datetime | None = None,
) -> Deposit:
    """Staff take the result out of the compartment; with a carrier and tracking number the
    case is delivered by mail (送达, through ``case_deliver``) in the same transaction."""
    require_perm(actor, Perm.LOCKER_MANAGE)
    carrier, tracking_no = carrier.strip(), tracking_no.strip()
    if bool(carrier) != bool(tracking_no):
        field = "tracking_no" if carrier else "carrier"
        raise ValidationFailed(
            E.DEPOSIT_CLOSED, _("邮寄信息：快递公司和快递单号须同时填写。"), field=field
        )
    now = now or timezone.now()
    with transaction.atomic():
        deposit = _locked_deposit(deposit_id, expected_version)
        if deposit.status not in OCCUPYING:
            raise ConflictError(
                E.DEPOSIT_CLOSED,
                _("该存件当前为“%(s)s”，格口中已没有物品。"),
                s=DepositStatus(deposit.status).label,
            )
        from_state = deposit.status
        _open(deposit.compartment)
        deposit.status = DepositStatus.REMOVED
        deposit.removed_at = now
        deposit.code_expires_at = min(deposit.code_expires_at, now)
        deposit.version += 1
        deposit.save(update_fields=["status", "removed_at", "code_expires_at", "version"])
        payload = {"carrier": carrier, "tracking_no": tracking_no} if carrier else {}
        _event(
            deposit,
            action="remove",
            actor=actor,
            from_state=from_state,
            to_state=DepositStatus.REMOVED,
            occurred_at=now,
            payload=payload,
        )
        if carrier:
            case = case_for_change(user=actor, case_no=deposit.case.case_no)
            case_deliver(
                actor=actor, case=case, method="mail", carrier=carrier, tracking_no=tracking_no
            )
    return deposit
