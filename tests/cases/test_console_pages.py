"""The staff case pages through the Django client: who may see the queue, a case and its files;
every action through its form (and that a refused one changes nothing); a stale page; counter
acceptance end to end; and a queue page that costs the same queries for 5 cases as for 50."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory, make_credit_code, make_id_number, make_staff
from tests.query_counts import page_queries
from tongban.cases import selectors
from tongban.cases.models import Case, CaseEvent, CaseMaterial, ItemProcedure, ReviewTask
from tongban.cases.services import case_accept, case_decide, case_issue, task_complete
from tongban.catalog.services import item_save_spec
from tongban.core.models import Person
from tongban.core.permissions import Role
from tongban.core.services import enterprise_register

from .conftest import PNG
from .helpers import submitted_case

pytestmark = pytest.mark.django_db

QUEUE = "/console/cases/"
COUNTER = "/console/cases/counter/"
STALE = "该办件已被其他人办理"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def page_url(case) -> str:
    return f"/console/cases/{case.case_no}/"


def act(client, case, action: str, *, version: int | None = None, **fields):
    data = {f"{action}-expected_version": version if version is not None else case.version}
    for name, value in fields.items():
        data[f"{action}-{name}"] = value
    return client.post(f"{page_url(case)}actions/{action}/", data)


def fresh(case) -> Case:
    return Case.objects.get(pk=case.pk)


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def supervisor(db):
    return make_staff(Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def operator(db):
    return make_staff(Role.HOTLINE_OPERATOR, username="operator")


@pytest.fixture
def other_reviewer(db):
    return make_staff(Role.REVIEWER, department=department("scjg", 8), username="reviewer_sc")


@pytest.fixture
def personas(applicant, clerk, reviewer, approver, supervisor, operator, other_reviewer):
    return {
        "anonymous": None,
        "applicant": applicant,
        "clerk": clerk,
        "reviewer": reviewer,
        "approver": approver,
        "supervisor": supervisor,
        "operator": operator,
        "other_reviewer": other_reviewer,
    }


@pytest.fixture
def pool(item):
    """Tasks wait in the department's pool (no random assignment) to be claimed."""
    return ItemProcedure.objects.create(
        item=item.item,
        steps=[
            {"code": "handle", "name": "承办", "role": "reviewer", "limit_days": 0},
            {"code": "decide", "name": "批准", "role": "approver", "limit_days": 0},
        ],
        assignment="pool",
    )


@pytest.fixture
def accepted(at, applicant, clerk, reviewer, approver, code):
    """A case accepted on Wednesday 2026-09-16 (promised 5, legal 20 working days)."""
    at("2026-09-16 10:00")
    return case_accept(actor=clerk, case=submitted_case(applicant, code))


# ---------------------------------------------------------------- who may see what


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("applicant", 403),
        ("operator", 403),
        ("clerk", 200),
        ("reviewer", 200),
        ("approver", 200),
        ("supervisor", 200),
        ("other_reviewer", 200),
    ],
)
def test_the_queue_by_persona(personas, who, status):
    response = client_for(personas[who]).get(QUEUE)
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"] == "/console/login/?next=/console/cases/"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("applicant", 403),  # even the applicant of this very case: the console is for staff
        ("operator", 404),
        ("clerk", 200),
        ("reviewer", 200),
        ("approver", 200),
        ("supervisor", 200),
        ("other_reviewer", 404),
    ],
)
def test_the_case_page_by_persona(personas, accepted, who, status):
    response = client_for(personas[who]).get(page_url(accepted))
    assert response.status_code == status
    if status == 200:
        assert accepted.case_no in text(response)


def test_a_missing_case_is_not_found(clerk):
    assert client_for(clerk).get("/console/cases/330199-20260101-99999/").status_code == 404


