"""Reads of licences: state, lookup, verification.

``verify_licence`` never raises for anything a client can send: an unknown number, damaged
signed data, a wrong key id or a truncated signature each give ``valid=False`` with the
reasons in plain Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tongban.core import workdays
from tongban.core.masking import mask_id_number, mask_name

from . import canonical, crypto
from .identifiers import InvalidIdentifier, parse_identifier
from .models import HolderKind, KeyStatus, Licence, LicenceStatus, LicenceType, SigningKey

STATES = ("valid", "expired", "revoked", "superseded")
_NUMBER = re.compile(r"^[0-9A-Za-z\-_/（）()\u4e00-\u9fff]{1,64}$")


@dataclass
class Verification:
    valid: bool
    state: str  # "valid" | "expired" | "revoked" | "superseded" | "unknown"
    reasons: list[str] = field(default_factory=list)
    licence: Licence | None = None
    signature_ok: bool = False
    key_id: str = ""
    face: list[tuple[str, str]] = field(default_factory=list)  # (label, masked value)
    licence_no: str = ""
    type_name: str = ""
    issuer_name: str = ""
    identifier: str = ""
    issued_on: str = ""
    valid_until: str = ""  # "" for permanent licences
    status_date: str = ""  # when it was revoked or superseded
    status_reason: str = ""
    public_key: str = ""
    public_key_pem: str = ""
    check_ok: bool | None = None  # None: no check value given

    def as_dict(self) -> dict[str, Any]:
        return {
            "licence_no": self.licence_no,
            "valid": self.valid,
            "state": self.state,
            "reasons": self.reasons,
            "signature_ok": self.signature_ok,
            "check_ok": self.check_ok,
            "identifier": self.identifier,
            "type": self.type_name,
            "issuer": self.issuer_name,
            "issued_on": self.issued_on or None,
            "valid_until": self.valid_until or None,
            "status_date": self.status_date or None,
            "status_reason": self.status_reason,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "face": [{"label": label, "value": value} for label, value in self.face],
        }


def today_date() -> date:
    return workdays.business_date(timezone.now())


def licence_state(licence: Licence, *, today: date | None = None) -> str:
    """ "valid" | "expired" | "revoked" | "superseded" (expired: valid but past valid_until)."""
    if licence.status == LicenceStatus.REVOKED:
        return "revoked"
    if licence.status == LicenceStatus.SUPERSEDED:
        return "superseded"
    today = today or today_date()
    if licence.valid_until is not None and today > licence.valid_until:
        return "expired"
    return "valid"


def _holder_filter(person=None, enterprise=None) -> Q | None:
    if person is not None:
        return Q(person=person)
    if enterprise is not None:
        return Q(enterprise=enterprise)
    return None


def licences_of(*, person=None, enterprise=None) -> QuerySet[Licence]:
    """All licences of one holder, every version, newest first."""
    holder = _holder_filter(person, enterprise)
    if holder is None:
        return Licence.objects.none()
    return (
        Licence.objects.filter(holder)
        .select_related("licence_type", "issuer", "key")
        .order_by("-issued_on", "-id")
    )


def valid_licence_of(
    *, type_code: str, person=None, enterprise=None, today: date | None = None
) -> Licence | None:
    """The holder's newest valid, unexpired licence of that type (None if there is none)."""
    holder = _holder_filter(person, enterprise)
    if holder is None:
        return None
    today = today or today_date()
    return (
        Licence.objects.filter(holder, licence_type__code=type_code, status=LicenceStatus.VALID)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("licence_type", "issuer", "key")
        .order_by("-issued_on", "-version", "-id")
        .first()
    )


def licence_by_number(licence_no: str) -> Licence | None:
    """The newest version with that printed number (None for an unknown or malformed one)."""
    licence_no = (licence_no or "").strip()
    if not _NUMBER.match(licence_no):
        return None
    return (
        Licence.objects.filter(number=licence_no)
        .select_related("licence_type", "issuer", "key", "previous")
        .order_by("-version", "-id")
        .first()
    )


def licence_by_identifier(identifier: str) -> Licence | None:
    try:
        parse_identifier(identifier)
    except InvalidIdentifier:
        return None
    return (
        Licence.objects.filter(identifier=identifier.strip())
        .select_related("licence_type", "issuer", "key", "previous")
        .first()
    )


def licences_recent(*, limit: int = 20) -> QuerySet[Licence]:
    return Licence.objects.order_by("-id")[: max(0, limit)]


def signing_keys() -> QuerySet[SigningKey]:
    return SigningKey.objects.select_related("department", "seal").order_by(
        "department__code", "-id"
    )


def active_key_of(department) -> SigningKey | None:
    return (
        SigningKey.objects.filter(department=department, status=KeyStatus.ACTIVE)
        .order_by("-id")
        .first()
    )


def licence_types() -> QuerySet[LicenceType]:
    return LicenceType.objects.select_related("department").order_by("code")


# --- verification -------------------------------------------------------------------------------


