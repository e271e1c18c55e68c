"""The second factor for staff (等保 level 3 身份鉴别: two combined methods, one of them
cryptographic): a TOTP authenticator app (RFC 6238, django-otp) plus single-use recovery codes.

Applicants are never asked. With ``TONGBAN_REQUIRE_2FA`` on (production), a staff session that
has not passed the second factor reaches nothing but enrolment / verification and logout
(core/security_middleware.py); the API's session auth refuses it too (core/api_auth.py).
"""

from __future__ import annotations

import re
from base64 import b32encode

import django_otp
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import CoreErrorCode, NotFound, PermissionDenied, ValidationFailed
from .models import StaffProfile, User
from .permissions import Perm, is_staff_member, require_perm
from .security import Kind, security_event_record

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


def needs_second_factor(user) -> bool:
    """Staff and configuration-site accounts; never applicants or anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff or user.is_superuser or is_staff_member(user))


def required() -> bool:
    return bool(getattr(settings, "TONGBAN_REQUIRE_2FA", False))


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def _invalid(message=None) -> ValidationFailed:
    return ValidationFailed(
        CoreErrorCode.SECOND_FACTOR_INVALID,
        message or _("验证码：验证码不正确或已过期，请查看验证器应用中的最新 6 位数字。"),
        field="code",
    )


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", str(code or "")).lower()[:32]


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, made once and kept until confirmed."""
    if has_device(user):
        raise PermissionDenied(_("您已绑定验证器。如需更换，请联系安全管理员重置。"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.TONGBAN_2FA_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def totp_enrolment_confirm(*, request, code: str) -> list[str]:
    """Confirm the pending authenticator with a code from it; returns the recovery codes (shown
    once). The session counts as verified from now on."""
    user = request.user
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or has_device(user):
            raise PermissionDenied(_("没有待确认的验证器，请重新开始绑定。"))
        if not device.verify_token(_clean(code)):
            verified = False
        else:
            verified = True
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
    if not verified:
        security_event_record(
            kind=Kind.TWO_FACTOR_FAILED, request=request, success=False, detail={"step": "enrol"}
        )
        raise _invalid()
    request.session.cycle_key()
    django_otp.login(request, device)
    security_event_record(kind=Kind.TWO_FACTOR_ENROLLED, request=request)
    return codes


def two_factor_verify(*, request, code: str) -> None:
    """Check a code from the authenticator, or one recovery code (used up by this)."""
    user = request.user
    code = _clean(code)
    if not code:
        raise ValidationFailed(
            CoreErrorCode.SECOND_FACTOR_INVALID, _("验证码：请输入验证码。"), field="code"
        )
    device = None
    if code.isdigit() and len(code) == 6:
        totp = confirmed_totp(user)
        if totp is not None:
            device = django_otp.verify_token(user, totp.persistent_id, code)
    else:
        static = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if static is not None:
            device = django_otp.verify_token(user, static.persistent_id, code)
    if device is None:
        security_event_record(
            kind=Kind.TWO_FACTOR_FAILED, request=request, success=False, detail={"step": "verify"}
        )
        raise _invalid()
    request.session.cycle_key()
    django_otp.login(request, device)
    if isinstance(device, StaticDevice):
        security_event_record(
            kind=Kind.TWO_FACTOR_RECOVERY_USED,
            request=request,
            detail={"left": recovery_codes_left(user)},
        )
    else:
        security_event_record(kind=Kind.TWO_FACTOR_OK, request=request)


def recovery_codes_renew(*, request) -> list[str]:
    """New recovery codes for a verified staff member; the old ones stop working."""
    user = request.user
    if not has_device(user) or not is_verified(user):
        raise PermissionDenied(_("请先完成双因素验证。"))
    with transaction.atomic():
        codes = _new_recovery_codes(user)
    security_event_record(kind=Kind.TWO_FACTOR_RECOVERY_RENEWED, request=request)
    return codes


def two_factor_reset(*, actor: User, user_id: int, request=None) -> None:
    """Remove a staff member's authenticator and recovery codes (lost phone): the security
    administrator's work, never for their own account. The person enrols again at next login."""
    try:
        require_perm(actor, Perm.TWO_FACTOR_RESET)
        if actor.pk == user_id:
            raise PermissionDenied(_("不能重置自己的双因素认证，请由另一名安全管理员办理。"))
        user = User.objects.filter(pk=user_id).first()
        if user is None or not StaffProfile.objects.filter(user=user).exists():
            raise NotFound(_("未找到该工作人员。"))
    except (PermissionDenied, NotFound) as exc:
        security_event_record(
            kind=Kind.TWO_FACTOR_RESET,
            request=request,
            actor=actor,
            success=False,
            target=f"user:{user_id}",
            detail={"code": str(exc.code)},
        )
        raise
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    security_event_record(
        kind=Kind.TWO_FACTOR_RESET,
        request=request,
        actor=actor,
        target=f"user:{user.get_username()}",
    )


def secret_of(device: TOTPDevice) -> str:
    """The device's key in base32, as authenticator apps take it when typed in."""
    return b32encode(device.bin_key).decode("ascii").rstrip("=")
