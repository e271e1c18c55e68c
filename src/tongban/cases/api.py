"""cases' API: apply, upload materials, submit, follow a case, and the staff actions.

Thin: authenticate (the API's session or bearer auth) → validate the schema (every 4xx decided
here or by the service) → look the case up for the caller (404 for missing and forbidden
alike) → call one service, which checks the permission and the state under the row lock.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, StringConstraints

from tongban.core import selectors as core_selectors
from tongban.core.access import rule
from tongban.core.errors import CoreErrorCode, NotFound, PermissionDenied, ValidationFailed
from tongban.core.identifiers import validate_credit_code, validate_id_number
from tongban.core.permissions import Perm, has_perm, is_staff_member

from . import personal_data, selectors, services, uploads
from .api_bundles import router as bundles_router
from .errors import CaseErrorCode
from .models import Case, Channel, MaterialStatus
from .services import approvals
from .states import STAGE_OF, CaseAction, CaseStatus

if TYPE_CHECKING:
    from .models import CaseEvent, CaseMaterial, ReviewTask

router = Router(tags=["cases"])
router.add_router("", bundles_router)  # [B] bundle applications (一件事申请)

_CASE_NO = re.compile(r"[0-9A-Za-z-]{1,32}")
_IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,128}")  # visible ASCII, as clients send UUIDs
IDEMPOTENCY_HEADER = "Idempotency-Key"


# ---------------------------------------------------------------- schemas


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class RefOut(Schema):
    code: str
    name: str


class ItemRefOut(RefOut):
    version: int


class ApplicantOut(Schema):
    name: str
    id_number: str = Field(description="Masked unless the caller's role needs it whole.")
    phone: str


class EnterpriseOut(Schema):
    name: str
    credit_code: str


class CaseOut(Schema):
    case_no: str
    status: str
    status_label: str
    stage: str
    version: int = Field(description="Send it back as `expected_version` to act on this state.")
    channel: str
    channel_label: str
    item: ItemRefOut
    department: RefOut
    applicant_name: str
    created_at: dt.datetime
    received_at: dt.datetime | None
    accepted_on: dt.date | None
    legal_due: dt.date | None
    promised_due: dt.date | None
    decided_at: dt.datetime | None


class CaseListOut(Schema):
    items: list[CaseOut]
    count: int


class CaseClockOut(Schema):
    received_on: dt.date | None
    correction_due: dt.date | None
    accepted_on: dt.date | None
    deemed_accepted: bool = Field(description="第三十二条: no correction notice in time.")
    legal_limit_days: int
    promised_limit_days: int
    extension_days: int
    paused_days: int
    elapsed_days: int
    legal_due: dt.date | None
    promised_due: dt.date | None
    remaining_legal_days: int | None
    remaining_promised_days: int | None
    card: str = Field(description='"", "blue", "yellow" or "red".')
    on_time: bool | None
    suspended: bool
    decided_on: dt.date | None
    delivery_due: dt.date | None


class CaseMaterialOut(Schema):
    id: int
    seq: int
    name: str
    status: str
    status_label: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    note: str
    added_at: dt.datetime


class TaskOut(Schema):
    step: str
    step_name: str
    role: str
    status: str
    status_label: str
    assignee: str | None


class CaseEventOut(Schema):
    seq: int
    action: str
    action_label: str
    from_state: str
    to_state: str
    actor: str
    reason: str
    occurred_at: dt.datetime
    payload: dict[str, Any]


class CaseDetailOut(CaseOut):
    applicant: ApplicantOut
    enterprise: EnterpriseOut | None
    decision_reason: str
    delivery_method: str
    answers: dict[str, Any]
    form_data: dict[str, Any]
    clock: CaseClockOut
    materials: list[CaseMaterialOut]
    tasks: list[TaskOut]
    allowed_actions: list[str]
    timeline: list[CaseEventOut]


class CaseCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    item: str | None = Field(None, max_length=64, description="The item's implementation code.")
    bundle: str | None = Field(None, max_length=48, description="Not yet: bundles come later.")
    applicant_id_number: str | None = Field(
        None,
        max_length=32,
        description="Window clerks: the registered applicant. Default: the caller's own person.",
    )
    enterprise: str | None = Field(
        None, max_length=32, description="Credit code of an enterprise the applicant acts for."
    )
    answers: dict[str, str] = Field(default_factory=dict, description="Situation answers.")
    form_data: dict[str, Any] = Field(default_factory=dict)
    channel: Literal["web", "mobile", "kiosk", "window", "hotline"] | None = Field(
        None, description="Default: window for a clerk applying for someone else, else web."
    )


class VersionIn(Schema):
    model_config = ConfigDict(extra="forbid")

    expected_version: int | None = Field(None, ge=1)


class FormIn(VersionIn):
    values: dict[str, Any] = Field(
        ..., description="Fields of the application form to set (an empty value clears one)."
    )


Line = Annotated[str, StringConstraints(max_length=200)]


class CaseActionIn(VersionIn):
    reason: str = Field("", max_length=2000)
    opinion: str = Field("", max_length=2000)
    missing: list[Line] = Field(default_factory=list, max_length=100)
    kind: str = Field("", max_length=32, description="suspend: the special procedure's kind.")
    expected_days: int | None = Field(None, ge=1, le=365)
    method: str = Field(
        "", max_length=16, description="deliver: window, mail, electronic or locker."
    )
    tracking_no: str = Field("", max_length=64)
    carrier: str = Field("", max_length=64)
    result: str = Field("", max_length=128, description="issue: the result document's name.")


class CaseListQuery(Schema):
    status: str | None = Field(None, max_length=32)
    department: str | None = Field(
        None, max_length=32, description="Department code (for staff who see several)."
    )
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=1_000_000)


# ---------------------------------------------------------------- building the answers


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _case(case: Case) -> dict[str, Any]:
    version = case.item_version
    return {
        "case_no": case.case_no,
        "status": case.status,
        "status_label": _label(CaseStatus, case.status),
        "stage": STAGE_OF.get(case.status, ""),
        "version": case.version,
        "channel": case.channel,
        "channel_label": _label(Channel, case.channel),
        "item": {
            "code": version.item.implementation_code,
            "name": version.name,
            "version": version.version,
        },
        "department": {"code": case.department.code, "name": case.department.name},
        "applicant_name": case.applicant.name,
        "created_at": case.created_at,
        "received_at": case.received_at,
        "accepted_on": case.accepted_on,
        "legal_due": case.legal_due,
        "promised_due": case.promised_due,
        "decided_at": case.decided_at,
    }


def _clock(c) -> dict[str, Any]:
    return {
        "received_on": c.received_on,
        "correction_due": c.correction_due,
        "accepted_on": c.accepted_on,
        "deemed_accepted": c.deemed_accepted,
        "legal_limit_days": c.legal_limit,
        "promised_limit_days": c.promised_limit,
        "extension_days": c.extension_days,
        "paused_days": c.paused_days,
        "elapsed_days": c.elapsed,
        "legal_due": c.legal_due,
        "promised_due": c.promised_due,
        "remaining_legal_days": c.remaining_legal,
        "remaining_promised_days": c.remaining_promised,
        "card": c.card,
        "on_time": c.on_time,
        "suspended": c.suspended,
        "decided_on": c.decided_on,
        "delivery_due": c.delivery_due,
    }


def _material(row: CaseMaterial) -> dict[str, Any]:
    return {
        "id": row.pk,
        "seq": row.material.seq,
        "name": row.material.name,
        "status": row.status,
        "status_label": _label(MaterialStatus, row.status),
        "original_name": row.original_name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "note": row.note,
        "added_at": row.added_at,
    }


def _task(task: ReviewTask) -> dict[str, Any]:
    return {
        "step": task.step,
        "step_name": task.step_name,
        "role": task.role,
        "status": task.status,
        "status_label": task.get_status_display(),
        "assignee": str(task.assignee) if task.assignee_id else None,
    }


def _event(event: CaseEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "action": event.action,
        "action_label": _label(CaseAction, event.action),
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor": event.actor_label or str(_("系统")),
        "reason": event.reason,
        "occurred_at": event.occurred_at,
        "payload": event.payload,
    }


def _detail(case: Case, user) -> dict[str, Any]:
    events = selectors.case_events(case)
    tasks = selectors.case_open_tasks(case)
    clock = selectors.clock(case, events=events)
    person = case.applicant
    return {
        **_case(case),
        "applicant": {
            "name": person.name,
            "id_number": core_selectors.shown_id_number(person, user),
            "phone": core_selectors.shown_phone(person.phone, user),
        },
        "enterprise": (
            {"name": case.enterprise.name, "credit_code": case.enterprise.credit_code}
            if case.enterprise_id
            else None
        ),
        "decision_reason": case.decision_reason,
        "delivery_method": case.delivery_method,
        "answers": case.answers,
        "form_data": personal_data.shown_form_data(case, user),
        "clock": _clock(clock),
        "materials": [_material(m) for m in selectors.case_materials(case)],
        "tasks": [_task(t) for t in tasks],
        "allowed_actions": selectors.available_actions(
            user,
            case,
            events=events,
            tasks=tasks,
            steps=selectors.review_steps(case),
            clock=clock,
        ),
        "timeline": [_event(e) for e in events],
    }


# ---------------------------------------------------------------- helpers


def _user(request: HttpRequest):
    return request.auth if hasattr(request.auth, "pk") else request.user


def _get_case(request: HttpRequest, case_no: str) -> Case:
    if not _CASE_NO.fullmatch(case_no):
        raise NotFound(_("没有找到该办件。"))
    return selectors.get_case_for_user(user=_user(request), case_no=case_no)


def _case_to_change(request: HttpRequest, case_no: str) -> Case:
    """The case a write acts on: found as ``_get_case`` finds it, reading less."""
    if not _CASE_NO.fullmatch(case_no):
        raise NotFound(_("没有找到该办件。"))
    return services.case_for_change(user=_user(request), case_no=case_no)


def _invalid(message, field: str, **params) -> ValidationFailed:
    return ValidationFailed(CoreErrorCode.INVALID_INPUT, message, field=field, **params)


def _idempotency_key(request: HttpRequest) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise _invalid(
            _("Idempotency-Key：应为 1 到 128 个可见 ASCII 字符（例如一个 UUID）。"),
            IDEMPOTENCY_HEADER,
        )
    return key


def _own_person(user):
    """The caller's own person: read with the bearer token already, or one query."""
    try:
        return user.person
    except ObjectDoesNotExist:
        return None


