"""Submission and the transitions after it: the application form's required fields, a 409 for
every action the state does not allow, notices written in the transition's transaction,
stored scans that go when the counter's transaction fails, and the statements each request of
an online submission costs."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import PersonFactory, UserFactory
from tongban.cases import services as cases_services
from tongban.cases.models import Case, CaseEvent, CaseMaterial, ReviewTask
from tongban.cases.services import (
    case_accept,
    case_create,
    case_decide,
    case_deliver,
    case_extend,
    case_issue,
    case_material_add,
    case_refuse,
    case_request_correction,
    case_submit,
    case_suspend,
    elements,
    task_complete,
)
from tongban.cases.services import notices as notices_module
from tongban.cases.uploads import undo_on_failure
from tongban.core.errors import DomainError, ValidationFailed
from tongban.core.models import Notification

from .conftest import PNG
from .helpers import FORM, submitted_case
from .test_api import ADDRESS, Api
from .test_uploads import stored_files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _working_tuesday(at):
    at("2026-06-02 10:00")


@pytest.fixture(autouse=True)
def _empty_storage():
    for name in stored_files():
        default_storage.delete(name)


def _state(case) -> tuple[str, int, int, dict]:
    fresh = Case.objects.get(pk=case.pk)
    return fresh.status, fresh.version, CaseEvent.objects.filter(case=case).count(), fresh.form_data


def _draft(user, code, **kwargs):
    case = case_create(
        actor=user,
        item_code=code,
        applicant=user.person,
        channel="web",
        answers={"self": "yes"},
        **kwargs,
    )
    case_material_add(actor=user, case=case, seq=1, status="licence")
    case_material_add(actor=user, case=case, seq=2, name="照片.png", data=PNG)
    return Case.objects.get(pk=case.pk)


# ---------------------------------------------------------------- the application form


def test_a_submission_missing_a_required_field_is_refused_listing_it(applicant, code):
    case = _draft(applicant, code)  # the item's form: phone (on record) and address (not)
    before = _state(case)
    with pytest.raises(ValidationFailed) as refused:
        case_submit(actor=applicant, case=case)
    assert refused.value.status_code == 422
    assert refused.value.as_dict() == {
        "code": "invalid_input",
        "message": "申请表还有必填项没有填写：联系地址。请填写后再提交。",
        "field": "form_data",
    }
    assert _state(case) == before


def test_every_missing_field_is_listed(applicant, code):
    applicant.person.phone = ""
    applicant.person.save(update_fields=["phone"])
    case = _draft(applicant, code)
    with pytest.raises(ValidationFailed) as refused:
        case_submit(actor=applicant, case=case)
    assert refused.value.message == "申请表还有必填项没有填写：联系电话、联系地址。请填写后再提交。"


def test_a_required_field_the_platform_holds_is_taken_from_the_record(code):
    user = UserFactory(username="wang")
    person = PersonFactory(name="王秀英", user=user, address="云溪街道桂花路 8 号")
    case = case_submit(actor=user, case=_draft(user, code))
    assert case.status == "submitted"
    assert Case.objects.get(pk=case.pk).form_data == {
        "phone": person.phone,
        "address": "云溪街道桂花路 8 号",
    }


def test_what_the_applicant_wrote_wins_over_the_record(code):
    user = UserFactory(username="wang")
    PersonFactory(name="王秀英", user=user, address="旧地址")
    case = case_submit(actor=user, case=_draft(user, code, form_data={"address": ADDRESS}))
    assert Case.objects.get(pk=case.pk).form_data["address"] == ADDRESS


def test_form_values_are_checked_when_the_case_is_created(applicant, code):
    with pytest.raises(ValidationFailed) as bad_phone:
        _draft(applicant, code, form_data={"phone": "123"})
    assert bad_phone.value.field == "phone"
    assert bad_phone.value.message.startswith("联系电话：")
    with pytest.raises(ValidationFailed) as unknown:
        _draft(applicant, code, form_data={"shoe_size": "42"})
    assert unknown.value.message == "申请表没有“shoe_size”这一项。"
    assert not Case.objects.exists()


def test_through_http_the_refusal_is_a_422_and_the_form_can_be_completed(applicant, code):
    me = Api(applicant)
    no = me.post("/cases", {"item": code, "answers": {"self": "yes"}}).json()["case_no"]
    assert me.upload(no, 1, status="licence").status_code == 201
    assert me.upload(no, 2, "照片.png", PNG).status_code == 201
    case = Case.objects.get(case_no=no)
    before = _state(case)
    refused = me.post(f"/cases/{no}/submit")
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "invalid_input",
        "message": "申请表还有必填项没有填写：联系地址。请填写后再提交。",
        "field": "form_data",
    }
    assert _state(case) == before
    bad = me.post(f"/cases/{no}/form", {"values": {"address": "x" * 201}})
    assert (bad.status_code, bad.json()["field"]) == (422, "address")
    saved = me.post(f"/cases/{no}/form", {"values": {"address": ADDRESS}, "expected_version": 3})
    assert (saved.status_code, saved.json()["version"]) == (200, 4)
    submitted = me.post(f"/cases/{no}/submit")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")
    assert Case.objects.get(case_no=no).form_data == {
        "address": ADDRESS,
        "phone": applicant.person.phone,
    }
    assert (
        Api(UserFactory(username="nosy")).post(f"/cases/{no}/form", {"values": {}}).status_code
        == 404
    )


# ---------------------------------------------------------------- 409 for the state


@pytest.fixture
def denied(applicant, clerk, reviewer, approver, code):
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_complete(actor=reviewer, case=case, opinion="不符合条件")
    return case_decide(actor=approver, case=case, approve=False, reason="申请人未满 60 周岁")


DENIED_REFUSES = [
    ("accept", "clerk", {}),
    ("refuse", "clerk", {"reason": "理由"}),
    ("request_correction", "clerk", {"missing": ["户口簿"]}),
    ("resubmit", "applicant", {}),
    ("withdraw", "applicant", {}),
    ("claim", "reviewer", {}),
    ("release", "reviewer", {}),
    ("complete_step", "reviewer", {"opinion": "同意"}),
    ("approve", "approver", {"opinion": "同意"}),
    ("deny", "approver", {"reason": "理由"}),
    ("suspend", "reviewer", {"kind": "hearing", "reason": "理由", "expected_days": 5}),
    ("resume", "reviewer", {}),
    ("extend", "approver", {"reason": "理由"}),
    ("issue", "approver", {}),
]


@pytest.mark.parametrize(
    ("action", "who", "body"), DENIED_REFUSES, ids=[a for a, *_ in DENIED_REFUSES]
)
def test_an_action_the_state_does_not_allow_is_a_409(
    action, who, body, denied, applicant, clerk, reviewer, approver
):
    persona = {"applicant": applicant, "clerk": clerk, "reviewer": reviewer, "approver": approver}
    before = _state(denied)
    tasks = list(ReviewTask.objects.filter(case=denied).values_list("status", "assignee_id"))
    response = Api(persona[who]).act(denied.case_no, action, **body)
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "transition_not_allowed"
    assert response.json()["message"].startswith("办件当前状态为“不予许可")
    assert _state(denied) == before
    assert (
        list(ReviewTask.objects.filter(case=denied).values_list("status", "assignee_id")) == tasks
    )


def test_deciding_twice_is_a_409_in_the_service_too(denied, approver):
    from tongban.cases.states import TransitionRefused

    with pytest.raises(TransitionRefused):
        case_decide(actor=approver, case=denied, approve=True)


# ---------------------------------------------------------------- notices in the transaction


def _accepted(applicant, clerk, code):
    return case_accept(actor=clerk, case=submitted_case(applicant, code))


def _approved(applicant, clerk, reviewer, approver, code):
    case = task_complete(actor=reviewer, case=_accepted(applicant, clerk, code), opinion="同意")
    return case_decide(actor=approver, case=case, approve=True)


NOTIFIED = {
    "accept": (
        lambda p: submitted_case(p["applicant"], p["code"]),
        lambda p, c: case_accept(actor=p["clerk"], case=c),
    ),
    "refuse": (
        lambda p: submitted_case(p["applicant"], p["code"]),
        lambda p, c: case_refuse(actor=p["clerk"], case=c, reason="不属于本机关职权范围"),
    ),
    "request_correction": (
        lambda p: submitted_case(p["applicant"], p["code"]),
        lambda p, c: case_request_correction(actor=p["clerk"], case=c, missing=["户口簿"]),
    ),
    "suspend": (
        lambda p: _accepted(p["applicant"], p["clerk"], p["code"]),
        lambda p, c: case_suspend(
            actor=p["reviewer"], case=c, kind="hearing", reason="需听证", expected_days=5
        ),
    ),
    "extend": (
        lambda p: _accepted(p["applicant"], p["clerk"], p["code"]),
        lambda p, c: case_extend(actor=p["approver"], case=c, reason="情况复杂"),
    ),
    "approve": (
        lambda p: task_complete(
            actor=p["reviewer"],
            case=_accepted(p["applicant"], p["clerk"], p["code"]),
            opinion="同意",
        ),
        lambda p, c: case_decide(actor=p["approver"], case=c, approve=True),
    ),
    "deny": (
        lambda p: task_complete(
            actor=p["reviewer"], case=_accepted(p["applicant"], p["clerk"], p["code"]), opinion="否"
        ),
        lambda p, c: case_decide(actor=p["approver"], case=c, approve=False, reason="不符合"),
    ),
    "deliver": (
        lambda p: case_issue(
            actor=p["approver"],
            case=_approved(p["applicant"], p["clerk"], p["reviewer"], p["approver"], p["code"]),
        ),
        lambda p, c: case_deliver(actor=p["clerk"], case=c, method="electronic"),
    ),
}


@pytest.mark.parametrize("action", list(NOTIFIED))
def test_the_notice_is_written_in_the_transitions_transaction(
    action, monkeypatch, applicant, clerk, reviewer, approver, code
):
    """A notice that cannot be written undoes the transition: both or neither."""
    p = {"applicant": applicant, "clerk": clerk, "reviewer": reviewer, "approver": approver}
    prepare, act = NOTIFIED[action]
    case = prepare(p | {"code": code})
    before = _state(case)
    notices = Notification.objects.count()
    tasks = list(ReviewTask.objects.filter(case=case).values_list("pk", "status", "assignee_id"))

    def broken(**kwargs):
        raise RuntimeError("the notifications table is unavailable")

    monkeypatch.setattr(notices_module, "notify", broken)
    with pytest.raises(RuntimeError):
        act(p, case)
    assert _state(case) == before
    assert Notification.objects.count() == notices
    assert (
        list(ReviewTask.objects.filter(case=case).values_list("pk", "status", "assignee_id"))
        == tasks
    )
    monkeypatch.undo()
    act(p, Case.objects.get(pk=case.pk))
    assert Notification.objects.count() == notices + 1


def test_the_sms_still_waits_for_the_commit(
    applicant, clerk, code, django_capture_on_commit_callbacks
):
    case = submitted_case(applicant, code)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_refuse(actor=clerk, case=case, reason="不属于本机关职权范围")
    note = Notification.objects.get(person=applicant.person)
    assert (len(callbacks), note.sms_status) == (1, "")
    callbacks[0]()
    note.refresh_from_db()
    assert note.sms_status == "logged"


# ---------------------------------------------------------------- stored files and rollbacks


def test_files_stored_inside_a_larger_transaction_go_when_a_later_step_fails(applicant, code):
    case = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={"self": "yes"},
    )
    with pytest.raises(DomainError), undo_on_failure():
        from django.db import transaction

        with transaction.atomic():
            case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
            assert len(stored_files()) == 1
            case_submit(actor=applicant, case=case)  # seq 1 is missing: refused
    assert stored_files() == []
    assert CaseMaterial.objects.count() == 0


def test_a_failed_counter_acceptance_leaves_no_scan_behind(clerk, code, monkeypatch):
    client = Client()
    client.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    person = PersonFactory(name="王秀英")
    counter = "/console/cases/counter/"
    token = (
        client.get(counter, {"person": person.pk, "item": code, "ans_self": "yes"})
        .context["materials_form"]["token"]
        .value()
    )

    def calendar_gone(**kwargs):
        raise DomainError("calendar", "模拟：受理时工作日历不可用")

    monkeypatch.setattr(cases_services, "case_accept", calendar_gone)
    response = client.post(
        counter,
        {
            "step": "accept",
            "person": person.pk,
            "item": code,
            "ans_self": "yes",
            "token": token,
            "m_1": "upload",
            "f_1": SimpleUploadedFile("身份证.pdf", b"%PDF-1.4\n%%EOF\n"),
            "m_2": "upload",
            "f_2": SimpleUploadedFile("照片.png", PNG),
            "m_5": "none",
            "fd_phone": "13900001111",
            "fd_address": ADDRESS,
        },
    )
    assert response.status_code == 400
    assert "模拟：受理时工作日历不可用" in response.content.decode()
    assert not Case.objects.exists()
    assert CaseMaterial.objects.count() == 0
    assert stored_files() == []


# ---------------------------------------------------------------- what a submission costs


CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def _statements(call) -> list[str]:
    """The data statements a call sends (transaction control left out: backends differ)."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(CONTROL)]


