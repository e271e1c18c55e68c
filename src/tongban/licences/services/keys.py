"""Signing keys: creation and rotation (one active SM2 key per department, or per seal).

The private key is encrypted before it reaches the database (keystore). Rotation retires the
active key — it keeps verifying the licences it signed — and creates a new one; both steps are
one transaction, with an audit event each.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.events import event_append
from tongban.core.models import AuditEvent, Department

from .. import crypto, keystore, seals
from ..errors import LicenceErrorCode, LicenceRefused
from ..models import KeyStatus, Seal, SigningKey


def _keystore_ready() -> None:
    try:
        keystore.keystore_source()
    except keystore.KeystoreUnavailable:
        raise LicenceRefused(
            LicenceErrorCode.KEYSTORE_UNAVAILABLE,
            _("未配置密钥加密密钥（TONGBAN_LICENCE_KEY_SECRET），生产环境不能生成或使用签名密钥。"),
        ) from None


def _check_seal(department: Department, seal: Seal | None) -> None:
    if seal is not None and seal.department_id != department.pk:
        raise ValidationFailed(
            LicenceErrorCode.SEAL_MISMATCH,
            _("印章“%(seal)s”不属于%(dept)s。"),
            field="seal",
            seal=seal.name,
            dept=department.name,
        )


def _new_key(*, department: Department, seal: Seal | None) -> SigningKey:
    private, public = crypto.generate_keypair()
    stamp = timezone.localdate().strftime("%Y%m%d")
    key_id = f"{department.code}-{stamp}-{crypto.fingerprint(public)[:8]}"
    return SigningKey.objects.create(
        key_id=key_id,
        department=department,
        seal=seal,
        algorithm=crypto.ALGORITHM,
        public_key=public.hex,
        private_key_encrypted=keystore.encrypt_private_key(private, key_id=key_id),
        status=KeyStatus.ACTIVE,
    )


def _audit(key: SigningKey, *, action: str, actor, reason: str = "") -> None:
    event_append(
        model=AuditEvent,
        stream=f"signing-key:{key.department.code}",
        action=action,
        actor=actor,
        reason=reason,
        payload={"key_id": key.key_id, "seal": key.seal_id, "public_key": key.public_key},
    )


def _active(department: Department, seal: Seal | None):
    return SigningKey.objects.select_for_update().filter(
        department=department, seal=seal, status=KeyStatus.ACTIVE
    )


def key_create(*, department: Department, seal: Seal | None = None, actor=None) -> SigningKey:
    """A first SM2 key pair for ``department`` (and ``seal``); refused when one is active."""
    _keystore_ready()
    _check_seal(department, seal)
    with transaction.atomic():
        Department.objects.select_for_update().filter(pk=department.pk).first()
        existing = _active(department, seal).first()
        if existing is not None:
            raise LicenceRefused(
                LicenceErrorCode.NO_SIGNING_KEY,
                _("%(dept)s已有使用中的签名密钥 %(key)s；要换新密钥请轮换。"),
                dept=department.name,
                key=existing.key_id,
            )
        key = _new_key(department=department, seal=seal)
        _audit(key, action="key_created", actor=actor)
    return key


def key_rotate(
    *, department: Department, seal: Seal | None = None, actor=None, reason: str = ""
) -> SigningKey:
    """Retire the active key (it keeps verifying) and create its successor."""
    _keystore_ready()
    _check_seal(department, seal)
    with transaction.atomic():
        Department.objects.select_for_update().filter(pk=department.pk).first()
        now = timezone.now()
        for old in _active(department, seal):
            old.status = KeyStatus.RETIRED
            old.retired_at = now
            old.save(update_fields=["status", "retired_at"])
            _audit(old, action="key_retired", actor=actor, reason=reason)
        key = _new_key(department=department, seal=seal)
        _audit(key, action="key_created", actor=actor, reason=reason)
    return key


def signing_key_for(department: Department, seal: Seal | None = None) -> SigningKey:
    """The active key that signs for ``department``: the seal's own key, else the department's."""
    # one query: a department has a handful of active keys at most (its own, one per seal)
    keys = list(
        SigningKey.objects.filter(department=department, status=KeyStatus.ACTIVE).order_by("-id")
    )
    key = None
    if seal is not None:
        key = next((k for k in keys if k.seal_id == seal.pk), None)
    if key is None:
        key = next((k for k in keys if k.seal_id is None), None) or (keys[0] if keys else None)
    if key is None:
        raise LicenceRefused(
            LicenceErrorCode.NO_SIGNING_KEY,
            _("%(dept)s还没有签名密钥，请先执行 tongban keys create %(dept_code)s。"),
            dept=department.name,
            dept_code=department.code,
        )
    return key


def seal_create(
    *, department: Department, name: str, image: bytes | None = None, actor=None
) -> Seal:
    """A seal of ``department`` (the existing active one of that name is returned as is);
    without an image one is drawn (seals.draw_seal)."""
    name = (name or "").strip()
    if not name or len(name) > 128:
        raise ValidationFailed(
            LicenceErrorCode.INVALID_DATA, _("请填写印章名称（不超过 128 个字）。"), field="seal"
        )
    with transaction.atomic():
        seal = Seal.objects.filter(department=department, name=name, is_active=True).first()
        if seal is not None:
            return seal
        seal = Seal(department=department, name=name, is_active=True)
        content = image if image is not None else seals.draw_seal(department.name)
        seal.image.save(f"{department.code}-seal.png", ContentFile(content), save=False)
        seal.save()
        event_append(
            model=AuditEvent,
            stream=f"signing-key:{department.code}",
            action="seal_created",
            actor=actor,
            payload={"seal": seal.pk, "name": name},
        )
    return seal