def test_the_id_number_is_masked_for_every_role(accepted, clerk, supervisor):
    """Masked for the clerk too (identity.view_full): 「查看完整信息」 reveals it, logged."""
    number = accepted.applicant.id_number
    masked = number[:4] + "*" * 10 + number[-4:]
    page = text(client_for(clerk).get(page_url(accepted)))
    assert masked in page and number not in page
    assert f"/console/personal-data/reveal/case/{accepted.case_no}/" in page
    page = text(client_for(supervisor).get(page_url(accepted)))
    assert masked in page and number not in page
    assert "/console/personal-data/reveal/" not in page


def test_material_files_are_served_to_staff_who_may_see_the_case(
    accepted, clerk, reviewer, other_reviewer, applicant
):
    row = CaseMaterial.objects.get(case=accepted, material__seq=2)
    url = f"{page_url(accepted)}materials/{row.pk}/"
    response = client_for(reviewer).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert client_for(other_reviewer).get(url).status_code == 404
    assert client_for(applicant).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302
    licence = CaseMaterial.objects.get(case=accepted, material__seq=1)  # no file
    assert client_for(clerk).get(f"{page_url(accepted)}materials/{licence.pk}/").status_code == 404
    assert client_for(clerk).get("/media/" + row.file.name).status_code == 404


# ---------------------------------------------------------------- the queue


def test_a_clerk_sees_every_departments_applications_awaiting_acceptance(
    at, applicant, clerk, code, other_reviewer
):
    at("2026-09-16 10:00")
    case = submitted_case(applicant, code)
    response = client_for(clerk).get(QUEUE)
    page = response.context["page"]
    assert [t.key for t in page.tabs] == ["submitted", "correction", "to_deliver"]
    assert [row.case.case_no for row in page.rows] == [case.case_no]
    # 5 working days after receipt; Sunday 09-20 is an adjusted working day (National Day)
    assert page.rows[0].due.isoformat() == "2026-09-22"
    assert client_for(other_reviewer).get(QUEUE).context["page"].rows == []


def test_a_reviewers_queue_is_their_department_grouped_by_due(at, applicant, clerk, reviewer, code):
    at("2026-09-10 10:00")
    late = case_accept(actor=clerk, case=submitted_case(applicant, code))  # due 09-17
    at("2026-09-21 10:00")  # due 09-29: Fri 09-25 is the Mid-Autumn Festival
    today = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-09-29 10:00")
    soon = case_accept(actor=clerk, case=submitted_case(applicant, code))  # due 10-12
    response = client_for(reviewer).get(QUEUE + "?tab=in_review")
    page = response.context["page"]
    assert [(g.key, [r.case.pk for r in g.rows]) for g in page.groups] == [
        ("overdue", [late.pk]),
        ("today", [today.pk]),
        ("other", [soon.pk]),
    ]
    assert page.group_counts == {"overdue": 1, "today": 1, "soon": 0, "other": 1}
    body = text(response)
    assert "黄牌 超承诺期" in body and "card-tag--yellow" in body
    assert "超期 8 个工作日" in body and "今日到期" in body
    # the card filter and the due filter narrow the list the same way as the groups say
    assert [
        r.case.pk
        for r in client_for(reviewer).get(QUEUE + "?tab=in_review&card=yellow").context["page"].rows
    ] == [late.pk]
    assert [
        r.case.pk
        for r in client_for(reviewer).get(QUEUE + "?tab=in_review&due=today").context["page"].rows
    ] == [today.pk]


def test_the_queue_searches_by_case_number_and_applicant_name(
    at, applicant, other_applicant, clerk, code
):
    at("2026-09-16 10:00")
    mine = submitted_case(applicant, code)
    theirs = submitted_case(other_applicant, code)

    def found(q):
        page = client_for(clerk).get(QUEUE, {"q": q}).context["page"]
        return [row.case.pk for row in page.rows]

    assert found(theirs.case_no) == [theirs.pk]
    assert found("张晓") == [mine.pk]
    assert sorted(found("330199-20260916")) == sorted([mine.pk, theirs.pk])
    assert found("没有这个人") == []