def _starting(sql: list[str], prefix: str) -> int:
    return sum(s.startswith(prefix) for s in sql)


@pytest.mark.django_db(transaction=True)
def test_an_online_submission_costs_few_statements(applicant, code):
    """Outside a test's transaction, as in production: the item's elements are read once by the
    process; each request reads its token and its case once; a transition is one locked read,
    one update of the changed columns and the event (head read, insert, head update)."""
    elements.forget()
    me = Api(applicant)

    def submission() -> list[list[str]]:
        created: dict = {}

        def create():
            body = {"item": code, "answers": {"self": "yes"}, "form_data": FORM}
            key = {"Idempotency-Key": uuid.uuid4().hex}
            created.update(me.post("/cases", body, headers=key).json())

        out = [_statements(create)]
        no = created["case_no"]
        out.append(_statements(lambda: me.upload(no, 1, status="licence")))
        out.append(_statements(lambda: me.upload(no, 2, "照片.png", PNG)))
        out.append(_statements(lambda: me.post(f"/cases/{no}/submit")))
        assert Case.objects.get(case_no=no).status == "submitted"
        return out

    submission()  # the first reads the item's elements (and writes the token's last use)
    create, licence, photo, submit = submission()
    # token, idempotency key, version, bar | number, case, event, head
    assert len(create) == 8, create
    # token, case | lock, update, head, event, head, material
    assert (len(licence), len(photo)) == (8, 8), licence
    # token, case | lock, bar, materials present, update, head, event, head | the item's active
    # rule set (秒批: one indexed read, none found here, so nothing more)
    assert len(submit) == 10, submit
    for sql in (licence, photo, submit):
        assert _starting(sql, 'UPDATE "cases_case"') == 1
        assert _starting(sql, 'INSERT INTO "cases_caseevent"') == 1
        assert _starting(sql, 'SELECT "core_eventchainhead"') == 1
        assert _starting(sql, 'UPDATE "core_eventchainhead"') == 1
    assert _starting(create, 'INSERT INTO "core_eventchainhead"') == 1
    assert _starting(create, 'SELECT "core_eventchainhead"') == 0
    assert not [s for s in create + licence + photo + submit if "catalog_material" in s]


