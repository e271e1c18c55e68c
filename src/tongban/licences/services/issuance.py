"""Issuance, re-issue and revocation of e-licences.

Each is one transaction: lock (the serial counter, or the licence row), check, write the licence,
append one hash-chained event (two on a re-issue: the new version's and the old one's).
The signed payload is built by ``payload_of`` and serialised by ``canonical.canonical_bytes``.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import ValidationFailed
from tongban.core.events import event_append
from tongban.core.models import Department, Enterprise, Person

from .. import canonical, crypto, keystore
from ..errors import LicenceErrorCode, LicenceRefused
from ..identifiers import InvalidIdentifier, make_identifier
from ..models import (
    HolderKind,
    Licence,
    LicenceEvent,
    LicenceSerialCounter,
    LicenceStatus,
    LicenceType,
    Seal,
    ValidityKind,
)
from .keys import signing_key_for
from .reminders import reminders_schedule

MAX_TEXT = 200


def stream_of(licence: Licence) -> str:
    return f"licence:{licence.pk}"


def _label(actor, actor_label: str) -> str:
    return actor_label or (str(actor) if getattr(actor, "pk", None) else "")


# --- data validation ----------------------------------------------------------------------------


def _bad(field: str, message, **params) -> ValidationFailed:
    return ValidationFailed(LicenceErrorCode.INVALID_DATA, message, field=field, **params)


def _normalise_value(spec: dict[str, Any], value: Any) -> Any:
    name, label = spec["name"], spec.get("label") or spec["name"]
    kind = spec.get("type", "text")
    if kind == "date":
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        try:
            return date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise _bad(
                name, _("“%(label)s”不是有效的日期，应为 YYYY-MM-DD。"), label=label
            ) from None
    if kind == "number":
        if isinstance(value, bool):
            raise _bad(name, _("“%(label)s”应为数字。"), label=label)
        if isinstance(value, int):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise _bad(name, _("“%(label)s”应为数字。"), label=label) from None
        if not number.is_finite():
            raise _bad(name, _("“%(label)s”应为数字。"), label=label)
        return int(number) if number == number.to_integral_value() else str(number.normalize())
    if isinstance(value, list | dict):
        raise _bad(name, _("“%(label)s”应为文本。"), label=label)
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise _bad(name, _("“%(label)s”不能超过 %(max)s 个字。"), label=label, max=MAX_TEXT)
    if kind == "choice":
        choices = [str(c) for c in spec.get("choices") or []]
        if text not in choices:
            raise _bad(
                name,
                _("“%(label)s”应为以下之一：%(choices)s。"),
                label=label,
                choices="、".join(choices),
            )
    return text


def validate_data(licence_type: LicenceType, data: dict[str, Any] | None) -> dict[str, Any]:
    """The face data checked against the type's fields: unknown fields, missing required
    ones and badly typed values are refused with the field named; blanks are dropped."""
    if not isinstance(data, dict):
        raise _bad("data", _("照面信息应为字段名到值的对应。"))
    specs = {spec["name"]: spec for spec in licence_type.fields or []}
    unknown = sorted(set(data) - set(specs))
    if unknown:
        raise _bad(
            unknown[0],
            _("证照类型“%(type)s”没有字段“%(name)s”。"),
            type=licence_type.name,
            name=str(unknown[0])[:40],
        )
    clean: dict[str, Any] = {}
    for name, spec in specs.items():
        value = data.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if spec.get("required"):
                raise _bad(name, _("请填写“%(label)s”。"), label=spec.get("label") or name)
            continue
        clean[name] = _normalise_value(spec, value)
    return clean


# --- dates, numbers, payload --------------------------------------------------------------------


def _add_years(day: date, years: int) -> date:
    year = day.year + years
    last = calendar.monthrange(year, day.month)[1]
    return day.replace(year=year, day=min(day.day, last))


def default_valid_until(licence_type: LicenceType, issued_on: date) -> date | None:
    """Fixed years: the day before the anniversary; until a date: that date; permanent: None."""
    if licence_type.validity_kind == ValidityKind.YEARS and licence_type.validity_years:
        return _add_years(issued_on, licence_type.validity_years) - dt.timedelta(days=1)
    if licence_type.validity_kind == ValidityKind.UNTIL:
        return licence_type.valid_until
    return None


def check_value_of(identifier: str, signature: bytes) -> str:
    """The short check value printed in the QR link: 8 base32 characters of
    SM3(identifier ‖ signature) — unguessable without the licence."""
    digest = crypto.sm3(identifier.encode() + bytes(signature))
    return base64.b32encode(digest[:5]).decode()


def payload_of(licence: Licence) -> dict[str, Any]:
    """What is signed: every fact printed on the licence (docs/licences.md)."""
    return {
        "format": canonical.PAYLOAD_FORMAT,
        "identifier": licence.identifier,
        "number": licence.number,
        "version": licence.version,
        "previous": licence.previous.identifier if licence.previous_id else "",
        "type": {"code": licence.licence_type.code, "name": licence.licence_type.name},
        "holder": {
            "kind": licence.holder_kind,
            "name": licence.holder_name,
            "id_no": licence.holder_id_no,
        },
        "data": licence.data,
        "issuer": {
            "code": licence.issuer.code,
            "name": licence.issuer.name,
            "credit_code": licence.issuer.credit_code,
        },
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "photo_sm3": getattr(licence, "_photo_sm3", ""),
        "case_no": licence.case_no,
        "imported": licence.imported,
        "source_system": licence.source_system,
        "key_id": licence.key.key_id,
    }


def _sign(licence: Licence) -> None:
    key = licence.key
    try:
        private = keystore.decrypt_private_key(key.private_key_encrypted, key_id=key.key_id)
    except keystore.KeystoreUnavailable:
        raise LicenceRefused(
            LicenceErrorCode.KEYSTORE_UNAVAILABLE,
            _("未配置密钥加密密钥（TONGBAN_LICENCE_KEY_SECRET），生产环境不能签发电子证照。"),
        ) from None
    except (keystore.KeystoreError, crypto.InvalidKey):
        raise LicenceRefused(
            LicenceErrorCode.KEYSTORE_UNAVAILABLE,
            _("签名密钥 %(key)s 无法解密（密钥加密密钥不对或密钥已被改动）。"),
            key=key.key_id,
        ) from None
    public = crypto.PublicKey.from_hex(key.public_key)
    licence.payload = canonical.canonical_bytes(payload_of(licence))
    licence.signature = crypto.sign(licence.payload, private, public)
    licence.check_value = check_value_of(licence.identifier, licence.signature)


def _photo_digest(photo: File | None) -> str:
    if photo is None:
        return ""
    photo.seek(0)
    digest = crypto.sm3(photo.read()).hex()
    photo.seek(0)
    return digest


def _issuer_seal(issuer: Department) -> Seal | None:
    return Seal.objects.filter(department=issuer, is_active=True).order_by("-id").first()


def _next_serial(licence_type: LicenceType, issuer: Department, year: int) -> str:
    counter = (
        LicenceSerialCounter.objects.select_for_update()
        .filter(licence_type=licence_type, issuer=issuer, year=year)
        .first()
    )
    if counter is None:
        try:
            with transaction.atomic():
                counter = LicenceSerialCounter.objects.create(
                    licence_type=licence_type, issuer=issuer, year=year, last=0
                )
        except IntegrityError:  # a concurrent first issuance made it: lock that one
            counter = LicenceSerialCounter.objects.select_for_update().get(
                licence_type=licence_type, issuer=issuer, year=year
            )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year:04d}{counter.last:06d}"


def _holder(licence_type: LicenceType, person, enterprise) -> tuple[str, str, str]:
    if licence_type.holder_kind == HolderKind.PERSON:
        if person is None or enterprise is not None:
            raise ValidationFailed(
                LicenceErrorCode.HOLDER_MISMATCH,
                _("“%(type)s”的持证人应为自然人。"),
                field="holder",
                type=licence_type.name,
            )
        return HolderKind.PERSON, person.name, person.id_number
    if enterprise is None or person is not None:
        raise ValidationFailed(
            LicenceErrorCode.HOLDER_MISMATCH,
            _("“%(type)s”的持证主体应为法人或其他组织。"),
            field="holder",
            type=licence_type.name,
        )
    return HolderKind.ENTERPRISE, enterprise.name, enterprise.credit_code


# --- services -----------------------------------------------------------------------------------


def licence_issue(
    *,
    licence_type: LicenceType,
    person: Person | None = None,
    enterprise: Enterprise | None = None,
    data: dict,
    case_no: str = "",
    actor=None,
    actor_label: str = "",
    issued_on: date | None = None,
    valid_until: date | None = None,
    photo: File | None = None,
    imported: bool = False,
    source_system: str = "",
    number: str = "",
) -> Licence:
    """Issue (or, with ``imported``, record) one licence: serial, identifier, canonical payload,
    SM2 signature with the issuer's active key, check value and an event, in one transaction."""
    if not licence_type.is_active:
        raise LicenceRefused(
            LicenceErrorCode.TYPE_INACTIVE, _("证照类型“%(type)s”已停用。"), type=licence_type.name
        )
    holder_kind, holder_name, holder_id_no = _holder(licence_type, person, enterprise)
    clean = validate_data(licence_type, data)
    issuer = licence_type.department
    if not issuer.credit_code:
        raise LicenceRefused(
            LicenceErrorCode.NO_ISSUER_CODE,
            _("发证部门%(dept)s没有统一社会信用代码，无法生成电子证照标识。"),
            dept=issuer.name,
        )
    issued_on = issued_on or workdays.business_date(timezone.now())
    if valid_until is None:
        valid_until = default_valid_until(licence_type, issued_on)
    if valid_until is not None and valid_until < issued_on:
        raise ValidationFailed(
            LicenceErrorCode.INVALID_DATA, _("有效期至不能早于发证日期。"), field="valid_until"
        )
    number = (number or "").strip()
    if len(number) > 64:
        raise ValidationFailed(
            LicenceErrorCode.INVALID_DATA, _("证照编号不能超过 64 个字符。"), field="number"
        )
    if len(case_no) > 32 or len(source_system) > 64:
        raise ValidationFailed(
            LicenceErrorCode.INVALID_DATA, _("来源办件编号或来源系统过长。"), field="case_no"
        )
    photo_sm3 = _photo_digest(photo) if licence_type.has_photo else ""
    key = signing_key_for(issuer, _issuer_seal(issuer))

    with transaction.atomic():
        serial = _next_serial(licence_type, issuer, issued_on.year)
        number = number or f"{licence_type.number_prefix or licence_type.code}{serial}"
        if Licence.objects.filter(licence_type=licence_type, number=number).exists():
            raise LicenceRefused(
                LicenceErrorCode.DUPLICATE_NUMBER,
                _("编号为 %(number)s 的“%(type)s”已经存在。"),
                number=number,
                type=licence_type.name,
            )
        try:
            identifier = make_identifier(
                type_code=licence_type.code,
                credit_code=issuer.credit_code,
                serial=serial,
                version=1,
            )
        except InvalidIdentifier as exc:
            raise ValidationFailed(
                LicenceErrorCode.INVALID_DATA,
                _("无法生成电子证照标识：%(why)s"),
                field="licence_type",
                why=str(exc),
            ) from None
        licence = Licence(
            identifier=identifier,
            licence_type=licence_type,
            number=number,
            serial=serial,
            version=1,
            holder_kind=holder_kind,
            person=person,
            enterprise=enterprise,
            holder_name=holder_name,
            holder_id_no=holder_id_no,
            data=clean,
            issuer=issuer,
            issued_on=issued_on,
            valid_from=issued_on,
            valid_until=valid_until,
            status=LicenceStatus.VALID,
            case_no=case_no,
            imported=imported,
            source_system=source_system,
            key=key,
        )
        licence._photo_sm3 = photo_sm3
        _sign(licence)
        if photo is not None and licence_type.has_photo:
            licence.photo.save(f"{serial}.jpg", photo, save=False)
        licence.save(force_insert=True)
        event_append(
            model=LicenceEvent,
            stream=stream_of(licence),
            new_stream=True,
            action="imported" if imported else "issued",
            actor=actor,
            actor_label=_label(actor, actor_label),
            to_state=LicenceStatus.VALID,
            payload={"identifier": identifier, "case_no": case_no, "key_id": key.key_id},
            licence=licence,
        )
        reminders_schedule(licence=licence)
    return licence


