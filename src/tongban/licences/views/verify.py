"""Public verification (扫码亮证): ``/verify/{licence_no}`` and the published keys.

No login, no JavaScript. Whatever is asked — an unknown number, damaged data, a wrong key, a
truncated signature — the page answers "not valid: why", never an error page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tongban.core.access import rule
from tongban.core.permissions import is_staff_member
from tongban.core.ratelimit import rate_limit

from ..crypto import InvalidKey, PublicKey
from ..models import AccessChannel, Licence
from ..selectors import Verification, signing_keys, verify_licence
from ..services.sharing import licence_access_record


def _is_holder(user, licence: Licence) -> bool:
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return False
    if licence.person_id is not None:
        return licence.person_id == person.pk
    enterprise = licence.enterprise
    return enterprise is not None and enterprise.legal_representative_id == person.pk


def record_scan(request: HttpRequest, result: Verification, *, api: bool = False) -> None:
    """Log a look at a licence by someone other than its holder (the holder sees the log):
    staff at a counter (窗口亮证), anyone scanning the QR code (扫码核验) or calling the API."""
    licence = result.licence
    if licence is None or _is_holder(request.user, licence):
        return
    user = request.user if request.user.is_authenticated else None
    if user is not None and is_staff_member(user):
        channel, label = AccessChannel.COUNTER, ""
    elif api:
        channel, label = AccessChannel.API, "" if user else "公开接口"
    else:
        channel, label = AccessChannel.VERIFY, "" if user else "匿名扫码"
    licence_access_record(licence=licence, channel=channel, accessor=user, accessor_label=label)


@rule("public")
@require_GET
def verify_start(request: HttpRequest) -> HttpResponse:
    """A form to type a licence number; submitting it opens the verification page."""
    number = (request.GET.get("no") or "").strip()[:64]
    if number:
        return HttpResponseRedirect(reverse("licences:verify", args=[number]))
    return render(request, "licences/verify_start.html", {"error": "no" in request.GET})


@rule("public")
@require_GET
@rate_limit("licence_verify", methods=("GET",))
def verify_page(request: HttpRequest, licence_no: str) -> HttpResponse:
    result = verify_licence(licence_no, check=request.GET.get("c", ""))
    record_scan(request, result)
    response = render(
        request,
        "licences/verify.html",
        {"result": result, "check_given": bool(request.GET.get("c"))},
        status=404 if result.state == "unknown" else 200,
    )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def key_entry(key) -> dict:
    try:
        pem = PublicKey.from_hex(key.public_key).to_pem()
    except InvalidKey:
        pem = ""
    return {
        "key_id": key.key_id,
        "department": {
            "code": key.department.code,
            "name": key.department.name,
            "credit_code": key.department.credit_code,
        },
        "seal": key.seal.name if key.seal_id else None,
        "algorithm": key.algorithm,
        "curve": "SM2 (GB/T 32918, sm2p256v1)",
        "digest": "SM3",
        "user_id": "1234567812345678",
        "public_key_hex": key.public_key,
        "public_key_pem": pem,
        "status": key.status,
        "created_at": key.created_at.isoformat(),
        "retired_at": key.retired_at.isoformat() if key.retired_at else None,
    }


@rule("public")
@require_GET
def keys_json(request: HttpRequest) -> JsonResponse:
    """Every signing key, active and retired: verifiers need the old ones for old licences."""
    response = JsonResponse(
        {"keys": [key_entry(k) for k in signing_keys()]},
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
