"""The cases API through HTTP: the online journey, idempotent retries, the permission matrix,
every action, and bad input that never becomes a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.catalog.specs import department, spec
from tests.factories import EnterpriseFactory, PersonFactory, UserFactory, make_staff
from tongban.cases.models import Case, CaseEvent, CaseMaterial, ReviewTask
from tongban.cases.services import case_accept, task_complete
from tongban.catalog.services import item_save_spec
from tongban.core.masking import mask_id_number
from tongban.core.permissions import Role
from tongban.core.services import api_token_create, enterprise_authorise

from .conftest import PDF, PNG
from .helpers import submitted_case

pytestmark = pytest.mark.django_db

UNAUTHENTICATED = {"code": "unauthenticated", "message": "请先登录，或提供有效的接口令牌。"}
ACTIONS = [
    "accept",
    "refuse",
    "request_correction",
    "resubmit",
    "withdraw",
    "claim",
    "release",
    "complete_step",
    "approve",
    "deny",
    "suspend",
    "resume",
    "extend",
    "issue",
    "deliver",
]


class Api:
    """One persona's HTTP client with a bearer token (anonymous without a user)."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {}
        if user is not None:
            _token, plain = api_token_create(user=user, name="test")
            self.headers["Authorization"] = f"Bearer {plain}"

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body=None, *, headers=None, raw: str | None = None):
        data = raw if raw is not None else json.dumps(body) if body is not None else ""
        return self.client.post(
            f"/api/v1{path}",
            data=data,
            content_type="application/json",
            headers={**self.headers, **(headers or {})},
        )

    def act(self, case_no: str, action: str, **body):
        return self.post(f"/cases/{case_no}/actions/{action}", body)

    def upload(self, case_no: str, seq, name: str | None = None, data: bytes = b"", **fields):
        form = {"seq": seq, **fields}
        if name is not None:
            form["file"] = SimpleUploadedFile(name, data)
        return self.client.post(f"/api/v1/cases/{case_no}/materials", form, headers=self.headers)


@pytest.fixture(autouse=True)
def _working_tuesday(at):
    """A fixed working day whose limits (and a 10-day extension) stay inside the calendar."""
    at("2026-06-02 10:00")


@pytest.fixture
def outsider(db):
    """A reviewer of another department (公安局)."""
    return make_staff(Role.REVIEWER, department=department("gaj", 8), username="outsider")


@pytest.fixture
def supervisor(db):
    return make_staff(Role.SUPERVISOR, username="supervisor")


ADDRESS = "云溪区学府路 18 号"


def _create(api: Api, code: str, **body):
    body = {"item": code, "answers": {"self": "yes"}, "form_data": {"address": ADDRESS}, **body}
    response = api.post("/cases", body)
    assert response.status_code == 201, response.json()
    return response.json()


def _submitted(api: Api, code: str) -> str:
    case_no = _create(api, code)["case_no"]
    assert api.upload(case_no, 1, status="licence").status_code == 201
    assert api.upload(case_no, 2, "照片.png", PNG).status_code == 201
    response = api.post(f"/cases/{case_no}/submit")
    assert response.status_code == 200, response.json()
    return case_no


def _state(case_no: str) -> tuple[str, int, int]:
    case = Case.objects.get(case_no=case_no)
    return case.status, case.version, CaseEvent.objects.filter(case=case).count()


# ---------------------------------------------------------------- the journey