def _locked(licence: Licence) -> Licence:
    return (
        Licence.objects.select_for_update(of=("self",))
        .select_related("licence_type", "issuer", "key", "previous")
        .get(pk=licence.pk)
    )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(LicenceErrorCode.REASON_REQUIRED, _("请填写原因。"), field="reason")
    if len(reason) > 256:
        raise ValidationFailed(
            LicenceErrorCode.REASON_REQUIRED, _("原因不能超过 256 个字。"), field="reason"
        )
    return reason


def _refuse_state(licence: Licence) -> LicenceRefused:
    return LicenceRefused(
        LicenceErrorCode.NOT_VALID,
        _("该证照当前状态为“%(state)s”，不能再办理此操作。"),
        state=LicenceStatus(licence.status).label,
    )


def licence_reissue(*, licence: Licence, data: dict, reason: str, actor) -> Licence:
    """A change or renewal: version + 1 with the same number and serial, new dates from the
    type's rule, signed with the issuer's current key; the old version is superseded."""
    reason = _require_reason(reason)
    with transaction.atomic():
        old = _locked(licence)
        if old.status != LicenceStatus.VALID:
            raise _refuse_state(old)
        if old.version >= 999:
            raise LicenceRefused(LicenceErrorCode.VERSION_LIMIT, _("该证照的版本号已用尽。"))
        licence_type = old.licence_type
        clean = validate_data(licence_type, data)
        issued_on = workdays.business_date(timezone.now())
        key = signing_key_for(old.issuer, _issuer_seal(old.issuer))
        identifier = make_identifier(
            type_code=licence_type.code,
            credit_code=old.issuer.credit_code,
            serial=old.serial,
            version=old.version + 1,
        )
        new = Licence(
            identifier=identifier,
            licence_type=licence_type,
            number=old.number,
            serial=old.serial,
            version=old.version + 1,
            previous=old,
            holder_kind=old.holder_kind,
            person_id=old.person_id,
            enterprise_id=old.enterprise_id,
            holder_name=old.holder_name,
            holder_id_no=old.holder_id_no,
            data=clean,
            photo=old.photo.name if old.photo else "",
            issuer=old.issuer,
            issued_on=issued_on,
            valid_from=issued_on,
            valid_until=default_valid_until(licence_type, issued_on),
            status=LicenceStatus.VALID,
            case_no=old.case_no,
            imported=False,
            key=key,
        )
        new._photo_sm3 = _stored_photo_sm3(old)
        _sign(new)
        new.save(force_insert=True)
        now = timezone.now()
        old.status = LicenceStatus.SUPERSEDED
        old.status_changed_at = now
        old.status_reason = reason
        old.save(update_fields=["status", "status_changed_at", "status_reason"])
        event_append(
            model=LicenceEvent,
            stream=stream_of(old),
            action="superseded",
            actor=actor,
            from_state=LicenceStatus.VALID,
            to_state=LicenceStatus.SUPERSEDED,
            reason=reason,
            payload={"next": identifier},
            licence=old,
        )
        event_append(
            model=LicenceEvent,
            stream=stream_of(new),
            new_stream=True,
            action="reissued",
            actor=actor,
            to_state=LicenceStatus.VALID,
            reason=reason,
            payload={"identifier": identifier, "previous": old.identifier, "key_id": key.key_id},
            licence=new,
        )
        reminders_schedule(licence=new)
    return new


def _stored_photo_sm3(licence: Licence) -> str:
    try:
        return canonical.parse_payload(bytes(licence.payload)).get("photo_sm3", "")
    except ValueError:
        return ""


def licence_revoke(*, licence: Licence, reason: str, actor=None, actor_label: str = "") -> Licence:
    """Revocation (注销), e.g. after a failed 告知承诺 post-check: final, with date and reason."""
    reason = _require_reason(reason)
    with transaction.atomic():
        locked = _locked(licence)
        if locked.status != LicenceStatus.VALID:
            raise _refuse_state(locked)
        locked.status = LicenceStatus.REVOKED
        locked.status_changed_at = timezone.now()
        locked.status_reason = reason
        locked.save(update_fields=["status", "status_changed_at", "status_reason"])
        event_append(
            model=LicenceEvent,
            stream=stream_of(locked),
            action="revoked",
            actor=actor,
            actor_label=_label(actor, actor_label),
            from_state=LicenceStatus.VALID,
            to_state=LicenceStatus.REVOKED,
            reason=reason,
            licence=locked,
        )
    return locked