@pytest.mark.django_db(transaction=True)
def test_elements_are_kept_only_when_read_outside_a_transaction(item):
    from django.db import transaction

    from tongban.catalog.models import ServiceItemVersion

    elements.forget()
    with transaction.atomic():
        inside = _statements(lambda: elements.with_elements(ServiceItemVersion.objects.get()))
    first = _statements(lambda: elements.with_elements(ServiceItemVersion.objects.get()))
    again = _statements(lambda: elements.with_elements(ServiceItemVersion.objects.get()))
    assert (len(inside), len(first), len(again)) == (7, 7, 1)  # 1: the version row itself
    version = elements.with_elements(ServiceItemVersion.objects.get())
    assert [m.seq for m in version.materials.all()] == [1, 2, 3, 4, 5]
    assert [q.code for q in version.questions.all()] == ["self", "photo"]
    elements.forget()


def test_a_token_is_checked_with_one_query_that_brings_the_person(applicant):
    from tongban.core.services import api_token_authenticate, api_token_create

    _token, plain = api_token_create(user=applicant)
    api_token_authenticate(plain)  # writes last use
    with CaptureQueriesContext(connection) as ctx:
        user = api_token_authenticate(plain)
        assert user.person.name == applicant.person.name
    assert len(ctx.captured_queries) == 1


@pytest.mark.django_db(transaction=True)
def test_the_case_to_change_is_read_with_one_query_and_found_only_by_those_who_may_see_it(
    applicant, other_applicant, code
):
    from tongban.cases.services import case_for_change
    from tongban.core.errors import NotFound

    elements.forget()
    case = _draft(applicant, code, form_data=FORM)
    for who, no in ((other_applicant, case.case_no), (applicant, "330199-20260602-99999")):
        with pytest.raises(NotFound) as missing:
            case_for_change(user=who, case_no=no)
        assert missing.value.message == "没有找到该办件。"
    first = case_for_change(user=applicant, case_no=case.case_no)  # reads and keeps the version
    sql = _statements(lambda: case_for_change(user=applicant, case_no=case.case_no))
    assert len(sql) == 1, sql
    again = case_for_change(user=applicant, case_no=case.case_no)
    assert again.item_version.pk == first.item_version.pk == case.item_version_id
    assert again.item_version is not first.item_version  # each case its own copy
    assert again.item_version.item.implementation_code == code
    assert (again.department.code, again.applicant.name) == ("mzj", applicant.person.name)
    elements.forget()
