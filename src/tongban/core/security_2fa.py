"""The second factor for staff (等保 level 3 身份鉴别: two combined methods, one of them
cryptographic): a TOTP authenticator app (RFC 6238, django-otp) plus single-use recovery codes.

Applicants are never asked. With ``TONGBAN_REQUIRE_2FA`` on (production), a staff session that
has not passed the second factor reaches nothing but enrolment / verification and logout
(core/security_middleware.py); the API's session auth refuses it too (core/api_auth.py).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from base64 import b32encode

import django_otp
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import CoreErrorCode, NotFound, PermissionDenied, ValidationFailed
from .models import RecoveryCode, StaffProfile, User
from .permissions import Perm, is_staff_member, require_perm
from .security import Kind, security_event_record

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
# Recovery codes are 8 base32 characters (40 random bits), stored as PBKDF2-SHA256 with a
# random salt per batch: a copy of the database does not give the codes away, and guessing one
# offline costs 2^40 x this many hash rounds. Changing the count is safe: each stored hash
# carries its own.
RECOVERY_HASH_ITERATIONS = 20_000


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
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def recovery_code_hash(code: str, *, salt: str, iterations: int = RECOVERY_HASH_ITERATIONS) -> str:
    """The stored form of a recovery code: ``pbkdf2_sha256$<iterations>$<salt>$<hex>``."""
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt.encode(), iterations).hex()
    return f"pbkdf2_sha256${iterations}${salt}${digest}"


def _recovery_code_matches(device: StaticDevice, code: str) -> RecoveryCode | None:
    """The device's stored code equal to ``code``. Every stored hash is compared in constant
    time, and all of them are compared whatever matched, so timing tells nothing."""
    match = None
    hashed: dict[tuple[str, str], str] = {}
    for row in RecoveryCode.objects.filter(device=device).order_by("pk"):
        try:
            _algorithm, iterations, salt, _digest = row.code_hash.split("$", 3)
            key = (iterations, salt)
            if key not in hashed:
                hashed[key] = recovery_code_hash(code, salt=salt, iterations=int(iterations))
        except ValueError:
            continue
        if hmac.compare_digest(hashed[key].encode(), row.code_hash.encode()) and match is None:
            match = row
    return match


def _recovery_code_use(user: User, code: str) -> StaticDevice | None:
    """Use up one recovery code: the device when ``code`` was one of the user's, else None.
    The device row is locked, so a code cannot be used twice by two requests at once; django-
    otp's back-off (``OTP_STATIC_THROTTLE_FACTOR``) applies as to its own tokens."""
    with transaction.atomic():
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return None
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            return None
        match = _recovery_code_matches(device, code)
        if match is None:
            device.throttle_increment()
            return None
        match.delete()
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
    return device


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
    codes = [
        b32encode(secrets.token_bytes(5)).decode("ascii").lower()
        for _i in range(settings.TONGBAN_2FA_RECOVERY_CODES)
    ]
    salt = secrets.token_hex(16)
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, code_hash=recovery_code_hash(c, salt=salt)) for c in codes]
    )
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
        device = _recovery_code_use(user, code)
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