def test_the_online_journey_through_http(applicant, clerk, reviewer, approver, code, item):
    me, window, handler, head = Api(applicant), Api(clerk), Api(reviewer), Api(approver)
    created = _create(me, code, form_data={"phone": "13812345678", "address": ADDRESS})
    no = created["case_no"]
    assert no.startswith("330199-")
    assert (created["status"], created["status_label"], created["stage"]) == (
        "draft",
        "草稿",
        "apply",
    )
    assert (created["channel"], created["version"]) == ("web", 1)
    assert created["item"] == {"code": code, "name": "老年人优待证办理", "version": item.version}
    assert created["department"] == {"code": "mzj", "name": "测试mzj"}

    licence = me.upload(no, 1, status="licence")
    assert licence.status_code == 201
    assert licence.json() | {"id": 0, "added_at": None} == {
        "id": 0,
        "seq": 1,
        "name": "居民身份证",
        "status": "licence",
        "status_label": "电子证照",
        "original_name": "",
        "content_type": "",
        "size": 0,
        "sha256": "",
        "note": "",
        "added_at": None,
    }
    photo = me.upload(no, 2, "照片.png", PNG, note="白底")
    assert photo.status_code == 201
    assert (photo.json()["content_type"], photo.json()["size"], photo.json()["note"]) == (
        "image/png",
        len(PNG),
        "白底",
    )

    submitted = me.post(f"/cases/{no}/submit", {"expected_version": 3})
    assert submitted.status_code == 200
    assert (submitted.json()["status"], submitted.json()["version"]) == ("submitted", 4)
    body = me.get(f"/cases/{no}").json()
    assert (body["status"], body["status_label"], body["version"]) == ("submitted", "待受理", 4)
    assert body["received_at"] == submitted.json()["received_at"]
    assert body["allowed_actions"] == ["withdraw"]
    assert body["clock"]["received_on"] == body["received_at"][:10]
    assert body["clock"]["accepted_on"] is None
    assert body["applicant"]["id_number"] == mask_id_number(applicant.person.id_number)
    assert body["applicant"]["phone"] == applicant.person.masked_phone

    seen_by_clerk = window.get(f"/cases/{no}").json()
    assert seen_by_clerk["allowed_actions"] == [
        "accept",
        "refuse",
        "request_correction",
        "withdraw",
    ]
    # masked for staff too: the full number only through the logged reveal flow
    number = applicant.person.id_number
    assert seen_by_clerk["applicant"]["id_number"] == number[:4] + "*" * 10 + number[-4:]

    accepted = window.act(no, "accept", expected_version=4).json()
    assert (accepted["status"], accepted["stage"]) == ("in_review", "review")
    assert accepted["clock"]["accepted_on"] == accepted["accepted_on"]
    assert accepted["clock"]["promised_limit_days"] == 5
    assert accepted["clock"]["legal_limit_days"] == 20
    assert accepted["tasks"] == [
        {
            "step": "handle",
            "step_name": "承办",
            "role": "reviewer",
            "status": "claimed",
            "status_label": "办理中",
            "assignee": str(reviewer),
        }
    ]
    assert handler.get(f"/cases/{no}").json()["allowed_actions"] == [
        "release",
        "complete_step",
        "suspend",
    ]
    done = handler.act(no, "complete_step", opinion="材料齐全，符合条件").json()
    assert done["tasks"][0]["step"] == "decide"
    assert "approve" in head.get(f"/cases/{no}").json()["allowed_actions"]
    approved = head.act(no, "approve", opinion="同意").json()
    assert (approved["status"], approved["clock"]["on_time"]) == ("approved", True)
    assert head.act(no, "issue").json()["status"] == "issued"
    delivered = window.act(no, "deliver", method="mail", carrier="EMS", tracking_no="1234567890")
    final = delivered.json()
    assert (final["status"], final["delivery_method"]) == ("delivered", "mail")
    assert [(e["action"], e["action_label"]) for e in final["timeline"]] == [
        ("create", "创建"),
        ("material_added", "补充材料"),
        ("material_added", "补充材料"),
        ("submit", "提交申请"),
        ("accept", "受理"),
        ("complete_step", "完成审查环节"),
        ("approve", "准予许可"),
        ("issue", "出具结果"),
        ("deliver", "送达"),
    ]
    assert final["timeline"][-1]["payload"] == {
        "method": "mail",
        "carrier": "EMS",
        "tracking_no": "1234567890",
    }
    assert final["timeline"][4]["actor"] == str(clerk)
    assert [m["seq"] for m in final["materials"]] == [1, 2]
    mine = me.get(f"/cases/{no}").json()
    assert mine["allowed_actions"] == []
    assert mine["status_label"] == "已送达"