def test_bad_filter_values_are_dropped_not_errors(clerk):
    response = client_for(clerk).get(QUEUE, {"tab": "x", "card": "purple", "page": "-3"})
    assert response.status_code == 200
    assert response.context["page"].tab.key == "submitted"


def test_the_queue_costs_the_same_queries_for_5_and_50_cases(at, applicant, clerk, reviewer, code):
    at("2026-09-16 10:00")
    cases = [submitted_case(applicant, code) for _ in range(5)]
    clerk_client, reviewer_client = client_for(clerk), client_for(reviewer)
    for case in cases[:3]:
        case_accept(actor=clerk, case=case)
    few = (
        page_queries(clerk_client, QUEUE),
        page_queries(reviewer_client, QUEUE + "?tab=in_review"),
    )
    cases = [submitted_case(applicant, code) for _ in range(45)]
    for case in cases[:30]:
        case_accept(actor=clerk, case=case)
    page = reviewer_client.get(QUEUE + "?tab=in_review").context["page"]
    assert (len(page.rows), page.count, page.num_pages) == (20, 33, 2)
    many = (
        page_queries(clerk_client, QUEUE),
        page_queries(reviewer_client, QUEUE + "?tab=in_review"),
    )
    assert few == many


# ---------------------------------------------------------------- actions through the page


def test_a_clerk_accepts_through_the_page(at, applicant, clerk, code):
    at("2026-09-16 10:00")
    case = submitted_case(applicant, code)
    c = client_for(clerk)
    response = act(c, case, "accept")
    assert response.status_code == 302
    assert response["Location"] == page_url(case)
    assert fresh(case).status == "in_review"
    page = text(c.get(page_url(case)))
    assert "已受理，办件已进入实施部门的审查环节。" in page
    assert "受理回执" in page


def test_a_stale_page_gets_already_handled_not_a_second_action(at, applicant, clerk, code):
    at("2026-09-16 10:00")
    case = submitted_case(applicant, code)
    stale = case.version
    assert act(client_for(clerk), case, "accept").status_code == 302
    events = CaseEvent.objects.filter(case=case).count()
    response = act(client_for(clerk), case, "refuse", version=stale, reason="重复", confirm="on")
    assert response.status_code == 409
    assert STALE in text(response)
    assert text(response).count("<title>错误：") == 1
    assert (fresh(case).status, CaseEvent.objects.filter(case=case).count()) == (
        "in_review",
        events,
    )


def test_after_a_stale_refusal_the_form_carries_the_current_version(accepted, reviewer):
    r = client_for(reviewer)
    stale = accepted.version
    assert act(r, accepted, "release").status_code == 302  # the page is now out of date
    data = {"kind": "hearing", "reason": "组织听证", "expected_days": "10"}
    response = act(r, accepted, "suspend", version=stale, **data)
    assert response.status_code == 409
    body = text(response)
    assert STALE in body and "退回任务池" in body  # who did what last
    current = fresh(accepted).version
    assert f'name="suspend-expected_version" value="{current}"' in body
    assert fresh(accepted).status == "in_review"
    assert act(r, fresh(accepted), "suspend", **data).status_code == 302


def test_refusal_needs_a_reason_and_a_tick_and_changes_nothing_without(at, applicant, clerk, code):
    at("2026-09-16 10:00")
    case = submitted_case(applicant, code)
    response = act(client_for(clerk), case, "refuse", reason="  ")
    assert response.status_code == 400
    body = text(response)
    assert "<title>错误：" in body
    assert 'href="#id_refuse-reason"' in body and "请填写不予受理的理由。" in body
    assert "请勾选确认后再提交。" in body
    assert fresh(case).status == "submitted"
    response = act(client_for(clerk), case, "refuse", reason="不属于本机关职权范围", confirm="on")
    assert response.status_code == 302
    assert (fresh(case).status, fresh(case).decision_reason) == (
        "not_accepted",
        "不属于本机关职权范围",
    )


