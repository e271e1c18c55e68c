"""The licences API under /api/v1/: public verification and the published signing keys.

``GET /api/v1/licences/{no}/verify`` answers 200 with ``valid: false`` and the reasons for
anything it cannot vouch for (expired, revoked, tampered, wrong key, bad signature) and 404
only for a number no licence has — never a 500.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from tongban.core.access import rule

from . import selectors
from .views.verify import key_entry, record_scan

router = Router(tags=["licences"])


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class FaceRowOut(Schema):
    label: str
    value: str


class VerificationOut(Schema):
    licence_no: str
    valid: bool
    state: str
    reasons: list[str]
    signature_ok: bool
    check_ok: bool | None = None
    identifier: str
    type: str
    issuer: str
    issued_on: str | None = None
    valid_until: str | None = None
    status_date: str | None = None
    status_reason: str
    key_id: str
    public_key: str
    face: list[FaceRowOut]


class VerifyQuery(Schema):
    c: str = ""


class IssuerOut(Schema):
    code: str
    name: str
    credit_code: str


class KeyOut(Schema):
    key_id: str
    department: IssuerOut
    seal: str | None = None
    algorithm: str
    curve: str
    digest: str
    user_id: str
    public_key_hex: str
    public_key_pem: str
    status: str
    created_at: str
    retired_at: str | None = None


class KeysOut(Schema):
    keys: list[KeyOut]


@rule("public")
@router.get(
    "/licences/{licence_no}/verify",
    response={200: VerificationOut, 404: VerificationOut},
    auth=None,
    summary="Verify a licence by its printed number (c: the QR code's check value)",
)
def licence_verify(request: HttpRequest, licence_no: str, query: Query[VerifyQuery]):
    result = selectors.verify_licence(licence_no, check=query.c)
    record_scan(request, result, api=True)
    return Status(404 if result.state == "unknown" else 200, result.as_dict())


@rule("public")
@router.get(
    "/licences/keys",
    response=KeysOut,
    auth=None,
    summary="Every signing key, active and retired (as /.well-known/tongban/keys.json)",
)
def licence_keys(request: HttpRequest):
    return {"keys": [key_entry(k) for k in selectors.signing_keys()]}