def _applicant(user, id_number: str | None):
    """The caller's own person, or (a window clerk's counter acceptance) a registered one."""
    own = _own_person(user)
    if id_number:
        number = validate_id_number(id_number, field="applicant_id_number")
        if own is not None and own.id_number == number:
            return own
        if not has_perm(user, Perm.CASE_ACCEPT):
            raise PermissionDenied(_("只有综合窗口人员可以为他人申请。"))
        person = selectors.registered_person(id_number=number)
        if person is None:
            raise _invalid(
                _("申请人身份证号码：该申请人尚未登记，请先登记申请人信息。"),
                "applicant_id_number",
            )
        return person
    if own is None:
        raise _invalid(
            _("申请人：您的账号没有登记身份信息，请填写申请人身份证号码。"),
            "applicant_id_number",
        )
    return own


def _enterprise(person, credit_code: str | None):
    if not credit_code:
        return None
    code = validate_credit_code(credit_code, field="enterprise")
    enterprise = selectors.enterprise_by_credit_code(code)
    # Unknown and unauthorised read the same: the answer tells nothing about other enterprises.
    if enterprise is None or not selectors.person_represents(person, enterprise):
        raise ValidationFailed(
            CaseErrorCode.NOT_YOURS,
            _("申请单位：申请人未获该企业授权，不能以该企业名义申请。"),
            field="enterprise",
        )
    return enterprise