def test_a_correction_request_is_one_complete_list(at, applicant, clerk, code):
    at("2026-09-16 10:00")
    case = submitted_case(applicant, code)
    response = act(client_for(clerk), case, "request_correction", other="\n ")
    assert response.status_code == 400
    assert "请一次列明需要补正的全部材料或内容。" in text(response)
    assert fresh(case).status == "submitted"
    response = client_for(clerk).post(
        f"{page_url(case)}actions/request_correction/",
        {
            "request_correction-expected_version": case.version,
            "request_correction-missing": ["近期免冠照片", "户口簿"],
            "request_correction-other": "申请表未签名\n",
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, action="request_correction")
    assert event.payload["missing"] == ["近期免冠照片", "户口簿", "申请表未签名"]
    assert fresh(case).status == "correction_requested"


def test_review_claim_release_complete_and_approve_through_the_pages(
    at, pool, applicant, clerk, reviewer, approver, code
):
    at("2026-09-16 10:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    r = client_for(reviewer)
    row = r.get(QUEUE + "?tab=in_review").context["page"].rows[0]
    assert (row.can_claim, row.can_release) == (True, False)
    response = act(r, case, "claim")
    assert response.status_code == 302
    assert ReviewTask.objects.get(case=case, step="handle").assignee == reviewer
    assert [x.case.pk for x in r.get(QUEUE + "?tab=mine").context["page"].rows] == [case.pk]
    # released from the queue page: back to the queue, not to the case
    response = r.post(
        f"{page_url(case)}actions/release/",
        {"release-expected_version": fresh(case).version, "next": QUEUE + "?tab=mine"},
    )
    assert response["Location"] == QUEUE + "?tab=mine"
    assert ReviewTask.objects.get(case=case, step="handle").assignee is None
    act(r, fresh(case), "claim")
    assert act(r, fresh(case), "complete_step", opinion="").status_code == 400
    assert act(r, fresh(case), "complete_step", opinion="材料齐全").status_code == 302
    # the reviewer cannot decide; the approver can
    assert act(r, fresh(case), "approve").status_code == 403
    a = client_for(approver)
    act(a, fresh(case), "claim")
    assert act(a, fresh(case), "approve", opinion="符合条件").status_code == 302
    assert fresh(case).status == "approved"
    assert act(a, fresh(case), "issue", result="").status_code == 302
    assert fresh(case).status == "issued"


def test_a_denial_states_the_reason_and_the_appeal_rights(accepted, reviewer, approver):
    task_complete(actor=reviewer, case=accepted, opinion="不符合条件")
    a = client_for(approver)
    assert "行政复议" in text(a.get(page_url(accepted)))
    response = act(a, fresh(accepted), "deny", reason="申请人年龄未满 60 周岁")
    assert response.status_code == 400  # not ticked
    assert fresh(accepted).status == "in_review"
    response = act(a, fresh(accepted), "deny", reason="申请人年龄未满 60 周岁", confirm="on")
    assert response.status_code == 302
    assert fresh(accepted).status == "denied"
    event = CaseEvent.objects.get(case=accepted, action="deny")
    assert "行政复议" in event.payload["appeal_rights"]


def test_suspension_and_resumption_move_the_due_dates(at, accepted, reviewer):
    at("2026-09-17 10:00")
    r = client_for(reviewer)
    response = act(
        r, accepted, "suspend", kind="expert_review", reason="组织专家评审", expected_days="0"
    )
    assert response.status_code == 400 and "应为 1 到 365 个工作日。" in text(response)
    assert (
        act(
            r, accepted, "suspend", kind="expert_review", reason="组织专家评审", expected_days="5"
        ).status_code
        == 302
    )
    assert fresh(accepted).status == "suspended"
    at("2026-09-22 10:00")  # Fri 18, Sun 20 (adjusted working day) and Mon 21 were paused
    r = client_for(reviewer)
    assert act(r, fresh(accepted), "resume").status_code == 302
    case = fresh(accepted)
    clock = selectors.clock(case)
    assert clock.paused_days == 3
    assert (case.promised_due, case.legal_due) == (clock.promised_due, clock.legal_due)


def test_only_an_approver_extends_once(accepted, reviewer, approver):
    assert (
        act(client_for(reviewer), accepted, "extend", reason="x", confirm="on").status_code == 403
    )
    a = client_for(approver)
    assert act(a, accepted, "extend", reason="需现场核查", confirm="on").status_code == 302
    case = fresh(accepted)
    assert selectors.clock(case).extension_days == 10
    response = act(a, case, "extend", reason="再延长", confirm="on")
    assert response.status_code == 400
    assert "办理期限只能延长一次。" in text(response)


def test_delivery_by_mail_needs_carrier_and_tracking_number(accepted, reviewer, approver, clerk):
    task_complete(actor=reviewer, case=accepted, opinion="同意")
    case = case_decide(actor=approver, case=fresh(accepted), approve=True)
    case = case_issue(actor=approver, case=case)
    c = client_for(clerk)
    response = act(c, case, "deliver", method="mail", carrier="", tracking_no="")
    assert response.status_code == 400
    body = text(response)
    assert "邮寄送达请填写快递公司。" in body and "邮寄送达请填写快递单号。" in body
    assert fresh(case).status == "issued"
    response = act(c, case, "deliver", method="mail", carrier="中国邮政 EMS", tracking_no="1180")
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, action="deliver")
    assert (event.payload["carrier"], event.payload["tracking_no"]) == ("中国邮政 EMS", "1180")


@pytest.mark.parametrize(("who", "status"), [("other_reviewer", 404), ("applicant", 403)])
def test_refused_actions_change_nothing(personas, at, applicant, code, who, status):
    at("2026-09-16 10:00")
    case = submitted_case(applicant, code)
    events = CaseEvent.objects.filter(case=case).count()
    assert act(client_for(personas[who]), case, "accept").status_code == status
    assert (fresh(case).status, CaseEvent.objects.filter(case=case).count()) == (
        "submitted",
        events,
    )


def test_an_unknown_action_is_not_found(accepted, clerk):
    assert act(client_for(clerk), accepted, "explode").status_code == 404
    assert client_for(clerk).get(f"{page_url(accepted)}actions/accept/").status_code == 405


def test_bulk_claim_asks_for_confirmation_first(at, pool, applicant, clerk, reviewer, code):
    at("2026-09-16 10:00")
    cases = [case_accept(actor=clerk, case=submitted_case(applicant, code)) for _ in range(2)]
    r = client_for(reviewer)
    data = {"action": "claim", "cases": [c.case_no for c in cases], "next": QUEUE}
    response = r.post("/console/cases/bulk/", data)
    assert response.status_code == 200
    assert "确认领取 2 件" in text(response)
    assert not ReviewTask.objects.filter(assignee=reviewer).exists()
    response = r.post("/console/cases/bulk/", {**data, "confirm": "on"})
    assert response["Location"] == QUEUE
    assert ReviewTask.objects.filter(assignee=reviewer, status="claimed").count() == 2


# ---------------------------------------------------------------- counter acceptance


def test_counter_acceptance_from_id_number_to_receipt(at, clerk, code):
    at("2026-09-16 10:00")
    c = client_for(clerk)
    response = c.post(COUNTER, {"step": "find", "id_number": "330106198506200000"})
    assert response.status_code == 400
    assert "身份证号码：校验位不正确，请核对号码。" in text(response)
    number = make_id_number(77)
    response = c.post(COUNTER, {"step": "find", "id_number": number})
    body = text(response)
    assert "尚未登记" in body and number[:4] + "**********" + number[-4:] in body
    response = c.post(
        COUNTER, {"step": "register", "id_number": number, "name": "王秀英", "phone": "13900001111"}
    )
    person = Person.objects.get(id_number=number)
    assert response["Location"] == f"{COUNTER}?person={person.pk}"
    # the item by search, then the situation questions one after another
    body = text(c.get(COUNTER, {"person": person.pk, "q": "老年人优待"}))
    assert f"item={code}" in body
    body = text(c.get(COUNTER, {"person": person.pk, "item": code}))
    assert "是否本人办理？" in body and "收取材料并受理" not in body
    response = c.get(COUNTER, {"person": person.pk, "item": code, "ans_self": "yes"})
    assert "收取材料并受理" in text(response)
    token = response.context["materials_form"]["token"].value()
    post = {
        "step": "accept",
        "person": person.pk,
        "item": code,
        "ans_self": "yes",
        "token": token,
        "m_1": "paper",
        "m_2": "upload",
        "m_5": "none",
        "fd_phone": "13900001111",
        "fd_address": "",
    }
    response = c.post(COUNTER, post)  # no scan chosen, no address: nothing is created
    assert response.status_code == 400
    body = text(response)
    assert "选择了上传扫描件，请选择文件。" in body and "请填写联系地址。" in body
    assert not Case.objects.exists()
    post |= {"fd_address": "云溪街道桂花路 8 号", "f_2": SimpleUploadedFile("照片.png", PNG)}
    response = c.post(COUNTER, post)
    case = Case.objects.get()
    assert response["Location"] == page_url(case) + "?receipt=1"
    assert (case.status, case.channel, case.applicant, case.form_data) == (
        "in_review",
        "window",
        person,
        {"phone": "13900001111", "address": "云溪街道桂花路 8 号"},
    )
    assert dict(case.materials.values_list("material__seq", "status")) == {
        1: "paper",
        2: "provided",
    }
    body = text(c.get(response["Location"]))
    assert "受理回执" in body and "测试mzj" in body and case.case_no in body
    assert "5 个工作日，于 2026年9月22日 前办结" in body
    # the same form posted again lands on the same case
    post["f_2"] = SimpleUploadedFile("照片.png", PNG)
    assert c.post(COUNTER, post)["Location"] == page_url(case) + "?receipt=1"
    assert Case.objects.count() == 1


def test_an_item_for_enterprises_needs_an_organisation_the_applicant_represents(at, clerk, mzj):
    at("2026-09-16 10:00")
    version = item_save_spec(
        spec=spec(
            "mzj", basic_code="000107002000", name="养老机构备案", applicant_kind="enterprise"
        ),
        publish=True,
    )
    code = version.item.implementation_code
    person = PersonFactory(name="钱经理")
    stranger = enterprise_register(name="云溪福寿养老服务有限公司", credit_code=make_credit_code(3))
    own = enterprise_register(
        name="云溪康乐养老服务有限公司",
        credit_code=make_credit_code(4),
        legal_representative=person,
    )
    c = client_for(clerk)
    token = (
        c.get(COUNTER, {"person": person.pk, "item": code, "ans_self": "yes"})
        .context["materials_form"]["token"]
        .value()
    )
    post = {
        "step": "accept",
        "person": person.pk,
        "item": code,
        "ans_self": "yes",
        "token": token,
        "m_1": "licence",
        "m_2": "paper",
        "m_5": "none",
        "fd_phone": "13900002222",
        "fd_address": "云溪街道",
    }
    response = c.post(COUNTER, post)
    assert response.status_code == 400
    assert "本事项由单位申请" in text(response)
    response = c.post(COUNTER, {**post, "credit_code": stranger.credit_code})
    assert "申请人不是该单位的法定代表人或经授权的经办人。" in text(response)
    assert not Case.objects.exists()
    response = c.post(COUNTER, {**post, "credit_code": own.credit_code})
    case = Case.objects.get()
    assert (case.enterprise, case.status) == (own, "in_review")


def test_an_applicant_already_registered_is_found(clerk, code):
    person = PersonFactory(name="赵大爷")
    response = client_for(clerk).post(COUNTER, {"step": "find", "id_number": person.id_number})
    assert response["Location"] == f"{COUNTER}?person={person.pk}"


def test_only_window_clerks_use_the_counter(reviewer, applicant):
    assert client_for(reviewer).get(COUNTER).status_code == 403
    assert client_for(applicant).get(COUNTER).status_code == 403
    assert client_for(None).get(COUNTER).status_code == 302
