"""Window rating devices (窗口评价器): registered to a window, authenticated by a device token
(only its hash kept); the clerk's counter screen pushes "请您评价本次服务" after serving, one
pending request per device; the applicant taps the rating on the kiosk page. A device in staff
mode, or a browser with a staff session, never records a rating."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.models import Department
from tongban.core.permissions import Perm, has_perm

from .. import policy, service_events
from ..errors import RatingErrorCode, RatingForbidden, RatingRefused
from ..models import DeviceMode, DeviceRequest, Rating, RatingChannel, RatingDevice, ServiceKind
from .ratings import _record, _refuse_staff


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def pairing_url(token: str) -> str:
    base = getattr(settings, "TONGBAN_PUBLIC_URL", "").rstrip("/")
    return f"{base}/rate/device/pair/{token}/"


def device_register(*, code: str, department: Department, window: str) -> tuple[RatingDevice, str]:
    """Register a device to a window; returns it and its token (shown once, for pairing)."""
    code = (code or "").strip()
    window = (window or "").strip()
    if not code or len(code) > 32:
        raise ValidationFailed(
            RatingErrorCode.INVALID_INPUT,
            _("设备编号：请填写不超过 32 个字符的编号。"),
            field="code",
        )
    if not window or len(window) > 64:
        raise ValidationFailed(
            RatingErrorCode.INVALID_INPUT,
            _("窗口：请填写窗口名称（如“3 号窗口”）。"),
            field="window",
        )
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            device = RatingDevice.objects.create(
                code=code, department=department, window=window, token_hash=_hash(token)
            )
    except IntegrityError:
        raise ValidationFailed(
            RatingErrorCode.INVALID_INPUT,
            _("设备编号：编号 %(code)s 已被使用。"),
            field="code",
            code=code,
        ) from None
    return device, token


def device_by_token(token: str) -> RatingDevice:
    device = (
        RatingDevice.objects.select_related("department")
        .filter(token_hash=_hash(token or ""), is_active=True)
        .first()
        if token
        else None
    )
    if device is None:
        raise RatingForbidden(
            RatingErrorCode.DEVICE_INVALID,
            _("这台设备未登记或已停用，不能用于评价。请联系窗口工作人员。"),
        )
    return device


def device_set_mode(*, actor, code: str, mode: str) -> RatingDevice:
    """Switch a device between rating mode and staff (maintenance) mode."""
    if not has_perm(actor, Perm.CONFIG_MANAGE):
        raise PermissionDenied(_("只有系统管理员可以管理窗口评价器。"))
    if mode not in DeviceMode.values:
        raise ValidationFailed(RatingErrorCode.INVALID_INPUT, _("模式：请选择。"), field="mode")
    with transaction.atomic():
        device = RatingDevice.objects.select_for_update().filter(code=code).first()
        if device is None:
            raise NotFound(_("没有找到该评价器。"))
        device.mode = mode
        device.save(update_fields=["mode"])
        return device


def _lapse_before(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=policy.device_request_minutes())


def pending_request(
    device: RatingDevice, *, now: dt.datetime | None = None
) -> DeviceRequest | None:
    """The device's open request, unless it lapsed (a read: lapsed ones close on the next
    push)."""
    now = now or timezone.now()
    return (
        DeviceRequest.objects.filter(
            device=device, closed_at__isnull=True, requested_at__gt=_lapse_before(now)
        )
        .select_related("device")
        .first()
    )


def _require_counter_staff(actor, device: RatingDevice) -> None:
    staff = getattr(actor, "staff", None)
    if not has_perm(actor, Perm.CASE_ACCEPT) or staff is None:
        raise PermissionDenied(_("只有窗口工作人员可以推送评价请求。"))
    if staff.department_id != device.department_id:
        raise PermissionDenied(_("这台评价器不属于您所在的部门。"))


def device_request_push(*, actor, device_code: str, case_no: str = "") -> DeviceRequest:
    """After serving: ask the window's device to show the rating page (one pending request at a
    time; a lapsed one is closed first)."""
    case_no = (case_no or "").strip()
    case_event = None
    if case_no:
        case_event = service_events.case_event(case_no)
        if case_event is None:
            raise ValidationFailed(
                RatingErrorCode.INVALID_INPUT,
                _("办件编号：没有找到办件 %(no)s。"),
                field="case_no",
                no=case_no[:32],
            )
    now = timezone.now()
    with transaction.atomic():
        device = RatingDevice.objects.select_for_update().filter(code=device_code).first()
        if device is None or not device.is_active:
            raise NotFound(_("没有找到该评价器。"))
        _require_counter_staff(actor, device)
        if device.mode != DeviceMode.APPLICANT:
            raise RatingRefused(
                RatingErrorCode.DEVICE_STAFF_MODE,
                _("评价器处于工作人员模式，请先切换到评价模式。"),
            )
        DeviceRequest.objects.filter(
            device=device, closed_at__isnull=True, requested_at__lte=_lapse_before(now)
        ).update(closed_at=now, outcome="expired")
        if DeviceRequest.objects.filter(device=device, closed_at__isnull=True).exists():
            raise RatingRefused(
                RatingErrorCode.DEVICE_BUSY,
                _("评价器上还有一条等待评价的请求，请等群众评价完或先撤回该请求。"),
            )
        stamp = now.strftime("%Y%m%d%H%M%S%f")[:-3]
        return DeviceRequest.objects.create(
            device=device,
            service_kind=ServiceKind.VISIT,
            service_ref=f"CV-{stamp}-{device.pk}"[:40],
            case_no=case_event.ref if case_event else "",
            item_code=case_event.item_code if case_event else "",
            person_id=case_event.person_id if case_event else None,
            staff=actor,
            requested_at=now,
        )


def device_request_cancel(*, actor, device_code: str) -> int:
    with transaction.atomic():
        device = RatingDevice.objects.select_for_update().filter(code=device_code).first()
        if device is None:
            raise NotFound(_("没有找到该评价器。"))
        _require_counter_staff(actor, device)
        return DeviceRequest.objects.filter(device=device, closed_at__isnull=True).update(
            closed_at=timezone.now(), outcome="cancelled"
        )


def rating_submit_device(
    *,
    device_token: str,
    user=None,
    level: Any,
    answers: dict | None = None,
    reasons: list | None = None,
    comment: str = "",
    address: str = "",
) -> Rating:
    """The applicant taps a rating on the window's device for the pending request."""
    _refuse_staff(user)
    device = device_by_token(device_token)
    if device.mode != DeviceMode.APPLICANT:
        raise RatingForbidden(
            RatingErrorCode.DEVICE_STAFF_MODE,
            _("评价器处于工作人员模式，不能评价。"),
        )
    with transaction.atomic():
        RatingDevice.objects.select_for_update().filter(pk=device.pk).first()
        request = pending_request(device)
        if request is None:
            raise RatingRefused(
                RatingErrorCode.NO_PENDING_REQUEST,
                _("当前没有待评价的服务。请在窗口工作人员办理完成后评价。"),
            )
        event = service_events.visit_event(request.service_ref)
        rating = _record(
            event=event,
            channel=RatingChannel.DEVICE,
            level=level,
            answers=answers,
            reasons=reasons,
            comment=comment,
            person_id=request.person_id,
            device=device.code,
            address=address,
            follow_up=False,
        )
        request.closed_at = rating.rated_at
        request.outcome = "rated"
        request.save(update_fields=["closed_at", "outcome"])
        return rating