# ---------------------------------------------------------------- endpoints


@rule("applicant|perm:case.accept")
@router.post(
    "/cases",
    response={200: CaseOut, 201: CaseOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Apply: a draft case under an item (send `Idempotency-Key` to retry safely)",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": IDEMPOTENCY_HEADER,
                "required": False,
                "schema": {"type": "string", "maxLength": 128},
                "description": "A retried request with the same key answers 200 with the same "
                "case instead of creating a second one.",
            }
        ]
    },
)
def case_create(request: HttpRequest, body: CaseCreateIn):
    user = _user(request)
    if body.bundle:
        raise _invalid(
            _("一件事：暂不支持通过接口申请一件事，请按事项（item）分别申请。"), "bundle"
        )
    if not body.item:
        raise _invalid(_("事项：请填写事项实施编码（item）。"), "item")
    key = _idempotency_key(request)
    person = _applicant(user, body.applicant_id_number)
    for_someone_else = person.user_id != user.pk
    channel = body.channel or ("window" if for_someone_else else "web")
    if channel == Channel.WINDOW and not has_perm(user, Perm.CASE_ACCEPT):
        raise _invalid(_("申报渠道：窗口办理只能由综合窗口人员登记。"), "channel")
    case, created = services.case_create_or_replay(
        actor=user,
        item_code=body.item,
        applicant=person,
        enterprise=_enterprise(person, body.enterprise),
        channel=channel,
        answers=body.answers,
        form_data=body.form_data,
        idempotency_key=key,
    )
    if not created and case.item_version.item.implementation_code != body.item:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE,
            _("Idempotency-Key：该键已用于申请另一事项（办件 %(no)s），请换一个新键。"),
            field=IDEMPOTENCY_HEADER,
            no=case.case_no,
        )
    return Status(201 if created else 200, _case(case))


