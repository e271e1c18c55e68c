"""cases' API for bundle applications (一件事申请): submit one application, list one's own,
follow its progress (a lane per department, the bundle's clock and combined result), choose to
continue after a denial, and the window clerk's one acceptance and one delivery.

The bundles themselves — the list, the guide and the de-duplicated materials for a set of
answers — are the catalogue's (``GET /bundles``, ``GET /bundles/{code}``,
``POST /bundles/{code}/materials``); this router files and follows applications for them.
Mounted on the cases router (``api.py``), under ``/api/v1/``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from tongban.catalog import selectors as catalog_selectors
from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import CoreErrorCode, NotFound, PermissionDenied, ValidationFailed
from tongban.core.permissions import Perm, has_perm, is_staff_member

from . import bundle_progress
from .models import BundleCase, Case, MaterialStatus
from .services.bundles import (
    Supplied,
    bundle_accept,
    bundle_apply,
    bundle_continue_partial,
    bundle_deliver,
)
from .states import BundleStatus
from .states import CaseStatus as S

router = Router(tags=["bundle applications"])

_BUNDLE_NO = re.compile(r"[0-9A-Za-z-]{1,32}")
_BUNDLE_CODE = re.compile(r"[-0-9A-Za-z_]{1,48}")
_KEY = re.compile(r"[\x21-\x7e]{1,128}")
MAX_FILE_BASE64 = 14_000_000  # ≈ 10 MB of file; uploads.check_upload enforces the real limit


# ---------------------------------------------------------------- schemas


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class SuppliedIn(Schema):
    material: int = Field(
        description="A de-duplicated material's id, as `POST /bundles/{code}/materials` lists it."
    )
    way: Literal["provided", "deferred", "commitment"] = Field(
        "provided",
        description="provided: an upload; deferred: 容缺 (allowed materials only); "
        "commitment: 告知承诺 (allowed materials only).",
    )
    name: str = Field("", max_length=200, description="provided: the file name (PDF/PNG/JPEG/OFD).")
    content_base64: str = Field("", max_length=MAX_FILE_BASE64, description="provided: the file.")


class BundleApplyIn(Schema):
    bundle: str = Field(description="The bundle's code, e.g. `wangyueche`.")
    answers: dict[str, str] = Field(default_factory=dict, description="Situation answers.")
    form_data: dict[str, Any] = Field(default_factory=dict, description="The combined form.")
    materials: list[SuppliedIn] = Field(default_factory=list, max_length=100)
    enterprise: str | None = Field(
        None, description="Apply for an enterprise you represent: its unified social credit code."
    )


class ChildOut(Schema):
    case_no: str
    item: str
    department: str
    status: str
    status_label: str
    promised_due: dt.date | None
    decision_reason: str = Field(description="The reason of a denial (不予许可), else empty.")


class LaneEventOut(Schema):
    case_no: str
    action: str
    label: str
    occurred_at: dt.datetime
    reason: str


class LaneOut(Schema):
    department: str
    cases: list[str]
    events: list[LaneEventOut]


class BundleEventOut(Schema):
    action: str
    label: str
    occurred_at: dt.datetime


class BundleApplicationOut(Schema):
    bundle_no: str
    bundle: str
    bundle_name: str
    status: str
    status_label: str
    version: int = Field(description="Send it back as `expected_version` to act on this state.")
    channel: str
    created_at: dt.datetime
    accepted_on: dt.date | None
    delivered_at: dt.datetime | None
    materials_count: int
    materials_without_bundle: int


class BundleProgressOut(BundleApplicationOut):
    due: dt.date | None = Field(description="The bundle's clock: the latest child due date.")
    concluded: bool
    partial_allowed: bool
    partial_confirmed: bool
    children: list[ChildOut]
    denied: list[str]
    granted: list[str]
    lanes: list[LaneOut]
    events: list[BundleEventOut]


class BundleApplicationListOut(Schema):
    items: list[BundleApplicationOut]
    count: int


class BundleListQuery(Schema):
    status: str | None = Field(None, description="submitted, in_progress, delivered, withdrawn")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


class BundleActIn(Schema):
    expected_version: int | None = Field(None, ge=1)


class BundleDeliverIn(BundleActIn):
    method: Literal["window", "mail", "electronic"] = "window"
    carrier: str = Field("", max_length=64)
    tracking_no: str = Field("", max_length=64)


# ---------------------------------------------------------------- helpers


def _user(request: HttpRequest):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _invalid(message, field: str, **params) -> ValidationFailed:
    return ValidationFailed(CoreErrorCode.INVALID_INPUT, message, field=field, **params)


def _application(bc: BundleCase) -> dict[str, Any]:
    return {
        "bundle_no": bc.bundle_no,
        "bundle": bc.bundle.code,
        "bundle_name": bc.bundle.name,
        "status": bc.status,
        "status_label": str(BundleStatus(bc.status).label),
        "version": bc.version,
        "channel": bc.channel,
        "created_at": bc.created_at,
        "accepted_on": bc.accepted_on,
        "delivered_at": bc.delivered_at,
        "materials_count": bc.materials_count,
        "materials_without_bundle": bc.materials_without_bundle,
    }


def _progress(bc: BundleCase, *, for_applicant: bool) -> dict[str, Any]:
    p = bundle_progress.progress(bc, for_applicant=for_applicant)
    return {
        **_application(bc),
        "due": p.due,
        "concluded": p.concluded,
        "partial_allowed": bundle_progress.partial_allowed(bc),
        "partial_confirmed": bc.partial_confirmed,
        "children": [_child(c) for c in p.cases],
        "denied": [c.case_no for c in p.denied],
        "granted": [c.case_no for c in p.granted],
        "lanes": [
            {
                "department": lane.department.name,
                "cases": [c.case_no for c in lane.cases],
                "events": [
                    {
                        "case_no": next(c.case_no for c in lane.cases if c.pk == e.case_id),
                        "action": e.action,
                        "label": str(e.label),
                        "occurred_at": e.occurred_at,
                        "reason": e.reason,
                    }
                    for e in lane.events
                ],
            }
            for lane in p.lanes
        ],
        "events": [
            {"action": e.action, "label": str(e.label), "occurred_at": e.occurred_at}
            for e in p.events
        ],
    }


def _child(c: Case) -> dict[str, Any]:
    return {
        "case_no": c.case_no,
        "item": c.item_version.name,
        "department": c.department.name,
        "status": c.status,
        "status_label": str(S(c.status).label),
        "promised_due": c.promised_due,
        "decision_reason": c.decision_reason if c.status == S.DENIED else "",
    }


def _load(request: HttpRequest, bundle_no: str) -> tuple[BundleCase, bool]:
    """The bundle application for its applicant (own) or for staff who may see it; 404 else."""
    if not _BUNDLE_NO.fullmatch(bundle_no):
        raise NotFound(_("没有找到该一件事。"))
    user = _user(request)
    try:
        return bundle_progress.get_own_bundle(user=user, bundle_no=bundle_no), True
    except NotFound:
        if not getattr(user, "is_authenticated", False) or not is_staff_member(user):
            raise
    return bundle_progress.get_bundle_for_staff(user=user, bundle_no=bundle_no), False


def _own_person(user):
    person = getattr(user, "person", None) if hasattr(user, "pk") else None
    if person is None:
        raise PermissionDenied(_("您的账号没有登记身份信息，不能申请一件事。"))
    return person


def _supplied(rows: list[SuppliedIn]) -> dict[int, Supplied]:
    out: dict[int, Supplied] = {}
    for i, row in enumerate(rows):
        if row.material in out:
            raise _invalid(
                _("材料：同一材料（%(m)s）只能提交一次。"), f"materials[{i}]", m=row.material
            )
        data = None
        if row.way == MaterialStatus.PROVIDED:
            try:
                data = base64.b64decode(row.content_base64, validate=True)
            except (binascii.Error, ValueError):
                raise _invalid(
                    _("材料文件：content_base64 不是有效的 Base64 编码。"), f"materials[{i}]"
                ) from None
        out[row.material] = Supplied(way=row.way, name=row.name, data=data)
    return out


# ---------------------------------------------------------------- endpoints


@rule("applicant")
@router.post(
    "/bundle-applications",
    response={
        200: BundleApplicationOut,
        201: BundleApplicationOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    summary="Apply for a bundle (一件事): one application, its materials asked once "
    "(send `Idempotency-Key` to retry safely)",
)
def bundle_application_create(request: HttpRequest, body: BundleApplyIn):
    user = _user(request)
    person = _own_person(user)
    key = request.headers.get("Idempotency-Key")
    if key is not None and not _KEY.fullmatch(key):
        raise _invalid(
            _("Idempotency-Key：应为 1 到 128 个可见 ASCII 字符（例如一个 UUID）。"),
            "Idempotency-Key",
        )
    if not _BUNDLE_CODE.fullmatch(body.bundle):
        raise NotFound(_("没有找到该一件事。"))
    bundle = catalog_selectors.get_published_bundle(body.bundle)
    enterprise = None
    if body.enterprise:
        enterprise = next(
            (e for e in core_selectors.enterprises_for(user) if e.credit_code == body.enterprise),
            None,
        )
        if enterprise is None:
            raise _invalid(
                _("申请单位：申请人未获该企业授权，不能以该企业名义申请。"), "enterprise"
            )
    elif bundle.audience == "enterprise":
        raise _invalid(
            _("申请单位：该一件事须以企业名义申请，请填写统一社会信用代码。"), "enterprise"
        )
    earlier = bool(key) and bundle_progress.applied_before(user=user, idempotency_key=key)
    bc = bundle_apply(
        actor=user,
        bundle=bundle,
        applicant=person,
        enterprise=enterprise,
        answers=body.answers,
        form_data=body.form_data,
        supplied=_supplied(body.materials),
        channel="web",
        idempotency_key=key,
    )
    return Status(200 if earlier else 201, _application(bc))


@rule("applicant|perm:case.accept")
@router.get(
    "/bundle-applications",
    response={200: BundleApplicationListOut, 422: ErrorOut},
    summary="Bundle applications: an applicant's own; a window clerk's all (by status)",
)
def bundle_application_list(request: HttpRequest, query: Query[BundleListQuery]):
    user = _user(request)
    if query.status and query.status not in BundleStatus.values:
        raise _invalid(
            _("状态：不是可选值，可选：%(values)s。"),
            "status",
            values="、".join(BundleStatus.values),
        )
    if has_perm(user, Perm.CASE_ACCEPT):
        qs = bundle_progress.bundles_for_staff(status=query.status or "")
    else:
        qs = bundle_progress.bundles_of_applicant(user).order_by("-created_at", "-id")
        if query.status:
            qs = qs.filter(status=query.status)
    return {
        "items": [_application(bc) for bc in qs[query.offset : query.offset + query.limit]],
        "count": qs.count(),
    }


@rule("owner|staff")
@router.get(
    "/bundle-applications/{bundle_no}",
    response={200: BundleProgressOut, 404: ErrorOut},
    summary="A bundle application's progress: a lane per department, the bundle's clock, "
    "each child's result (a denial with its reason)",
)
def bundle_application_detail(request: HttpRequest, bundle_no: str):
    bc, own = _load(request, bundle_no)
    return _progress(bc, for_applicant=own)


@rule("owner")
@router.post(
    "/bundle-applications/{bundle_no}/continue",
    response={200: BundleProgressOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="After a denial: continue with the approved items (when the bundle allows it)",
)
def bundle_application_continue(
    request: HttpRequest, bundle_no: str, body: BundleActIn | None = None
):
    bc, own = _load(request, bundle_no)
    if not own:
        raise NotFound(_("没有找到该一件事。"))
    body = body or BundleActIn()
    bc = bundle_continue_partial(
        actor=_user(request), bc=bc, expected_version=body.expected_version
    )
    return _progress(bc, for_applicant=True)


@rule("perm:case.accept")
@router.post(
    "/bundle-applications/{bundle_no}/accept",
    response={200: BundleProgressOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="一次受理: the window clerk accepts every child case at once",
)
def bundle_application_accept(
    request: HttpRequest, bundle_no: str, body: BundleActIn | None = None
):
    user = _user(request)
    if not has_perm(user, Perm.CASE_ACCEPT):
        raise PermissionDenied()
    bc, _own = _load(request, bundle_no)
    body = body or BundleActIn()
    bc = bundle_accept(actor=user, bc=bc, expected_version=body.expected_version)
    return _progress(bc, for_applicant=False)


@rule("perm:case.accept")
@router.post(
    "/bundle-applications/{bundle_no}/deliver",
    response={200: BundleProgressOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="一口出件: every result delivered together once all children have concluded",
)
def bundle_application_deliver(
    request: HttpRequest, bundle_no: str, body: BundleDeliverIn | None = None
):
    user = _user(request)
    if not has_perm(user, Perm.CASE_ACCEPT):
        raise PermissionDenied()
    bc, _own = _load(request, bundle_no)
    body = body or BundleDeliverIn()
    bc = bundle_deliver(
        actor=user,
        bc=bc,
        method=body.method,
        carrier=body.carrier,
        tracking_no=body.tracking_no,
        expected_version=body.expected_version,
    )
    return _progress(bc, for_applicant=False)