def _mask_value(value: str) -> str:
    """A personal face field: an ID-like number keeps 4 + 4 characters, a date its year,
    anything else its first character."""
    if re.fullmatch(r"[0-9Xx]{15,18}", value or ""):
        return mask_id_number(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
        return value[:4] + "-**-**"
    return mask_name(value)


def face_of(payload: dict[str, Any], licence_type: LicenceType | None) -> list[tuple[str, str]]:
    """The face data from the signed payload, personal data masked (docs/licences.md)."""
    holder = payload.get("holder") or {}
    person = holder.get("kind") == HolderKind.PERSON
    rows: list[tuple[str, str]] = []
    name, id_no = str(holder.get("name", "")), str(holder.get("id_no", ""))
    if person:
        rows.append((_("持证人"), mask_name(name)))
        rows.append((_("证件号码"), mask_id_number(id_no)))
    else:
        rows.append((_("持证主体"), name))
        rows.append((_("统一社会信用代码"), id_no))
    specs = {s["name"]: s for s in (licence_type.fields if licence_type else []) or []}
    data = payload.get("data") or {}
    order = list(specs) + sorted(k for k in data if k not in specs)
    for key in order:
        if key not in data:
            continue
        spec = specs.get(key, {})
        value = str(data[key])
        if spec.get("personal"):
            value = _mask_value(value)
        rows.append((str(spec.get("label") or key), value))
    return rows


def _consistent(licence: Licence, payload: dict[str, Any]) -> list[str]:
    """Names of the record's fields that differ from what was signed."""
    expected = {
        "identifier": licence.identifier,
        "number": licence.number,
        "version": licence.version,
        "type.code": licence.licence_type.code,
        "holder.name": licence.holder_name,
        "holder.id_no": licence.holder_id_no,
        "holder.kind": licence.holder_kind,
        "data": licence.data,
        "issuer.credit_code": licence.issuer.credit_code,
        "issued_on": licence.issued_on.isoformat(),
        "valid_from": licence.valid_from.isoformat(),
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "key_id": licence.key.key_id,
    }
    differ = []
    for path, value in expected.items():
        node: Any = payload
        for part in path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node != value:
            differ.append(path)
    return differ


def _date_text(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "astimezone"):
        return workdays.business_date(value).isoformat()
    return value.isoformat()


def verify_licence(licence_no: str, *, check: str = "", today: date | None = None) -> Verification:
    """Everything a verifier needs to know about a licence number, checked end to end."""
    licence_no = (licence_no or "").strip()[:80]
    check = (check or "").strip().upper()[:16]
    licence = licence_by_number(licence_no)
    if licence is not None and check and licence.check_value != check:
        # a QR code of an older version carries that version's check value
        older = (
            Licence.objects.filter(number=licence.number, check_value=check)
            .select_related("licence_type", "issuer", "key", "previous")
            .first()
        )
        licence = older or licence
    if licence is None:
        return Verification(
            valid=False,
            state="unknown",
            licence_no=licence_no,
            reasons=[_("没有编号为 %(no)s 的电子证照。") % {"no": licence_no or "—"}],
        )
    result = Verification(
        valid=False,
        state=licence_state(licence, today=today),
        licence=licence,
        licence_no=licence.number,
        type_name=licence.licence_type.name,
        issuer_name=licence.issuer.name,
        identifier=licence.identifier,
        issued_on=licence.issued_on.isoformat(),
        valid_until=licence.valid_until.isoformat() if licence.valid_until else "",
        status_date=_date_text(licence.status_changed_at),
        status_reason=licence.status_reason,
        key_id=licence.key.key_id,
        public_key=licence.key.public_key,
    )
    reasons = result.reasons
    if check:
        result.check_ok = licence.check_value == check
        if not result.check_ok:
            reasons.append(_("校验码与该证照不符：二维码不是这张证照的，或已被改动。"))
    payload: dict[str, Any] = {}
    try:
        payload = canonical.parse_payload(bytes(licence.payload))
    except ValueError:
        reasons.append(_("签名原文已损坏，不是规范的 UTF-8 JSON。"))
    try:
        public = crypto.PublicKey.from_hex(licence.key.public_key)
        result.public_key_pem = public.to_pem()
    except crypto.InvalidKey:
        public = None
        reasons.append(_("签名密钥 %(key)s 的公钥无效。") % {"key": licence.key.key_id})
    signature = bytes(licence.signature or b"")
    try:
        crypto.der_decode(signature)
        well_formed = True
    except crypto.InvalidSignature:
        well_formed = False
        reasons.append(_("签名值格式错误（不完整或不是 DER 编码的 SM2 签名）。"))
    if public is not None and well_formed:
        result.signature_ok = crypto.verify(bytes(licence.payload), signature, public)
        if not result.signature_ok:
            reasons.append(_("SM2 签名验证失败：证照数据已被篡改，或不是用该密钥签发的。"))
    if payload:
        if payload.get("key_id") != licence.key.key_id:
            reasons.append(
                _("签名原文中的密钥标识（%(signed)s）与记录的密钥（%(key)s）不一致。")
                % {"signed": str(payload.get("key_id"))[:64], "key": licence.key.key_id}
            )
        differ = _consistent(licence, payload)
        if differ:
            reasons.append(
                _("证照记录与签名原文不一致：%(fields)s。") % {"fields": "、".join(differ)}
            )
        result.face = face_of(payload, licence.licence_type)
    try:
        parse_identifier(licence.identifier)
    except InvalidIdentifier:
        reasons.append(_("电子证照标识格式或校验位错误。"))
    if result.state == "revoked":
        reasons.append(
            _("该证照已于 %(date)s 注销，原因：%(reason)s")
            % {"date": result.status_date, "reason": licence.status_reason or "—"}
        )
    elif result.state == "superseded":
        newer = getattr(licence, "next_version", None)
        reasons.append(
            _("该证照已于 %(date)s 换发新版本（第 %(version)s 版），原因：%(reason)s")
            % {
                "date": result.status_date,
                "version": newer.version if newer else licence.version + 1,
                "reason": licence.status_reason or "—",
            }
        )
    elif result.state == "expired":
        reasons.append(_("该证照已于 %(date)s 到期。") % {"date": result.valid_until})
    result.valid = not reasons and result.signature_ok and result.state == "valid"
    return result