@rule("applicant|staff")
@router.get(
    "/cases",
    response={200: CaseListOut, 422: ErrorOut},
    summary="Cases: an applicant's own; staff the cases their role lets them see",
)
def case_list(request: HttpRequest, query: Query[CaseListQuery]):
    user = _user(request)
    if query.status and query.status not in CaseStatus.values:
        raise _invalid(
            _("状态：不是可选值，可选：%(values)s。"),
            "status",
            values="、".join(CaseStatus.values),
        )
    qs = selectors.cases_for_user(user, status=query.status)
    if query.department and is_staff_member(user):
        qs = qs.filter(department__code=query.department)
    return {
        "items": [_case(c) for c in qs[query.offset : query.offset + query.limit]],
        "count": qs.count(),
    }


@rule("owner|staff")
@router.get(
    "/cases/{case_no}",
    response={200: CaseDetailOut, 404: ErrorOut},
    summary="A case: state, clocks, materials, open tasks, the caller's actions, timeline",
)
def case_detail(request: HttpRequest, case_no: str):
    return _detail(_get_case(request, case_no), _user(request))


@rule("owner|staff")
@router.post(
    "/cases/{case_no}/materials",
    response={201: CaseMaterialOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Add a material: upload `file` (PDF, JPEG, PNG, OFD, checked by content), or "
    "give `status` licence / deferred (容缺) / commitment (告知承诺) without a file",
)
def material_add(
    request: HttpRequest,
    case_no: str,
    seq: int = Form(..., ge=1, le=999),
    status: str = Form("", max_length=16),
    note: str = Form("", max_length=256),
    file: File[UploadedFile | None] = None,
):
    user = _user(request)
    case = _case_to_change(request, case_no)
    if file is not None:
        if status not in ("", MaterialStatus.PROVIDED):
            raise _invalid(
                _("材料状态：上传文件时不用填写状态；电子证照、容缺、告知承诺不需上传文件。"),
                "status",
            )
        uploads.check_size(file.size or 0)  # before reading it into memory
        row = services.case_material_add(
            actor=user,
            case=case,
            seq=seq,
            status=MaterialStatus.PROVIDED,
            name=file.name or "",
            data=file.read(),
            note=note,
        )
    else:
        if status in ("", MaterialStatus.PROVIDED):
            raise _invalid(_("文件：请选择要上传的文件。"), "file")
        row = services.case_material_add(actor=user, case=case, seq=seq, status=status, note=note)
    return Status(201, _material(row))


@rule("owner|staff")
@router.post(
    "/cases/{case_no}/form",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Fill in the application form of a draft (or of a case asked to correct it); "
    "each value is checked by its field's type",
)
def case_form(request: HttpRequest, case_no: str, body: FormIn):
    case = services.case_form_save(
        actor=_user(request),
        case=_case_to_change(request, case_no),
        values=body.values,
        expected_version=body.expected_version,
    )
    return _case(case)


@rule("owner|staff")
@router.post(
    "/cases/{case_no}/submit",
    response={
        200: CaseOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="Submit a draft: every required material must be present and every required field "
    "of the application form filled in. Answers the case as submitted; GET the case for its "
    "clocks and timeline",
)
def case_submit(request: HttpRequest, case_no: str, body: VersionIn | None = None):
    case = services.case_submit(
        actor=_user(request),
        case=_case_to_change(request, case_no),
        expected_version=body.expected_version if body else None,
    )
    return _case(case)


def _opinion(body: CaseActionIn) -> str:
    return body.opinion or body.reason


ACTIONS: dict[str, Callable[..., Any]] = {
    "accept": lambda *, body, **kw: services.case_accept(**kw),
    "refuse": lambda *, body, **kw: services.case_refuse(reason=body.reason, **kw),
    "request_correction": lambda *, body, **kw: services.case_request_correction(
        missing=list(body.missing), note=body.reason, **kw
    ),
    "resubmit": lambda *, body, **kw: services.case_resubmit(**kw),
    "withdraw": lambda *, body, **kw: services.case_withdraw(reason=body.reason, **kw),
    "claim": lambda *, body, **kw: services.task_claim(**kw),
    "release": lambda *, body, **kw: services.task_release(**kw),
    "complete_step": lambda *, body, **kw: services.task_complete(opinion=_opinion(body), **kw),
    "approve": lambda *, body, **kw: services.case_decide(
        approve=True, reason=_opinion(body), **kw
    ),
    "deny": lambda *, body, **kw: services.case_decide(approve=False, reason=_opinion(body), **kw),
    "suspend": lambda *, body, **kw: services.case_suspend(
        kind=body.kind, reason=body.reason, expected_days=_expected_days(body), **kw
    ),
    "resume": lambda *, body, **kw: services.case_resume(**kw),
    "extend": lambda *, body, **kw: services.case_extend(reason=body.reason, **kw),
    "issue": lambda *, body, **kw: services.case_issue(result=body.result, **kw),
    "deliver": lambda *, body, **kw: services.case_deliver(
        method=body.method, tracking_no=body.tracking_no, carrier=body.carrier, **kw
    ),
}


def _expected_days(body: CaseActionIn) -> int:
    if body.expected_days is None:
        raise _invalid(
            _("预计时长：请填写特别程序预计需要的工作日数（1 到 365）。"), "expected_days"
        )
    return body.expected_days


@rule("staff")
@router.post(
    "/cases/{case_no}/actions/{action}",
    response={
        200: CaseDetailOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="A staff (or applicant) action: " + ", ".join(ACTIONS),
)
def case_action(request: HttpRequest, case_no: str, action: str, body: CaseActionIn | None = None):
    user = _user(request)
    run = ACTIONS.get(action)
    if run is None:
        raise NotFound(
            _("没有名为“%(action)s”的办件操作；可用的操作：%(actions)s。")
            % {"action": action[:40], "actions": ", ".join(ACTIONS)}
        )
    case = _case_to_change(request, case_no)
    body = body or CaseActionIn()
    result = run(body=body, actor=user, case=case, expected_version=body.expected_version)
    # Some services (claim, release) answer the task: read the case again as it now stands.
    return _detail(result if isinstance(result, Case) else _get_case(request, case_no), user)


# ---------------------------------------------------------------- [B] approval operations (b2)


class ApprovalIn(VersionIn):
    opinion: str = Field("", max_length=2000, description="sign: the signer's opinion.")
    vote: str = Field("", max_length=16, description="sign on a 票签 step: agree or disagree.")
    reviewer: str = Field(
        "", max_length=150, description="transfer, delegate, add_signer: a colleague's username."
    )
    where: Literal["before", "after"] = Field(
        "before", description="add_signer: the added signer signs before or after the caller."
    )
    to_step: str = Field("", max_length=32, description="send_back: an earlier step's code.")
    reason: str = Field(
        "", max_length=2000, description="send_back: the reason; other operations: a note."
    )


APPROVALS: dict[str, Callable[..., Any]] = {
    "sign": lambda *, body, expected_version, **kw: approvals.step_sign(
        opinion=body.opinion, vote=body.vote, **kw
    ),
    "transfer": lambda *, body, **kw: approvals.task_transfer(
        to_username=body.reviewer, note=body.reason, **kw
    ),
    "delegate": lambda *, body, **kw: approvals.task_delegate(
        to_username=body.reviewer, note=body.reason, **kw
    ),
    "take_back": lambda *, body, **kw: approvals.task_take_back(note=body.reason, **kw),
    "add_signer": lambda *, body, **kw: approvals.task_add_signer(
        to_username=body.reviewer, before=body.where == "before", note=body.reason, **kw
    ),
    "send_back": lambda *, body, **kw: approvals.task_send_back(
        to_step=body.to_step, reason=body.reason, **kw
    ),
    "urge": lambda *, body, expected_version, **kw: approvals.task_urge(note=body.reason, **kw),
}


@rule("perm:case.review|perm:case.approve")
@router.post(
    "/cases/{case_no}/approvals/{operation}",
    response={
        200: CaseDetailOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="An approval operation on the current review step: " + ", ".join(APPROVALS),
)
def case_approval(
    request: HttpRequest, case_no: str, operation: str, body: ApprovalIn | None = None
):
    """会签/或签/票签/依次审批 signatures, 转办, 委派 and take-back, 加签, 退回, 催办
    (docs/review-steps.md); each refusal is a clear error and changes nothing."""
    user = _user(request)
    run = APPROVALS.get(operation)
    if run is None:
        raise NotFound(
            _("没有名为“%(op)s”的环节操作；可用的操作：%(ops)s。")
            % {"op": operation[:40], "ops": ", ".join(APPROVALS)}
        )
    case = _case_to_change(request, case_no)
    body = body or ApprovalIn()
    run(body=body, actor=user, case=case, expected_version=body.expected_version)
    return _detail(_get_case(request, case_no), user)