def test_a_window_clerk_applies_for_a_registered_person(clerk, applicant, code):
    window = Api(clerk)
    response = window.post(
        "/cases",
        {
            "item": code,
            "answers": {"self": "yes"},
            "applicant_id_number": applicant.person.id_number,
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["channel"], body["applicant_name"]) == ("window", "张晓明")
    case = Case.objects.get(case_no=body["case_no"])
    assert (case.applicant, case.created_by) == (applicant.person, clerk)
    # the applicant follows it in their own list
    listed = Api(applicant).get("/cases").json()
    assert [c["case_no"] for c in listed["items"]] == [body["case_no"]]


def test_only_a_clerk_applies_for_someone_else(applicant, other_applicant, clerk, code):
    response = Api(applicant).post(
        "/cases",
        {
            "item": code,
            "answers": {"self": "yes"},
            "applicant_id_number": other_applicant.person.id_number,
        },
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    unknown = PersonFactory.build().id_number
    response = Api(clerk).post(
        "/cases", {"item": code, "answers": {"self": "yes"}, "applicant_id_number": unknown}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "applicant_id_number"
    assert "尚未登记" in response.json()["message"]
    response = Api(clerk).post(
        "/cases", {"item": code, "answers": {"self": "yes"}, "applicant_id_number": "123"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_id_number")
    # a clerk without a person record must name the applicant
    response = Api(clerk).post("/cases", {"item": code, "answers": {"self": "yes"}})
    assert (response.status_code, response.json()["field"]) == (422, "applicant_id_number")
    # and an applicant cannot claim the window channel
    response = Api(applicant).post(
        "/cases", {"item": code, "answers": {"self": "yes"}, "channel": "window"}
    )
    assert (response.status_code, response.json()["field"]) == (422, "channel")
    assert Case.objects.count() == 0


def test_an_enterprise_must_be_authorised(applicant, code):
    mine, other = EnterpriseFactory(), EnterpriseFactory()
    enterprise_authorise(person=applicant.person, enterprise=mine, valid_from=dt.date(2020, 1, 1))
    me = Api(applicant)
    response = me.post(
        "/cases", {"item": code, "answers": {"self": "yes"}, "enterprise": other.credit_code}
    )
    assert response.status_code == 422
    assert response.json() == {
        "code": "not_yours",
        "message": "申请单位：申请人未获该企业授权，不能以该企业名义申请。",
        "field": "enterprise",
    }
    unknown = EnterpriseFactory.build().credit_code
    refused = me.post("/cases", {"item": code, "answers": {"self": "yes"}, "enterprise": unknown})
    assert refused.json() == response.json()  # unknown and unauthorised read the same
    bad = me.post("/cases", {"item": code, "answers": {"self": "yes"}, "enterprise": "12"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_credit_code")
    assert Case.objects.count() == 0
    created = _create(me, code, enterprise=mine.credit_code)
    assert Case.objects.get(case_no=created["case_no"]).enterprise == mine
    assert me.get(f"/cases/{created['case_no']}").json()["enterprise"] == {
        "name": mine.name,
        "credit_code": mine.credit_code,
    }


# ---------------------------------------------------------------- idempotency


def test_a_retried_create_returns_the_same_case(applicant, other_applicant, code):
    me = Api(applicant)
    body = {"item": code, "answers": {"self": "yes"}}
    key = {"Idempotency-Key": "6f1c1a2e-3b7d-4f7e-9a51-0c2d7e1b9f00"}
    first = me.post("/cases", body, headers=key)
    again = me.post("/cases", body, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert Case.objects.count() == 1
    # keys are the caller's own: another applicant's same key is another case
    theirs = Api(other_applicant).post("/cases", body, headers=key)
    assert theirs.status_code == 201
    assert theirs.json()["case_no"] != first.json()["case_no"]
    # no key: a second case
    assert me.post("/cases", body).status_code == 201
    assert Case.objects.count() == 3


def test_an_idempotency_key_reused_for_another_item_or_malformed_is_refused(applicant, code, mzj):
    other = item_save_spec(
        spec=spec("mzj", basic_code="000107002000", name="高龄津贴申领"), publish=True
    )
    me = Api(applicant)
    key = {"Idempotency-Key": "k-1"}
    assert me.post("/cases", {"item": code, "answers": {"self": "yes"}}, headers=key).status_code
    reused = me.post(
        "/cases",
        {"item": other.item.implementation_code, "answers": {"self": "yes"}},
        headers=key,
    )
    assert reused.status_code == 422
    assert (reused.json()["code"], reused.json()["field"]) == ("duplicate", "Idempotency-Key")
    for bad in ("", "x" * 129, "带中文"):
        response = me.post(
            "/cases",
            {"item": code, "answers": {"self": "yes"}},
            headers={"Idempotency-Key": bad.encode().decode("latin-1")},
        )
        assert response.status_code == 422, bad
        assert response.json()["field"] == "Idempotency-Key"
    assert Case.objects.count() == 1


# ---------------------------------------------------------------- permissions


@pytest.fixture
def personas(applicant, other_applicant, clerk, reviewer, approver, outsider, supervisor):
    return {
        "anonymous": None,
        "applicant": applicant,
        "other_applicant": other_applicant,
        "clerk": clerk,
        "reviewer": reviewer,
        "approver": approver,
        "outsider": outsider,
        "supervisor": supervisor,
    }


READ = {
    "anonymous": 401,
    "applicant": 200,
    "other_applicant": 404,
    "clerk": 200,
    "reviewer": 200,
    "approver": 200,
    "outsider": 404,
    "supervisor": 200,
}


@pytest.mark.parametrize("persona", list(READ))
def test_who_reads_a_case(persona, personas, applicant, code):
    case = submitted_case(applicant, code)
    response = Api(personas[persona]).get(f"/cases/{case.case_no}")
    assert response.status_code == READ[persona]
    if READ[persona] == 404:
        assert response.json() == {"code": "not_found", "message": "没有找到该办件。"}
    if persona == "anonymous":
        assert response.json() == UNAUTHENTICATED


# (persona, request) → status; every refusal changes nothing.
MATRIX = [
    ("anonymous", "withdraw", 401),
    ("other_applicant", "withdraw", 404),
    ("other_applicant", "accept", 404),
    ("other_applicant", "upload", 404),
    ("other_applicant", "submit", 404),
    ("outsider", "accept", 404),
    ("outsider", "suspend", 404),
    ("outsider", "upload", 404),
    ("applicant", "accept", 403),
    ("applicant", "refuse", 403),
    ("reviewer", "accept", 403),
    ("reviewer", "withdraw", 403),
    ("supervisor", "accept", 403),
    ("supervisor", "upload", 403),
]


@pytest.mark.parametrize(("persona", "request_", "expected"), MATRIX)
def test_refused_requests_change_nothing(persona, request_, expected, personas, applicant, code):
    case = submitted_case(applicant, code)
    before = _state(case.case_no)
    files = CaseMaterial.objects.count()
    api = Api(personas[persona])
    if request_ == "upload":
        response = api.upload(case.case_no, 5, "户口簿.pdf", PDF)
    elif request_ == "submit":
        response = api.post(f"/cases/{case.case_no}/submit")
    else:
        response = api.act(case.case_no, request_, reason="理由", kind="hearing", expected_days=5)
    assert response.status_code == expected, response.content
    assert _state(case.case_no) == before
    assert CaseMaterial.objects.count() == files


def test_a_reviewer_of_another_department_cannot_act_on_an_accepted_case(
    applicant, clerk, reviewer, outsider, code
):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    before = _state(case.case_no)
    api = Api(outsider)
    for action in ("claim", "complete_step", "approve", "suspend", "extend"):
        response = api.act(case.case_no, action, opinion="同意", reason="理由", kind="hearing")
        assert response.status_code == 404, action
    assert _state(case.case_no) == before
    assert ReviewTask.objects.get(case=case).assignee == reviewer


def test_a_session_needs_the_csrf_token(applicant, code):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    body = json.dumps({"item": code, "answers": {"self": "yes"}})
    refused = client.post("/api/v1/cases", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    assert Case.objects.count() == 0
    page = RequestFactory().get("/")  # a page hands out the cookie and its token
    token = get_token(page)
    client.cookies["csrftoken"] = page.META["CSRF_COOKIE"]
    accepted = client.post(
        "/api/v1/cases", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201
    assert client.get(f"/api/v1/cases/{accepted.json()['case_no']}").status_code == 200


# ---------------------------------------------------------------- every action


def test_refuse_needs_a_reason(applicant, clerk, code):
    no = submitted_case(applicant, code).case_no
    before = _state(no)
    response = Api(clerk).act(no, "refuse")
    assert response.status_code == 400
    assert response.json() == {
        "code": "reason_required",
        "message": "请填写不予受理的理由。",
        "field": "reason",
    }
    assert _state(no) == before
    refused = Api(clerk).act(no, "refuse", reason="不属于本机关职权范围").json()
    assert (refused["status"], refused["decision_reason"]) == (
        "not_accepted",
        "不属于本机关职权范围",
    )
    assert refused["allowed_actions"] == ["deliver"]
    delivered = Api(clerk).act(no, "deliver", method="electronic").json()
    assert delivered["status"] == "delivered"


def test_correction_resubmit_and_withdraw(applicant, clerk, code):
    no = submitted_case(applicant, code).case_no
    window, me = Api(clerk), Api(applicant)
    empty = window.act(no, "request_correction", missing=[" "])
    assert (empty.status_code, empty.json()["code"]) == (422, "correction_empty")
    asked = window.act(
        no, "request_correction", missing=["户口簿", "近期免冠照片"], reason="请补齐"
    )
    body = asked.json()
    assert (asked.status_code, body["status"]) == (200, "correction_requested")
    assert body["timeline"][-1]["payload"] == {"missing": ["户口簿", "近期免冠照片"]}
    assert body["timeline"][-1]["reason"] == "请补齐"
    assert me.get(f"/cases/{no}").json()["allowed_actions"] == ["resubmit", "withdraw"]
    assert me.upload(no, 5, "户口簿.pdf", PDF).status_code == 201
    assert me.act(no, "resubmit").json()["status"] == "submitted"
    again = window.act(no, "request_correction", missing=["又一份"])
    assert (again.status_code, again.json()["code"]) == (400, "correction_too_late")
    assert "request_correction" not in window.get(f"/cases/{no}").json()["allowed_actions"]
    withdrawn = me.act(no, "withdraw", reason="不办了").json()
    assert (withdrawn["status"], withdrawn["allowed_actions"]) == ("withdrawn", [])


def test_claim_release_complete_deny(applicant, clerk, reviewer, approver, code):
    no = submitted_case(applicant, code).case_no
    Api(clerk).act(no, "accept")
    handler, head = Api(reviewer), Api(approver)
    released = handler.act(no, "release").json()
    assert released["tasks"][0]["status"] == "open"
    assert "claim" in handler.get(f"/cases/{no}").json()["allowed_actions"]
    claimed = handler.act(no, "claim").json()
    assert claimed["tasks"][0]["assignee"] == str(reviewer)
    no_opinion = handler.act(no, "complete_step")
    assert (no_opinion.status_code, no_opinion.json()["field"]) == (400, "reason")
    handler.act(no, "complete_step", opinion="不符合条件")
    missing = head.act(no, "deny")
    assert (missing.status_code, missing.json()["code"]) == (400, "reason_required")
    denied = head.act(no, "deny", reason="申请人未满 60 周岁").json()
    assert (denied["status"], denied["decision_reason"]) == ("denied", "申请人未满 60 周岁")
    assert "行政复议" in denied["timeline"][-1]["payload"]["appeal_rights"]
    decided = head.act(no, "approve")  # already decided: the state refuses, as for every action
    assert (decided.status_code, decided.json()["code"]) == (409, "transition_not_allowed")
    assert decided.json()["message"].startswith("办件当前状态为“不予许可（最近一次由 ")
    assert decided.json()["message"].endswith("，不能“准予许可”。")


def test_suspend_resume_extend(applicant, clerk, reviewer, approver, code):
    no = submitted_case(applicant, code).case_no
    Api(clerk).act(no, "accept")
    handler, head = Api(reviewer), Api(approver)
    no_days = handler.act(no, "suspend", kind="expert_review", reason="需专家评审")
    assert (no_days.status_code, no_days.json()["field"]) == (422, "expected_days")
    bad_kind = handler.act(no, "suspend", kind="打麻将", reason="x", expected_days=3)
    assert (bad_kind.status_code, bad_kind.json()["field"]) == (422, "kind")
    suspended = handler.act(
        no, "suspend", kind="expert_review", reason="需专家评审", expected_days=10
    )
    body = suspended.json()
    assert (body["status"], body["clock"]["suspended"]) == ("suspended", True)
    assert body["timeline"][-1]["payload"] == {"kind": "expert_review", "expected_days": 10}
    assert handler.get(f"/cases/{no}").json()["allowed_actions"] == ["resume"]
    assert head.get(f"/cases/{no}").json()["allowed_actions"] == ["resume", "extend"]
    resumed = handler.act(no, "resume").json()
    assert (resumed["status"], resumed["clock"]["suspended"]) == ("in_review", False)
    assert handler.act(no, "extend", reason="情况复杂").status_code == 403  # head's approval
    extended = head.act(no, "extend", reason="情况复杂").json()
    assert extended["clock"]["extension_days"] == 10
    assert "extend" not in extended["allowed_actions"]
    twice = head.act(no, "extend", reason="再延")
    assert (twice.status_code, twice.json()["code"]) == (400, "extension_used")


def test_issue_and_window_delivery(applicant, clerk, reviewer, approver, code):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    task_complete(actor=reviewer, case=case, opinion="同意")
    head = Api(approver)
    head.act(case.case_no, "approve")
    issued = head.act(case.case_no, "issue", result="老年人优待证").json()
    assert issued["timeline"][-1]["payload"] == {"result": "老年人优待证"}
    mail = Api(clerk).act(case.case_no, "deliver", method="mail")
    assert (mail.status_code, mail.json()["code"]) == (400, "reason_required")
    bad = Api(clerk).act(case.case_no, "deliver", method="pigeon")
    assert (bad.status_code, bad.json()["field"]) == (400, "method")
    window = Api(clerk).act(case.case_no, "deliver", method="window").json()
    code_ = window["timeline"][-1]["payload"]["pickup_code"]
    assert len(code_) == 6 and code_.isdigit()
    # the applicant sees their pickup code
    assert Api(applicant).get(f"/cases/{case.case_no}").json()["timeline"][-1]["payload"] == {
        "method": "window",
        "pickup_code": code_,
    }


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_from_a_draft_is_refused_cleanly(action, applicant, clerk, code):
    """No action but withdraw applies to a draft: each answers 4xx with a message, never 500."""
    no = _create(Api(applicant), code)["case_no"]
    before = _state(no)
    response = Api(clerk).act(
        no,
        action,
        reason="理由",
        opinion="意见",
        missing=["户口簿"],
        kind="hearing",
        expected_days=5,
        method="window",
    )
    if action == "withdraw":
        assert response.status_code == 200
        return
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["message"]
    assert _state(no) == before


def test_a_stale_version_is_a_409_naming_who_handled_it(applicant, clerk, code):
    no = submitted_case(applicant, code).case_no
    version = Api(clerk).get(f"/cases/{no}").json()["version"]
    assert Api(clerk).act(no, "accept", expected_version=version).status_code == 200
    late = make_staff(Role.WINDOW_CLERK, username="clerk2")
    response = Api(late).act(no, "refuse", reason="不符合", expected_version=version)
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale"
    assert body["message"].startswith("该办件已被其他人办理，请刷新后查看。")
    assert str(clerk) in body["message"] and "“受理”" in body["message"]
    # without a version, the state itself refuses: still a 409 naming the last handler
    again = Api(late).act(no, "accept")
    assert again.status_code == 409
    assert again.json()["code"] == "transition_not_allowed"
    assert str(clerk) in again.json()["message"]


# ---------------------------------------------------------------- bad input


def test_an_unknown_action_is_a_clear_404(applicant, clerk, code):
    no = submitted_case(applicant, code).case_no
    response = Api(clerk).act(no, "approve_everything")
    assert response.status_code == 404
    assert response.json()["message"].startswith("没有名为“approve_everything”的办件操作")
    assert "accept" in response.json()["message"]
    # an unknown action on an unknown case: still 404, nothing about the case
    assert Api(clerk).act("330199-20260101-99999", "nope").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"expected_version": "x"}, "expected_version"),
        ({"expected_version": 0}, "expected_version"),
        ({"reason": 5}, "reason"),
        ({"missing": "户口簿"}, "missing"),
        ({"missing": [1, 2]}, "missing.0"),
        ({"expected_days": "ten"}, "expected_days"),
        ({"expected_days": 366}, "expected_days"),
        ({"reason": "x" * 2001}, "reason"),
        ({"resaon": "typo"}, "resaon"),
    ],
)
def test_wrong_types_are_422_naming_the_field(body, field, applicant, clerk, code):
    no = submitted_case(applicant, code).case_no
    before = _state(no)
    response = Api(clerk).act(no, "refuse", **body)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid_input"
    assert response.json()["errors"][0]["field"] == field
    assert _state(no) == before


def test_bad_create_bodies(applicant, code):
    me = Api(applicant)
    cases = [
        ({"bundle": "kaiwangyueche"}, 422, "bundle"),
        ({}, 422, "item"),
        ({"item": "9" * 30}, 404, None),
        ({"item": code, "answers": {}}, 422, None),
        ({"item": code, "answers": ["self"]}, 422, "answers"),
        ({"item": code, "answers": {"self": "maybe"}}, 422, None),
        ({"item": code, "form_data": "x"}, 422, "form_data"),
        ({"item": code, "channel": "fax"}, 422, "channel"),
        ({"item": code, "colour": "red"}, 422, "colour"),
    ]
    for body, status, field in cases:
        response = me.post("/cases", body)
        assert response.status_code == status, (body, response.content)
        data = response.json()
        assert data["message"], body
        if field is not None:
            assert (data.get("field") or data["errors"][0]["field"]) == field, body
    bundle = me.post("/cases", {"bundle": "kaiwangyueche"}).json()
    assert "一件事" in bundle["message"]
    not_json = me.post("/cases", raw="{item:")
    assert (not_json.status_code, not_json.json()["code"]) == (400, "invalid_json")
    assert Case.objects.count() == 0


def test_bad_material_requests(applicant, code):
    me = Api(applicant)
    no = _create(me, code)["case_no"]
    before = _state(no)
    checks = [
        (me.upload(no, 2), 422, "file"),
        (me.upload(no, "two", "a.png", PNG), 422, "seq"),
        (me.upload(no, 0, "a.png", PNG), 422, "seq"),
        (me.upload(no, 99, "a.png", PNG), 422, "material"),
        (me.upload(no, 2, "a.png", PNG, status="deferred"), 422, "status"),
        (me.upload(no, 2, status="deferred"), 422, "status"),  # not deferrable
        (me.upload(no, 2, status="paper"), 422, "status"),  # a clerk's
        (me.upload(no, 2, status="lost"), 422, "status"),
        (me.upload(no, 1, "照片.png", PNG + b"", note="x" * 300), 422, "note"),
    ]
    for response, status, field in checks:
        assert response.status_code == status, response.content
        data = response.json()
        assert (data.get("field") or data["errors"][0]["field"]) == field, data
    assert _state(no) == before
    assert CaseMaterial.objects.count() == 0


def test_unknown_or_malformed_case_numbers_are_404(applicant):
    me = Api(applicant)
    for no in ("330199-20260101-00001", "x" * 40, "a%20b"):
        assert me.get(f"/cases/{no}").status_code == 404
        assert me.post(f"/cases/{no}/submit").status_code == 404


# ---------------------------------------------------------------- lists


def test_lists_show_what_each_persona_may_see(
    applicant, other_applicant, clerk, reviewer, outsider, code
):
    mine = [submitted_case(applicant, code).case_no for _ in range(3)]
    theirs = submitted_case(other_applicant, code).case_no
    case_accept(actor=clerk, case=Case.objects.get(case_no=mine[0]))

    def listed(user, **params):
        body = Api(user).get("/cases", **params).json()
        return [c["case_no"] for c in body["items"]], body["count"]

    assert listed(applicant) == (mine[::-1], 3)
    assert listed(other_applicant) == ([theirs], 1)
    assert listed(reviewer)[1] == 4  # their department's
    assert listed(outsider) == ([], 0)
    assert listed(clerk)[1] == 4
    assert listed(applicant, status="in_review") == ([mine[0]], 1)
    assert listed(applicant, limit=2, offset=1) == (mine[::-1][1:3], 3)
    assert listed(clerk, department="mzj")[1] == 4
    assert listed(clerk, department="gaj")[1] == 0
    bad = Api(applicant).get("/cases", status="lost")
    assert (bad.status_code, bad.json()["field"]) == (422, "status")
    assert Api(applicant).get("/cases", limit=1000).status_code == 422
    assert Api().get("/cases").status_code == 401


def test_the_list_reads_a_constant_number_of_queries(applicant, code):
    submitted_case(applicant, code)
    me = Api(applicant)
    me.get("/cases")  # warm the token's last-used stamp
    with CaptureQueriesContext(connection) as few:
        assert me.get("/cases").status_code == 200
    for _ in range(5):
        submitted_case(applicant, code)
    with CaptureQueriesContext(connection) as many:
        assert me.get("/cases").json()["count"] == 6
    assert len(many) == len(few)


def test_the_detail_reads_a_constant_number_of_queries(applicant, code):
    no = submitted_case(applicant, code).case_no
    me = Api(applicant)
    me.get(f"/cases/{no}")
    with CaptureQueriesContext(connection) as few:
        me.get(f"/cases/{no}")
    case = Case.objects.get(case_no=no)
    from tongban.cases.services import case_material_add

    for _ in range(4):
        case_material_add(actor=applicant, case=case, seq=5, name="户口簿.pdf", data=PDF)
    with CaptureQueriesContext(connection) as many:
        body = me.get(f"/cases/{no}").json()
    assert len(body["materials"]) == 6
    assert len(many) == len(few)


def test_the_schema_documents_the_cases_endpoints(applicant):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{case_no}",
        "/api/v1/cases/{case_no}/materials",
        "/api/v1/cases/{case_no}/submit",
        "/api/v1/cases/{case_no}/actions/{action}",
    } <= set(paths)
    headers = [p["name"] for p in paths["/api/v1/cases"]["post"].get("parameters", [])]
    assert "Idempotency-Key" in headers


def test_an_agent_sees_the_cases_they_act_in(applicant, code):
    agent = UserFactory(username="agent")
    case = submitted_case(applicant, code)
    Case.objects.filter(pk=case.pk).update(agent=agent)
    body = Api(agent).get("/cases").json()
    assert [c["case_no"] for c in body["items"]] == [case.case_no]
    assert Api(agent).get(f"/cases/{case.case_no}").status_code == 200


def test_at_the_counter_the_applicant_must_hold_the_enterprises_authorisation(
    clerk, applicant, code
):
    theirs, unrelated = EnterpriseFactory(), EnterpriseFactory()
    enterprise_authorise(person=applicant.person, enterprise=theirs, valid_from=dt.date(2020, 1, 1))
    window = Api(clerk)
    body = {
        "item": code,
        "answers": {"self": "yes"},
        "applicant_id_number": applicant.person.id_number,
    }
    refused = window.post("/cases", {**body, "enterprise": unrelated.credit_code})
    assert (refused.status_code, refused.json()["code"]) == (422, "not_yours")
    assert Case.objects.count() == 0
    created = window.post("/cases", {**body, "enterprise": theirs.credit_code})
    assert created.status_code == 201
    assert Case.objects.get().enterprise == theirs
