"""The applicant's pages through Django's test client: online application from the wizard's
summary to the confirmation, errors, save and return, withdrawal, correction and resubmission,
the case page's progress, 404 for other people's cases, and query counts on 我的办件."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.catalog.specs import spec
from tests.factories import EnterpriseFactory
from tongban.cases.models import ApplicantBar, Case, CaseEvent, CaseMaterial
from tongban.cases.services import (
    case_accept,
    case_decide,
    case_deliver,
    case_issue,
    case_request_correction,
    case_suspend,
    task_complete,
)
from tongban.catalog.services import item_save_spec
from tongban.core.services.people import enterprise_authorise

from .conftest import PDF, PNG
from .helpers import submitted_case

pytestmark = pytest.mark.django_db

WIZARD = "catalog:answers:item:{code}"


def page_of(response) -> str:
    return response.content.decode()


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", page_of(response), re.S)
    assert match
    return unescape(" ".join(match.group(1).split()))


def text_of(response) -> str:
    """The visible text of the main element, tags removed and spaces collapsed."""
    main = re.search(r"<main.*?</main>", page_of(response), re.S).group(0)
    return unescape(" ".join(re.sub(r"<[^>]+>", " ", main).split()))


def summary_errors(response) -> list[tuple[str, str]]:
    """(href, text) of each link in the error summary."""
    block = re.search(r'<div class="error-summary".*?</div>', page_of(response), re.S)
    assert block, "no error summary"
    return [
        (unescape(h), unescape(" ".join(re.sub(r"<[^>]+>", "", t).split())))
        for h, t in re.findall(r'<a href="([^"]+)">(.*?)</a>', block.group(0), re.S)
    ]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def zhang(applicant):
    return client_for(applicant)


@pytest.fixture
def li(other_applicant):
    return client_for(other_applicant)


def answer(client, code, answers):
    session = client.session
    session[WIZARD.format(code=code)] = answers
    session.save()


def start(client, code, answers=None) -> Case:
    answer(client, code, {"self": "yes"} if answers is None else answers)
    response = client.post(f"/apply/{code}/", {"applicant_as": "self", "key": "k1"})
    assert response.status_code == 302, text_of(response)
    case = Case.objects.latest("pk")
    assert response["Location"] == f"/my/cases/{case.case_no}/apply/"
    return case


# --- the whole journey ----------------------------------------------------------------------


def test_from_the_wizard_summary_to_the_confirmation(at, zhang, applicant, code):
    at("2026-09-21 10:00")
    # the situation wizard, answered in the catalogue, offers the online application
    zhang.get(f"/items/{code}/situation/?restart=1")
    response = zhang.post(f"/items/{code}/situation/self/", {"answer": "yes"})
    summary = zhang.get(f"/items/{code}/situation/summary/")
    assert f'href="/apply/{code}/"' in page_of(summary)
    assert "在线申报" in text_of(summary)

    response = zhang.get(f"/apply/{code}/")
    assert response.status_code == 200
    assert title_of(response) == "在线申报 · 老年人优待证办理 · 通办 · 政务服务平台"
    text = text_of(response)
    assert "提交 3 份材料" in text
    assert "居民身份证 （可用电子证照，免上传） 近期免冠照片 户口簿 （非必要）" in text
    assert "上传 PDF、JPEG、PNG、OFD 格式的文件，每个文件不超过 20 MB。" in text
    assert "是否本人办理？ 是" in text
    assert "申请人：张晓明" in text
    assert "受理后承诺 5 个工作日内办结。" in text

    key = re.search(r'name="key" value="([0-9a-f]{32})"', page_of(response)).group(1)
    response = zhang.post(f"/apply/{code}/", {"applicant_as": "self", "key": key})
    case = Case.objects.get()
    assert (case.status, case.channel, case.answers) == ("draft", "web", {"self": "yes"})
    # the phone the platform holds is filled in; the address is not known
    assert case.form_data == {"phone": applicant.person.phone}
    # a second click with the same page's key returns the same draft
    again = zhang.post(f"/apply/{code}/", {"applicant_as": "self", "key": key})
    assert again["Location"] == response["Location"] == f"/my/cases/{case.case_no}/apply/"
    assert Case.objects.count() == 1

    # the task list
    tasks = zhang.get(response["Location"])
    text = text_of(tasks)
    assert "已完成 0 项，共 2 项" in text
    assert "填写申请表 联系电话、联系地址 未完成" in text
    assert "上传材料 已处理 0 份，共 3 份 还差 2 份" in text
    assert "核对并提交 提交前可以再看一遍所有内容 暂不能开始" in text
    assert f'href="/my/cases/{case.case_no}/apply/check/"' not in page_of(tasks)

    # the form: two questions, one per page, starting with the one not answered
    response = zhang.get(f"/my/cases/{case.case_no}/apply/form/")
    assert response["Location"] == f"/my/cases/{case.case_no}/apply/form/address/"
    response = zhang.get(response["Location"])
    assert title_of(response).startswith("联系地址 · 老年人优待证办理")
    assert "填写申请表，第 2 问，共 2 问" in text_of(response)
    assert re.search(
        r"<h1 class=\"field__heading\"><label[^>]*>联系地址</label></h1>", page_of(response)
    )
    response = zhang.post(f"/my/cases/{case.case_no}/apply/form/address/", {"address": "  "})
    assert response.status_code == 400
    assert title_of(response).startswith("错误：联系地址")
    assert summary_errors(response) == [("#id_address", "联系地址：请填写此项。")]
    assert 'aria-invalid="true"' in page_of(response)
    response = zhang.post(
        f"/my/cases/{case.case_no}/apply/form/address/", {"address": "云溪区学府路 18 号"}
    )
    assert response["Location"] == f"/my/cases/{case.case_no}/apply/"
    # the phone page: a wrong number, then a right one
    response = zhang.post(f"/my/cases/{case.case_no}/apply/form/phone/", {"phone": "12345678"})
    assert response.status_code == 400
    assert summary_errors(response)[0][1].startswith("联系电话：格式不正确")
    response = zhang.post(f"/my/cases/{case.case_no}/apply/form/phone/", {"phone": "139 0571 0001"})
    assert response["Location"] == f"/my/cases/{case.case_no}/apply/form/address/"
    case.refresh_from_db()
    assert case.form_data == {"phone": "13905710001", "address": "云溪区学府路 18 号"}

    # materials: the formats and size are shown; an e-licence instead of the ID card
    materials = f"/my/cases/{case.case_no}/apply/materials/"
    response = zhang.get(materials)
    text = text_of(response)
    assert "支持 PDF、JPEG、PNG、OFD 格式，每个文件不超过 20 MB" in text
    assert text.count("使用电子证照") == 1
    response = zhang.post(materials + "1/", {"way": "licence"})
    assert response["Location"] == materials + "#material-1"
    # a text file named .png is refused with the service's message, and nothing is stored
    response = zhang.post(materials + "2/", {"file": _file("照片.png", b"not an image")})
    assert response.status_code == 400
    assert title_of(response).startswith("错误：上传材料")
    assert summary_errors(response) == [
        ("#material-2-file", "近期免冠照片：只接受 JPEG、OFD、PDF、PNG 格式的文件。")
    ]
    assert re.search(
        r'<p class="field__error" id="material-2-error"><span class="visually-hidden">错误：</span>'
        r"文件：只接受",
        page_of(response),
    )
    assert CaseMaterial.objects.filter(case=case, material__seq=2).count() == 0
    response = zhang.post(materials + "2/", {})
    assert summary_errors(response) == [("#material-2-file", "近期免冠照片：请选择要上传的文件。")]
    response = zhang.post(materials + "2/", {"file": _file("照片.png", PNG)})
    assert response.status_code == 302
    response = zhang.get(materials)
    assert "照片.png" in text_of(response)
    assert "“近期免冠照片”：文件已上传。" in text_of(response)

    # the task list is complete; check your answers
    text = text_of(zhang.get(f"/my/cases/{case.case_no}/apply/"))
    assert "已完成 2 项，共 2 项" in text
    check = f"/my/cases/{case.case_no}/apply/check/"
    response = zhang.get(check)
    text = text_of(response)
    assert "联系地址 云溪区学府路 18 号 修改 ：联系地址" in text
    assert "居民身份证 电子证照 修改" in text
    assert "近期免冠照片 照片.png （" in text
    assert "身份证号码" not in text  # not a field of this item
    assert f'href="/my/cases/{case.case_no}/apply/form/address/?next=check"' in page_of(response)
    # submitting without the declaration
    response = zhang.post(check, {})
    assert response.status_code == 400
    assert summary_errors(response) == [("#id_declaration", "请勾选声明后再提交。")]
    assert Case.objects.get().status == "draft"
    response = zhang.post(check, {"declaration": "on"})
    assert response["Location"] == f"/my/cases/{case.case_no}/submitted/"
    case.refresh_from_db()
    assert case.status == "submitted"
    # a second click lands on the confirmation again
    assert zhang.post(check, {"declaration": "on"})["Location"] == response["Location"]

    # the confirmation: the case number and what happens next
    response = zhang.get(response["Location"])
    text = text_of(response)
    assert "申请已提交 办件编号 " + case.case_no in text
    assert "测试mzj会在 2026-09-29 前（5 个工作日内）审查您的材料" in text
    assert "受理后承诺 5 个工作日内办结（法定时限 20 个工作日）。" in text

    # and the case page
    response = zhang.get(f"/my/cases/{case.case_no}/")
    text = text_of(response)
    assert "当前状态： 待受理" in text
    assert "受理 当前步骤：等待受理" in text
    assert 'aria-current="step"' in page_of(response)
    assert "测试mzj 将在 2026-09-29 前（收到材料后 5 个工作日内）受理" in text
    assert "提交申请 2026-09-21 10:00 · ， 您 申请和材料已送达测试mzj。 开始填写申请" in text


def _file(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# --- errors and refusals --------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(anonymous_client, applicant, code):
    case = submitted_case(applicant, code)
    for path in (
        f"/apply/{code}/",
        "/my/cases/",
        f"/my/cases/{case.case_no}/",
        f"/my/cases/{case.case_no}/apply/",
        f"/my/cases/{case.case_no}/withdraw/",
    ):
        response = anonymous_client.get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={path}"


def test_another_applicants_case_is_not_found_and_nothing_changes(zhang, li, applicant, code):
    draft = start(zhang, code)
    sent = submitted_case(applicant, code)
    before = list(CaseEvent.objects.values_list("pk", flat=True))
    for case in (draft, sent):
        no = case.case_no
        for path in (
            f"/my/cases/{no}/",
            f"/my/cases/{no}/apply/",
            f"/my/cases/{no}/apply/form/",
            f"/my/cases/{no}/apply/materials/",
            f"/my/cases/{no}/apply/check/",
            f"/my/cases/{no}/submitted/",
            f"/my/cases/{no}/withdraw/",
        ):
            assert li.get(path).status_code == 404, path
        for path, data in (
            (f"/my/cases/{no}/apply/form/address/", {"address": "x"}),
            (f"/my/cases/{no}/apply/materials/1/", {"way": "licence"}),
            (f"/my/cases/{no}/apply/check/", {"declaration": "on"}),
            (f"/my/cases/{no}/withdraw/", {"reason": ""}),
            (f"/my/cases/{no}/resubmit/", {}),
        ):
            assert li.post(path, data).status_code == 404, path
    assert list(CaseEvent.objects.values_list("pk", flat=True)) == before
    assert li.get("/my/cases/no-such-case/").status_code == 404
    # 我的办件 of the other applicant lists none of them
    assert draft.case_no not in page_of(li.get("/my/cases/"))


def test_staff_without_a_person_record_are_told_so(clerk, code):
    response = client_for(clerk).get(f"/apply/{code}/")
    assert response.status_code == 403
    assert "需要实名登记的申请人账号" in text_of(response)


def test_a_staff_member_cannot_open_a_case_on_the_portal(applicant, clerk, code):
    case = submitted_case(applicant, code)
    assert client_for(clerk).get(f"/my/cases/{case.case_no}/").status_code == 403


def test_the_start_asks_the_wizard_first(zhang, code):
    response = zhang.get(f"/apply/{code}/")
    assert response["Location"] == f"/items/{code}/situation/"
    answer(zhang, code, {"self": "maybe"})
    assert zhang.get(f"/apply/{code}/")["Location"] == f"/items/{code}/situation/"
    assert zhang.get("/apply/no-such-item/").status_code == 404
    assert Case.objects.count() == 0


def test_a_barred_applicant_is_told_why(zhang, applicant, item, code):
    ApplicantBar.objects.create(
        person=applicant.person, item=item.item, until=dt.date(2099, 1, 1), reason="提供虚假材料"
    )
    answer(zhang, code, {"self": "yes"})
    response = zhang.post(f"/apply/{code}/", {"applicant_as": "self", "key": "k"})
    assert response.status_code == 400
    assert summary_errors(response) == [
        (
            "#start",
            "申请人在 2099-01-01 前不得申请该事项：提供虚假材料（行政许可法第七十八、七十九条）",
        )
    ]
    assert Case.objects.count() == 0


def test_an_item_offered_only_at_the_window(zhang, mzj):
    version = item_save_spec(
        spec=spec("mzj", basic_code="000107002000", name="窗口事项", online_depth="offline"),
        publish=True,
    )
    code = version.item.implementation_code
    response = zhang.get(f"/apply/{code}/")
    assert "本事项暂不能网上申报" in text_of(response)
    answer(zhang, code, {"self": "yes"})
    assert zhang.post(f"/apply/{code}/", {"applicant_as": "self"}).status_code == 200
    assert Case.objects.count() == 0
    summary = zhang.get(f"/items/{code}/situation/summary/")
    assert "/apply/" not in page_of(summary)


ENTERPRISE_FORM = [
    {"code": "entity_name", "label": "单位名称", "type": "text", "required": True},
    {"code": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
    {"code": "phone", "label": "联系电话", "type": "phone", "required": True},
    {"code": "rooms", "label": "客房数量", "type": "integer", "required": True},
    {"code": "opened", "label": "开业日期", "type": "date", "required": False},
    {"code": "note", "label": "备注", "type": "textarea", "required": False},
]


def test_an_item_for_persons_and_enterprises_asks_for_whom(zhang, applicant, mzj):
    version = item_save_spec(
        spec=spec(
            "mzj",
            basic_code="000107003000",
            name="单位事项",
            applicant_kind="both",
            form_fields=ENTERPRISE_FORM,
        ),
        publish=True,
    )
    code = version.item.implementation_code
    answer(zhang, code, {"self": "yes"})
    # without an authorisation: only oneself, no question
    assert "申请人：张晓明" in text_of(zhang.get(f"/apply/{code}/"))
    enterprise = EnterpriseFactory(name="云溪示范科技有限公司", phone="0571-87650000")
    enterprise_authorise(
        person=applicant.person, enterprise=enterprise, valid_from=dt.date(2020, 1, 1)
    )
    response = zhang.get(f"/apply/{code}/")
    assert "以谁的名义申请？ 本人（张晓明） 云溪示范科技有限公司" in text_of(response)
    response = zhang.post(f"/apply/{code}/", {"key": "k"})
    assert response.status_code == 400
    assert summary_errors(response) == [("#id_applicant_as_0", "请选择以谁的名义申请。")]
    response = zhang.post(f"/apply/{code}/", {"key": "k", "applicant_as": "999"})
    assert summary_errors(response) == [("#id_applicant_as_0", "请选择列出的选项之一。")]
    assert Case.objects.count() == 0
    response = zhang.post(f"/apply/{code}/", {"key": "k", "applicant_as": str(enterprise.pk)})
    case = Case.objects.get()
    assert case.enterprise == enterprise
    # the name and credit code come from the register; the enterprise's phone is filled in
    assert case.form_data == {"phone": "0571-87650000"}
    # four fields to ask: one page with all of them
    form = f"/my/cases/{case.case_no}/apply/form/"
    assert zhang.get(form + "rooms/")["Location"] == form + "#id_rooms"
    response = zhang.get(form)
    text = text_of(response)
    assert (
        "以下信息来自您的实名登记，无需填写： 单位名称 云溪示范科技有限公司 统一社会信用代码"
        in text
    )
    assert "开业日期 （选填）" in text
    assert 'name="entity_name"' not in page_of(response)
    response = zhang.post(
        form, {"phone": "0571-87650000", "rooms": "十二", "opened": "2026-13-01", "note": ""}
    )
    assert response.status_code == 400
    assert title_of(response).startswith("错误：填写申请表")
    assert summary_errors(response) == [
        ("#id_rooms", "客房数量：请填写整数，如 12。"),
        ("#id_opened", "开业日期：请按 年-月-日 填写，如 2026-09-30。"),
    ]
    assert Case.objects.get().form_data == {"phone": "0571-87650000"}
    response = zhang.post(
        form, {"phone": "0571-87650000", "rooms": "１２", "opened": "2026-09-01", "note": ""}
    )
    assert response["Location"] == f"/my/cases/{case.case_no}/apply/"
    assert Case.objects.get().form_data == {
        "phone": "0571-87650000",
        "rooms": "12",
        "opened": "2026-09-01",
    }


def test_an_enterprise_only_item_needs_an_authorisation(zhang, mzj):
    version = item_save_spec(
        spec=spec(
            "mzj",
            basic_code="000107004000",
            name="企业事项",
            applicant_kind="enterprise",
            form_fields=ENTERPRISE_FORM,
        ),
        publish=True,
    )
    code = version.item.implementation_code
    answer(zhang, code, {"self": "yes"})
    response = zhang.get(f"/apply/{code}/")
    assert "需要以单位名义申请" in text_of(response)
    zhang.post(f"/apply/{code}/", {"key": "k", "applicant_as": "self"})
    assert Case.objects.count() == 0


def test_an_oversized_upload_is_refused_without_storing_it(settings, zhang, code):
    settings.TONGBAN_UPLOAD_MAX_MB = 1
    case = start(zhang, code)
    big = PDF + b"0" * (1024 * 1024)
    response = zhang.post(
        f"/my/cases/{case.case_no}/apply/materials/2/", {"file": _file("大.pdf", big)}
    )
    assert response.status_code == 400
    assert summary_errors(response) == [
        ("#material-2-file", "近期免冠照片：文件超过 1 MB，请压缩后再上传。")
    ]
    assert "PDF、JPEG、PNG、OFD，不超过 1 MB" in text_of(response)
    assert not CaseMaterial.objects.exists()


@pytest.fixture
def flexible(mzj):
    """An item whose photo may be deferred (容缺) or replaced by a commitment (告知承诺)."""
    materials = [
        {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
        {"seq": 2, "name": "近期免冠照片", "deferrable": True, "commitment_replaceable": True},
    ]
    version = item_save_spec(
        spec=spec(
            "mzj", basic_code="000107005000", name="灵活事项", materials=materials, questions=[]
        ),
        publish=True,
    )
    return version.item.implementation_code


def test_a_material_given_another_way_and_handed_in_later(
    zhang, applicant, clerk, flexible, django_capture_on_commit_callbacks
):
    case = start(zhang, flexible, answers={})
    base = f"/my/cases/{case.case_no}/apply/materials/"
    text = text_of(zhang.get(base))
    assert "或者不上传： 容缺后补 ：近期免冠照片 暂时没有也可以先受理，受理后再补交" in text
    # an upload, then removed again (the file goes with it)
    zhang.post(base + "2/", {"file": _file("照片.png", PNG)})
    row = CaseMaterial.objects.get()
    stored = row.file.name
    with django_capture_on_commit_callbacks(execute=True):
        response = zhang.post(f"{base}remove/{row.pk}/")
    assert response["Location"] == base
    assert not CaseMaterial.objects.exists()
    assert not row.file.storage.exists(stored)
    # a commitment needs the promise ticked
    response = zhang.post(base + "2/", {"way": "commitment"})
    assert response.status_code == 400
    assert summary_errors(response) == [
        ("#material-2-ways", "近期免冠照片：请勾选承诺后再选择告知承诺。")
    ]
    response = zhang.post(base + "2/", {"way": "commitment", "promise": "on"})
    assert response.status_code == 302
    row = CaseMaterial.objects.get()
    assert (row.status, row.note[:12]) == ("commitment", "本人承诺已具备“近期免冠")
    text = text_of(zhang.get(base))
    assert "告知承诺：以您签署的承诺代替这份材料" in text
    assert "选择文件" not in text.split("近期免冠照片")[-1]  # no upload beside a commitment
    # a way that the material does not allow is refused by the service, nothing stored
    response = zhang.post(base + "1/", {"way": "deferred"})
    assert summary_errors(response) == [("#material-1-ways", "材料“居民身份证”不允许容缺。")]
    zhang.post(f"{base}remove/{row.pk}/")
    zhang.post(base + "2/", {"way": "deferred"})
    zhang.post(base + "1/", {"way": "licence"})
    zhang.post(f"/my/cases/{case.case_no}/apply/form/address/", {"address": "学府路 18 号"})
    response = zhang.post(f"/my/cases/{case.case_no}/apply/check/", {"declaration": "on"})
    assert response.status_code == 302
    case = case_accept(actor=clerk, case=Case.objects.get())
    # after acceptance the deferred photo is owed
    page = f"/my/cases/{case.case_no}/"
    text = text_of(zhang.get(page))
    assert (
        "需要您补交容缺材料 您的申请已按容缺方式受理。以下材料补齐前，部门不会作出决定： 近期免冠照片"
        in text
    )
    assert "补交 1 份容缺材料" in text_of(zhang.get("/my/cases/"))
    text = text_of(zhang.get(base))
    assert text.count("选择文件") == 1  # only the owed material takes an upload
    # the ID card may not be changed any more
    response = zhang.post(base + "1/", {"file": _file("身份证.png", PNG)})
    assert response["Location"] == page
    response = zhang.post(base + "2/", {"file": _file("照片.png", PNG)})
    assert response.status_code == 302
    text = text_of(zhang.get(page))
    assert "需要您补交容缺材料" not in text
    assert "补充材料：近期免冠照片" in text
    assert zhang.get(base)["Location"] == page  # nothing left to hand in
    # a draft's removal is refused once submitted
    row = CaseMaterial.objects.filter(status="provided").get()
    zhang.post(f"{base}remove/{row.pk}/")
    assert CaseMaterial.objects.filter(pk=row.pk).exists()


def test_submitting_with_something_missing_links_to_it(zhang, code):
    case = start(zhang, code)
    response = zhang.post(f"/my/cases/{case.case_no}/apply/check/", {"declaration": "on"})
    assert response.status_code == 400
    assert summary_errors(response) == [
        (f"/my/cases/{case.case_no}/apply/form/address/?next=check", "联系地址：请填写此项。"),
        (f"/my/cases/{case.case_no}/apply/materials/#material-1", "还没有提交“居民身份证”。"),
        (f"/my/cases/{case.case_no}/apply/materials/#material-2", "还没有提交“近期免冠照片”。"),
    ]
    assert Case.objects.get().status == "draft"
    # the change link returns to the check page
    response = zhang.post(
        f"/my/cases/{case.case_no}/apply/form/address/?next=check", {"address": "学府路 18 号"}
    )
    assert response["Location"] == f"/my/cases/{case.case_no}/apply/check/"


# --- save and return, withdrawal ------------------------------------------------------------


def test_drafts_are_kept_and_resumed(zhang, code):
    case = start(zhang, code)
    response = zhang.get("/my/cases/")
    text = text_of(response)
    assert "未提交的申请（1）" in text
    assert f"老年人优待证办理 草稿 {case.case_no}" in text
    assert f'href="/my/cases/{case.case_no}/apply/"' in page_of(response)
    assert "已提交的办件（0）" in text
    # the start page offers the draft instead of a second one
    answer(zhang, code, {"self": "yes"})
    text = text_of(zhang.get(f"/apply/{code}/"))
    assert f"您已有 1 份该事项未提交的申请，可以接着填写： 继续填写 {case.case_no}" in text
    # the case page of a draft is its task list
    assert zhang.get(f"/my/cases/{case.case_no}/")["Location"] == (
        f"/my/cases/{case.case_no}/apply/"
    )


def test_withdrawing_asks_first(zhang, code):
    case = start(zhang, code)
    response = zhang.get(f"/my/cases/{case.case_no}/withdraw/")
    assert title_of(response).startswith("确定要撤回申请吗？")
    assert "撤回后，这份草稿不能再继续填写。" in text_of(response)
    case.refresh_from_db()
    assert case.status == "draft"
    response = zhang.post(
        f"/my/cases/{case.case_no}/withdraw/", {"reason": "x" * 201, "version": case.version}
    )
    assert response.status_code == 400
    assert summary_errors(response) == [("#id_reason", "不能超过 200 个字。")]
    response = zhang.post(
        f"/my/cases/{case.case_no}/withdraw/", {"reason": "不办了", "version": case.version}
    )
    assert response["Location"] == f"/my/cases/{case.case_no}/"
    case.refresh_from_db()
    assert case.status == "withdrawn"
    text = text_of(zhang.get(response["Location"]))
    assert "申请已撤回。" in text
    assert "申报 已结束：已撤回 2 受理 不再办理" in text
    assert "撤回申请 " in text and "原因：不办了" in text
    # nothing more to do with it
    assert zhang.get(f"/my/cases/{case.case_no}/apply/")["Location"] == response["Location"]
    assert zhang.get(f"/my/cases/{case.case_no}/withdraw/")["Location"] == response["Location"]


def test_withdrawing_a_case_that_moved_on_meanwhile(zhang, applicant, clerk, code):
    case = submitted_case(applicant, code)
    seen = case.version
    case_accept(actor=clerk, case=case)
    response = zhang.post(f"/my/cases/{case.case_no}/withdraw/", {"version": seen})
    assert response["Location"] == f"/my/cases/{case.case_no}/"
    text = text_of(zhang.get(response["Location"]))
    assert "办件的状态已经变为“审查中”" in text
    assert "clerk" not in text
    assert Case.objects.get().status == "in_review"


# --- the case page: correction, decision, delivery ------------------------------------------


def test_a_correction_banner_and_resubmission(at, zhang, applicant, clerk, code):
    at("2026-09-21 10:00")
    case = submitted_case(applicant, code)
    at("2026-09-22 09:00")
    case_request_correction(
        actor=clerk,
        case=case,
        missing=["近期免冠照片（白底）", "户口簿首页"],
        note="照片背景需为白色",
    )
    page = f"/my/cases/{case.case_no}/"
    response = zhang.get(page)
    text = text_of(response)
    assert "需要您补正材料" in text
    assert (
        "于 2026-09-22 一次性告知，需要补正以下全部内容： 近期免冠照片（白底） 户口簿首页" in text
    )
    assert "说明：照片背景需为白色" in text
    assert "受理 当前步骤：等待您补正" in text
    assert "补正完成，重新提交" not in text  # nothing added yet
    # 我的办件 says what is owed
    assert "补正材料后重新提交" in text_of(zhang.get("/my/cases/"))
    # resubmitting before adding anything is refused
    response = zhang.post(f"/my/cases/{case.case_no}/resubmit/")
    assert response["Location"] == f"/my/cases/{case.case_no}/apply/materials/"
    assert Case.objects.get().status == "correction_requested"
    # add the photo, then resubmit
    materials = zhang.get(f"/my/cases/{case.case_no}/apply/materials/")
    assert "部门一次性告知需要补正的全部内容" in text_of(materials)
    assert "户口簿首页" in text_of(materials)
    zhang.post(f"/my/cases/{case.case_no}/apply/materials/2/", {"file": _file("白底.pdf", PDF)})
    assert "补正完成，重新提交" in text_of(zhang.get(page))
    response = zhang.post(f"/my/cases/{case.case_no}/resubmit/")
    assert response["Location"] == page
    case.refresh_from_db()
    assert case.status == "submitted"
    text = text_of(zhang.get(page))
    assert "已重新提交" in text
    assert "补正后重新提交" in text and "补充材料：近期免冠照片" in text


def test_the_case_page_after_a_denial(at, zhang, applicant, clerk, reviewer, approver, code):
    at("2026-09-21 10:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    at("2026-09-23 10:00")
    page = f"/my/cases/{case.case_no}/"
    text = text_of(zhang.get(page))
    assert "承诺 2026-09-29 前办结，还剩 3 个工作日。" in text
    assert (
        "✓ 申报 已完成 ✓ 受理 已完成 3 审查 当前步骤：审查中，承诺 2026-09-29 前办结 4 决定 未开始"
        in text
    )
    case = task_complete(actor=reviewer, case=case, opinion="内部意见：年龄不符")
    case = case_decide(actor=approver, case=case, approve=False, reason="申请人未满 60 周岁")
    response = zhang.get(page)
    text = text_of(response)
    assert "当前状态： 不予许可" in text
    assert "不予许可 理由：申请人未满 60 周岁" in text
    assert "六十日内依法申请行政复议" in text
    assert "2026-09-23 作出决定，在承诺期限内办结。" in text
    # staff are shown as their department, internal opinions are not shown
    assert "测试mzj" in text
    for hidden in ("用户", "reviewer", "approver", "clerk", "内部意见", "complete_step", "deny"):
        assert hidden not in text, hidden
    # the written notices
    assert f'href="/notices/{case.case_no}/denial.pdf"' in page_of(response)
    assert "不予行政许可决定书" in text
    assert "完成“承办”环节，转入“批准”环节" in text


def test_the_case_page_after_delivery(at, zhang, applicant, clerk, reviewer, approver, code):
    at("2026-09-21 10:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case = task_complete(actor=reviewer, case=case, opinion="同意")
    case = case_decide(actor=approver, case=case, approve=True)
    case = case_issue(actor=approver, case=case)
    case = case_deliver(
        actor=clerk, case=case, method="mail", carrier="中国邮政 EMS", tracking_no="EA123456789CN"
    )
    text = text_of(zhang.get(f"/my/cases/{case.case_no}/"))
    assert "准予许可 办理结果：老年人优待证" in text
    assert "邮寄送达：中国邮政 EMS，运单号 EA123456789CN。" in text
    assert "送达 已完成" in text
    assert "当前步骤" not in text


def test_a_suspended_case_says_the_clock_stopped(at, zhang, applicant, clerk, reviewer, code):
    at("2026-09-21 10:00")
    case = case_accept(actor=clerk, case=submitted_case(applicant, code))
    case_suspend(
        actor=reviewer, case=case, kind="expert_review", reason="需专家评审", expected_days=5
    )
    text = text_of(zhang.get(f"/my/cases/{case.case_no}/"))
    assert "进入特别程序：专家评审" in text
    assert "预计需要 5 个工作日，这段时间不计入办理时限。" in text
    assert "特别程序中，办理时限暂停计算" in text


# --- 我的办件 -------------------------------------------------------------------------------


def test_my_cases_lists_status_dates_and_what_is_owed(at, zhang, applicant, clerk, code):
    at("2026-09-21 10:00")
    first = submitted_case(applicant, code)
    second = case_accept(actor=clerk, case=submitted_case(applicant, code))
    response = zhang.get("/my/cases/")
    text = text_of(response)
    assert "已提交的办件（2）" in text
    rows = re.findall(r"<tr>(.*?)</tr>", page_of(response), re.S)[1:]
    cells = [unescape(" ".join(re.sub(r"<[^>]+>", " ", r).split())) for r in rows]
    assert cells == [
        f"老年人优待证办理 {second.case_no} · 测试mzj 审查中 2026-09-21 无需操作",
        f"老年人优待证办理 {first.case_no} · 测试mzj 待受理 2026-09-21 无需操作",
    ]


def test_my_cases_reads_a_fixed_number_of_queries(zhang, applicant, code):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert zhang.get("/my/cases/").status_code == 200
        return len(ctx.captured_queries)

    submitted_case(applicant, code)
    start(zhang, code)
    few = count()
    for _ in range(25):
        submitted_case(applicant, code)
    for i in range(4):
        answer(zhang, code, {"self": "yes"})
        zhang.post(f"/apply/{code}/", {"applicant_as": "self", "key": f"more-{i}"})
    assert count() == few
    response = zhang.get("/my/cases/?page=2")
    assert "第 2 页，共 2 页" in text_of(response)
