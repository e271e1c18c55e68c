"""Export of a licence for offline verification, and the offline check itself.

An export directory holds ``payload.json`` (the exact signed bytes), ``signature.der`` (the
DER-encoded SM2 signature), ``public.pem`` (the issuer's public key) and ``VERIFY.txt`` (how to
check it with OpenSSL 3). ``verify_directory`` checks the same as that command, plus the form of
the payload, the identifier's check character and the validity dates printed in the payload.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import canonical, crypto
from .identifiers import InvalidIdentifier, parse_identifier
from .models import Licence
from .selectors import today_date

OPENSSL_COMMAND = (
    "openssl pkeyutl -verify -pubin -inkey public.pem -rawin -in payload.json "
    "-sigfile signature.der -digest sm3 -pkeyopt distid:1234567812345678"
)
FILES = ("payload.json", "signature.der", "public.pem", "VERIFY.txt")


def export_licence(licence: Licence, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    public = crypto.PublicKey.from_hex(licence.key.public_key)
    payload = bytes(licence.payload)
    text = "\n".join(
        [
            f"电子证照 / e-licence: {licence.licence_type.name} {licence.number}",
            f"identifier: {licence.identifier}",
            f"key_id: {licence.key.key_id} ({licence.issuer.name})",
            f"SM3(payload.json): {crypto.sm3(payload).hex()}",
            "",
            "Verify the SM2 signature (SM3 digest, default user ID 1234567812345678,",
            "GB/T 35276) with OpenSSL 3 in this directory:",
            "",
            f"  {OPENSSL_COMMAND}",
            "",
            "It prints 'Signature Verified Successfully'. Check that public.pem is the issuer's",
            "key published at /.well-known/tongban/keys.json, and the licence's current status",
            "(revoked? superseded?) at the verification page:",
            "",
            f"  /verify/{licence.number}",
            "",
            "Or: tongban licences verify <this directory>",
            "",
        ]
    )
    files = {
        "payload.json": payload,
        "signature.der": bytes(licence.signature),
        "public.pem": public.to_pem().encode(),
        "VERIFY.txt": text.encode("utf-8"),
    }
    paths = []
    for name, content in files.items():
        path = out / name
        path.write_bytes(content)
        paths.append(path)
    return paths


@dataclass
class OfflineResult:
    valid: bool
    signature_ok: bool = False
    reasons: list[str] = field(default_factory=list)
    payload: dict = field(default_factory=dict)


def verify_directory(directory: Path, *, today: date | None = None) -> OfflineResult:
    result = OfflineResult(valid=False)
    reasons = result.reasons
    try:
        payload_bytes = (directory / "payload.json").read_bytes()
        signature = (directory / "signature.der").read_bytes()
        pem = (directory / "public.pem").read_text()
    except (OSError, UnicodeDecodeError) as exc:
        reasons.append(f"missing or unreadable file: {exc}")
        return result
    try:
        public = crypto.PublicKey.from_pem(pem)
    except crypto.InvalidKey as exc:
        reasons.append(f"public.pem is not an SM2 public key: {exc}")
        return result
    try:
        crypto.der_decode(signature)
    except crypto.InvalidSignature as exc:
        reasons.append(f"signature.der is not a DER SM2 signature: {exc}")
        return result
    result.signature_ok = crypto.verify(payload_bytes, signature, public)
    if not result.signature_ok:
        reasons.append("SM2 signature does not verify: payload.json was altered or another key")
    try:
        result.payload = canonical.parse_payload(payload_bytes)
    except ValueError as exc:
        reasons.append(f"payload.json is not canonical JSON: {exc}")
        return result
    try:
        parse_identifier(str(result.payload.get("identifier", "")))
    except InvalidIdentifier as exc:
        reasons.append(f"identifier: {exc}")
    today = today or today_date()
    try:
        valid_from = date.fromisoformat(str(result.payload.get("valid_from")))
        until = result.payload.get("valid_until")
        valid_until = date.fromisoformat(until) if until else None
    except (TypeError, ValueError):
        reasons.append("validity dates are not dates")
    else:
        if today < valid_from:
            reasons.append(f"not valid before {valid_from.isoformat()}")
        if valid_until and today > valid_until:
            reasons.append(f"expired on {valid_until.isoformat()}")
    result.valid = result.signature_ok and not reasons
    return result
