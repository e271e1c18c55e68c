"""The catalogue workbook: export → import round trip, validation of every row, the CLI."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import DepartmentFactory, make_credit_code
from tongban.catalog.exchange import (
    ImportInvalid,
    catalogue_export,
    catalogue_import,
    current_versions,
    spec_from_bundle,
)
from tongban.catalog.models import (
    Bundle,
    LifeEvent,
    ServiceItem,
    ServiceItemVersion,
    Theme,
)
from tongban.catalog.models.codes import VersionStatus
from tongban.catalog.services import bundle_save, item_retire, item_save_spec
from tongban.catalog.spec import spec_from_version

pytestmark = pytest.mark.django_db

SHEETS = [
    "说明",
    "主题",
    "人生事件",
    "事项",
    "设定依据",
    "特别程序",
    "收费",
    "常见问题",
    "材料",
    "情形问题",
    "情形选项",
    "一件事",
    "一件事事项",
    "一件事问题",
    "一件事选项",
]


def dept(code: str, n: int):
    return DepartmentFactory(
        code=code, name=f"云溪区{code}", credit_code=make_credit_code(n, kind="11")
    )


def item_spec(department: str, n: int, **changes) -> dict:
    """A fully populated item: every element group, a situation tree with a follow-up."""
    spec = {
        "department": department,
        "basic_code": f"0001{n:05d}000",
        "exercise_level": "4",
        "handling_suffix": "01",
        "local_basic_code": f"330199-{n}",
        "local_implementation_code": "",
        "name": f"测试事项{n}",
        "aliases": "别名甲、别名乙",
        "item_type": "01",
        "applicant_kind": "both",
        "summary": "第一段。\n第二段。",
        "conditions": "符合条件的申请人",
        "legal_limit_days": 20,
        "legal_limit_note": "自受理之日起",
        "promised_limit_days": 5,
        "promised_limit_note": "",
        "handling_type": "promised",
        "visits": 1,
        "visits_reason": "需要现场核验原件",
        "online_depth": "preview",
        "channels": ["window", "web"],
        "deliveries": ["window", "mail", "electronic"],
        "process_steps": ["申请", "受理", "审查", "决定", "送达"],
        "form_fields": [{"name": "shop_name", "label": "店铺名称", "required": True}],
        "outcome_name": "许可证",
        "outcome_licence_type": "XKZ01",
        "charges_fee": True,
        "consult_phone": "0571-12345678",
        "complaint_phone": "12345",
        "location": "云溪区政务服务中心二楼",
        "hours": "工作日 9:00-17:00",
        "themes": ["kaiban"],
        "life_events": ["startup"],
        "legal_bases": [
            {
                "law_name": "中华人民共和国行政许可法",
                "document_number": "主席令第七号",
                "clause_number": "第十二条",
                "clause_text": "下列事项可以设定行政许可：……",
            },
            {"law_name": "某某条例", "document_number": "", "clause_number": "", "clause_text": ""},
        ],
        "special_procedures": [
            {
                "kind": "site_check",
                "limit_days": 5,
                "limit_unit": "workday",
                "note": "现场核查",
                "responsible": "市场监管所",
            }
        ],
        "fees": [
            {
                "name": "工本费",
                "standard": "10元/本",
                "basis": "价费字〔2020〕1号",
                "reducible": True,
                "reduction_basis": "低保户免收",
            }
        ],
        "faqs": [
            {"question": "需要本人到场吗？", "answer": "=需要，携带身份证原件。"},
            {"question": "多久办结？", "answer": "5 个工作日。"},
        ],
        "materials": [
            {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
            {"seq": 2, "name": "申请表", "form": "original", "copies": 2, "notes": "签字"},
            {"seq": 3, "name": "授权委托书", "necessity": "conditional", "deferrable": True},
            {
                "seq": 4,
                "name": "场所证明",
                "necessity": "conditional",
                "condition": "租赁场所的",
                "commitment_replaceable": True,
            },
            {"seq": 5, "name": "户口簿", "necessity": "optional", "source": "government"},
        ],
        "questions": [
            {
                "code": "self",
                "text": "是否本人办理？",
                "help_text": "",
                "options": [
                    {"code": "yes", "label": "是"},
                    {
                        "code": "no",
                        "label": "否，委托他人",
                        "adds": [3],
                        "adds_condition": "受托人到场",
                    },
                ],
            },
            {
                "code": "photo",
                "text": "是否已有电子照片？",
                "help_text": "两寸",
                "shown_if": "self.no",
                "options": [
                    {"code": "yes", "label": "有", "removes": [5]},
                    {"code": "no", "label": "没有"},
                ],
            },
        ],
    }
    spec.update(changes)
    return spec


@pytest.fixture
def catalogue():
    """Themes, life events, four items in every status and a published bundle."""
    scj = dept("scjg", 1)
    mzj = dept("mzj", 2)
    Theme.objects.create(code="kaiban", name="开办企业", audience="enterprise", order=1)
    Theme.objects.create(code="yanglao", name="养老服务", audience="person", order=2)
    LifeEvent.objects.create(code="startup", name="企业开办", audience="enterprise", order=1)
    published = item_save_spec(spec=item_spec("scjg", 1), publish=True)
    draft_spec = item_spec("mzj", 2, name="仅草稿事项", questions=[], themes=[], fees=[])
    draft_spec["materials"][2]["condition"] = "委托他人办理的"
    draft = item_save_spec(spec=draft_spec)
    revised = item_save_spec(spec=item_spec("mzj", 3), publish=True)
    item_save_spec(spec=item_spec("mzj", 3, name="修订中的草稿"))  # current stays published
    retired = item_save_spec(spec=item_spec("scjg", 4, name="已停用事项"), publish=True)
    item_retire(item=retired.item)
    bundle_save(
        spec={
            "code": "kaidian",
            "name": "我要开店",
            "summary": "开店一次办",
            "audience": "enterprise",
            "items": [published.item.implementation_code, revised.item.implementation_code],
            "themes": ["kaiban"],
            "life_events": ["startup"],
            "form_fields": [{"name": "shop", "label": "店名"}],
            "questions": [
                {
                    "code": "food",
                    "text": "是否经营食品？",
                    "help_text": "含预包装食品",
                    "options": [
                        {"code": "yes", "label": "是"},
                        {
                            "code": "no",
                            "label": "否",
                            "excludes": [revised.item.implementation_code],
                            "adds_condition": "不经营食品",
                        },
                    ],
                }
            ],
            "publish": True,
        }
    )
    return {"scjg": scj, "mzj": mzj, "published": published, "draft": draft, "revised": revised}


def snapshot() -> dict:
    """The catalogue as data: every item's current version (status and spec), every bundle."""
    return {
        "items": {
            v.item.implementation_code: (v.status, spec_from_version(v)) for v in current_versions()
        },
        "bundles": {b.code: spec_from_bundle(b) for b in Bundle.objects.all()},
        "themes": list(Theme.objects.values_list("code", "name", "audience", "order")),
        "life_events": list(LifeEvent.objects.values_list("code", "name", "audience", "order")),
    }


def wipe_catalogue() -> None:
    Bundle.objects.all().delete()
    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    Theme.objects.all().delete()
    LifeEvent.objects.all().delete()


def cells(path) -> dict:
    book = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def edit(path, changes: dict[str, dict[str, object]], out):
    """Change cells (sheet → {"C7": value}) and save to ``out``."""
    book = load_workbook(path)
    for sheet, values in changes.items():
        for ref, value in values.items():
            book[sheet][ref] = value
    book.save(out)
    return out


def row_of(path, sheet: str, column: int, value: str) -> int:
    book = load_workbook(path, read_only=True)
    for i, row in enumerate(book[sheet].iter_rows(values_only=True), start=1):
        if row[column - 1] == value:
            book.close()
            return i
    raise AssertionError(f"{value} not in {sheet}")


# --- round trip --------------------------------------------------------------------------------


def test_export_writes_one_sheet_per_element_group_with_chinese_headers(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    summary = catalogue_export(path)
    assert (summary.items, summary.bundles, summary.themes, summary.life_events) == (4, 1, 2, 1)
    data = cells(path)
    assert list(data) == SHEETS
    assert data["材料"][0][:4] == ["实施编码", "材料序号", "材料名称", "必要性"]
    items = {row[0]: row for row in data["事项"][1:]}
    header = data["事项"][0]
    code = catalogue["published"].item.implementation_code
    row = dict(zip(header, items[code], strict=True))
    assert row["状态"] == "已发布"
    assert row["行使层级"] == "县级"
    assert row["事项类型"] == "行政许可"
    assert row["办理渠道"] == "窗口办理、网上办理"
    assert row["送达方式"] == "窗口领取、邮寄送达、电子证照"
    assert row["办理流程"] == "申请\n受理\n审查\n决定\n送达"
    assert row["申请表字段"] == '[{"name": "shop_name", "label": "店铺名称", "required": true}]'
    assert row["是否收费"] == "是"
    assert row["实施主体编码"] == "scjg"
    assert row["实施主体名称"] == "云溪区scjg"
    statuses = {c: dict(zip(header, r, strict=True))["状态"] for c, r in items.items()}
    assert sorted(statuses.values()) == ["已停用", "已发布", "已发布", "草稿"]
    revised = catalogue["revised"].item.implementation_code
    assert dict(zip(header, items[revised], strict=True))["事项名称"] == "测试事项3"
    options = [r for r in data["情形选项"][1:] if r[0] == code]
    assert options[1][:7] == [code, "self", "no", "否，委托他人", "受托人到场", "3", None]
    assert data["一件事"][1][:5] == ["kaidian", "我要开店", "开店一次办", "法人", "已发布"]


def test_round_trip_into_an_empty_catalogue_gives_the_same_catalogue(catalogue, tmp_path):
    first = tmp_path / "first.xlsx"
    catalogue_export(first)
    before = snapshot()
    wipe_catalogue()
    assert ServiceItem.objects.count() == 0

    report = catalogue_import(first)

    assert (report.items_created, report.items_unchanged) == (4, 0)
    assert (report.bundles_saved, report.themes_saved, report.life_events_saved) == (1, 2, 1)
    after = snapshot()
    assert after["items"].keys() == before["items"].keys()
    for code, (status, spec) in before["items"].items():
        assert after["items"][code] == (status, spec), code
    assert after == before
    second = tmp_path / "second.xlsx"
    catalogue_export(second)
    assert cells(second) == cells(first)
    faq = ServiceItemVersion.objects.get(name="测试事项1").faqs.first()
    assert faq.answer == "=需要，携带身份证原件。"  # text, never a formula


def test_reimporting_an_unchanged_workbook_changes_nothing(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    versions = list(ServiceItemVersion.objects.order_by("pk").values_list("pk", "status"))
    bundle_items = list(Bundle.objects.get().bundle_items.values_list("pk", flat=True))

    for _round in range(2):
        report = catalogue_import(path)
        assert report.items_unchanged == 4
        assert report.items_created == report.items_revised == report.items_published == 0
        assert (report.bundles_saved, report.bundles_unchanged) == (0, 1)
        assert (report.themes_saved, report.life_events_saved) == (0, 0)

    assert list(ServiceItemVersion.objects.order_by("pk").values_list("pk", "status")) == versions
    assert list(Bundle.objects.get().bundle_items.values_list("pk", flat=True)) == bundle_items


def test_changed_rows_create_new_versions_and_publish_by_status(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    published = catalogue["published"].item
    draft = catalogue["draft"].item
    r_pub = row_of(path, "事项", 1, published.implementation_code)
    r_draft = row_of(path, "事项", 1, draft.implementation_code)
    r_mat = row_of(path, "材料", 1, published.implementation_code)  # its material 1
    edited = edit(
        path,
        {
            "事项": {f"J{r_pub}": "改名后的事项", f"I{r_draft}": "已发布"},
            "材料": {f"G{r_mat}": 3},
            "主题": {"B2": "开办企业（新）"},
        },
        tmp_path / "edited.xlsx",
    )

    report = catalogue_import(edited)

    assert (report.items_revised, report.items_published, report.items_unchanged) == (1, 1, 2)
    assert report.themes_saved == 1
    current = published.versions.get(status=VersionStatus.PUBLISHED)
    assert (current.version, current.name) == (2, "改名后的事项")
    assert current.materials.get(seq=1).copies == 3
    assert published.versions.get(version=1).status == VersionStatus.RETIRED
    assert draft.versions.get().status == VersionStatus.PUBLISHED  # the draft itself, published
    assert Theme.objects.get(code="kaiban").name == "开办企业（新）"


def test_a_changed_row_marked_draft_adds_a_draft_and_keeps_the_published_version(
    catalogue, tmp_path
):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    item = catalogue["published"].item
    r = row_of(path, "事项", 1, item.implementation_code)
    catalogue_import(edit(path, {"事项": {f"I{r}": "草稿", f"P{r}": 15}}, tmp_path / "e.xlsx"))
    assert list(item.versions.order_by("version").values_list("status", "legal_limit_days")) == [
        (VersionStatus.PUBLISHED, 20),
        (VersionStatus.DRAFT, 15),
    ]


def test_local_codes_are_updated(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    item = catalogue["published"].item
    r = row_of(path, "事项", 1, item.implementation_code)
    report = catalogue_import(edit(path, {"事项": {f"H{r}": "LOCAL-1"}}, tmp_path / "e.xlsx"))
    item.refresh_from_db()
    assert item.local_implementation_code == "LOCAL-1"
    assert report.items_revised == 1
    report = catalogue_import(tmp_path / "e.xlsx")
    assert report.items_unchanged == 4


# --- bad workbooks -----------------------------------------------------------------------------


def test_a_broken_workbook_imports_nothing_and_lists_every_error(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    before = snapshot()
    versions = ServiceItemVersion.objects.count()
    pub = catalogue["published"].item.implementation_code
    rev = catalogue["revised"].item.implementation_code
    r_pub, r_rev = row_of(path, "事项", 1, pub), row_of(path, "事项", 1, rev)
    r_drf = row_of(path, "事项", 1, catalogue["draft"].item.implementation_code)
    m_pub = row_of(path, "材料", 1, pub)  # materials 1–5 of the published item follow
    q_pub = row_of(path, "情形问题", 1, pub)
    o_pub = row_of(path, "情形选项", 1, pub)
    broken = edit(
        path,
        {
            "事项": {
                f"D{r_pub}": "nope",  # unknown department
                f"R{r_rev}": 30,  # promised 30 > legal 20
                f"L{r_rev}": "行政审批",  # not an item type
                f"J{r_drf}": "新名称",  # a valid change: must not be applied either
            },
            "材料": {
                f"C{m_pub + 1}": "",  # material 2 without a name
                f"D{m_pub + 4}": "视情形提交",  # material 5 conditional, no condition
                f"B{m_pub + 1}": 1,  # material 2's number duplicates material 1's
                f"A{m_pub + 3}": "X" * 31,  # material 4 of an item not in the sheet
            },
            "情形问题": {f"E{q_pub + 1}": "self.maybe"},  # no such option
            "情形选项": {f"F{o_pub + 1}": "3、99"},  # no material 99
            "主题": {"A3": "kaiban"},  # duplicate key
            "一件事事项": {"B3": "Y" * 31},  # unknown item in a bundle
        },
        tmp_path / "broken.xlsx",
    )

    with pytest.raises(ImportInvalid) as exc:
        catalogue_import(broken)

    assert [str(p) for p in exc.value.problems] == [
        "主题!A3：编码“kaiban”与第 2 行重复。",
        f"事项!D{r_pub}：实施主体“nope”不存在。",
        f"事项!L{r_rev}：事项类型“行政审批”不是可选值（可选：行政许可、行政处罚、行政强制、"
        "行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务）。",
        f"事项!R{r_rev}：承诺办结时限（30）不能超过法定办结时限（20）。",
        f"材料!B{m_pub + 1}：材料序号 1 重复。",
        f"材料!C{m_pub + 1}：材料名称不能为空。",
        f"材料!A{m_pub + 3}：实施编码“{'X' * 31}”在“事项”表中没有。",
        f"材料!E{m_pub + 4}：材料“户口簿”为视情形提交，应填写提交条件，或由某个情形选项增加它。",
        f"情形问题!E{q_pub + 1}：前置选项“self.maybe”应是前面某个问题的选项（问题编码.选项编码）。",
        f"情形选项!F{o_pub + 1}：引用了不存在的材料序号 99。",
        f"一件事事项!B3：事项“{'Y' * 31}”不存在（应在“事项”表中或系统中已有）。",
        f"一件事选项!F3：“{rev}”不是一件事“kaidian”包含的事项。",
    ]
    assert exc.value.message.startswith("工作簿有 12 处错误，没有导入任何数据。")
    assert ServiceItemVersion.objects.count() == versions
    assert snapshot() == before


def test_an_unknown_department_is_refused_and_nothing_is_created(tmp_path):
    dept("scjg", 1)
    LifeEvent.objects.create(code="startup", name="企业开办", audience="enterprise")
    Theme.objects.create(code="kaiban", name="开办企业", audience="enterprise")
    item_save_spec(spec=item_spec("scjg", 1), publish=True)
    path = tmp_path / "one.xlsx"
    catalogue_export(path)
    wipe_catalogue()
    broken = edit(path, {"事项": {"D2": "weishengjian"}}, tmp_path / "broken.xlsx")

    with pytest.raises(ImportInvalid) as exc:
        catalogue_import(broken)

    assert [str(p) for p in exc.value.problems] == ["事项!D2：实施主体“weishengjian”不存在。"]
    assert ServiceItem.objects.count() == Theme.objects.count() == 0


def test_wrong_implementation_code_bad_cells_and_bundle_problems(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    pub = catalogue["published"].item.implementation_code
    r = row_of(path, "事项", 1, pub)
    broken = edit(
        path,
        {
            "事项": {f"C{r}": "市级", f"P{r}": "二十", f"AD{r}": "也许", f"AI{r}": "kaiban、nope"},
            "收费": {"B2": None},
            "一件事选项": {"F3": "ZZZ"},
            "一件事问题": {"B2": "食品"},
            "一件事": {"E2": "上线"},
        },
        tmp_path / "broken.xlsx",
    )
    with pytest.raises(ImportInvalid) as exc:
        catalogue_import(broken)
    expected_code = catalogue["scjg"].credit_code + "3" + pub[19:]
    assert [str(p) for p in exc.value.problems] == [
        f"事项!A{r}：实施编码应为 {expected_code}（实施主体统一社会信用代码 + 行使层级 + 基本编码）。",
        f"事项!P{r}：法定办结时限（工作日）应为整数，“二十”不是整数。",
        f"事项!AD{r}：是否收费应填“是”或“否”。",
        f"事项!AI{r}：主题“nope”不存在（应在“主题”表中列出）。",
        "收费!B2：收费项目不能为空。",
        "一件事!E2：状态应填“已发布”或“未发布”。",
        "一件事问题!B2：问题编码“食品”只能包含字母、数字、连字符和下划线。",
        "一件事选项!B2：一件事“kaidian”没有编码为“food”的问题。",
        "一件事选项!B3：一件事“kaidian”没有编码为“food”的问题。",
    ]


def test_duplicate_item_and_bundle_rows_are_reported(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    book = load_workbook(path)
    items, bundles = book["事项"], book["一件事"]
    items.append([c.value for c in items[2]])
    bundles.append([c.value for c in bundles[2]])
    book.save(tmp_path / "broken.xlsx")
    with pytest.raises(ImportInvalid) as exc:
        catalogue_import(tmp_path / "broken.xlsx")
    code = items["A2"].value
    assert [str(p) for p in exc.value.problems] == [
        f"事项!A6：实施编码“{code}”与第 2 行重复。",
        "一件事!A3：一件事编码“kaidian”与第 2 行重复。",
    ]


def test_missing_sheets_and_columns_are_reported(catalogue, tmp_path):
    path = tmp_path / "catalogue.xlsx"
    catalogue_export(path)
    book = load_workbook(path)
    del book["收费"]
    book["材料"]["C1"] = "名称"
    book.save(tmp_path / "broken.xlsx")
    with pytest.raises(ImportInvalid) as exc:
        catalogue_import(tmp_path / "broken.xlsx")
    assert [str(p) for p in exc.value.problems] == [
        "收费!A1：缺少工作表“收费”。",
        "材料!C1：缺少列“材料名称”。",
    ]


def test_a_file_that_is_not_a_workbook(tmp_path, db):
    path = tmp_path / "not.xlsx"
    path.write_text("hello")
    with pytest.raises(ImportInvalid) as exc:
        catalogue_import(path)
    assert [str(p) for p in exc.value.problems] == [
        "无法读取工作簿：不是有效的 Excel（.xlsx）文件。"
    ]


# --- the command -------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("catalog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_cli_export_and_import(catalogue, tmp_path):
    path = str(tmp_path / "out.xlsx")
    out, err = run("export", path, "--no-progress")
    assert out == f"已导出 4 个事项、1 个一件事、2 个主题、1 个人生事件到 {path}。\n"
    assert err == ""
    out, err = run("check", path)
    assert out == f"校验通过：{path} 没有发现错误，未写入任何数据。\n"
    out, err = run("import", path, "--progress")
    assert out == (
        "导入完成。事项：新建 0，新版本 0，发布草稿 0，停用 0，未变 4；"
        "一件事：保存 0，未变 1；主题保存 0，人生事件保存 0。\n"
    )
    assert "导入事项" in err
    assert "4/4" in err


def test_cli_import_of_a_broken_workbook_lists_errors_and_fails(catalogue, tmp_path):
    path = tmp_path / "out.xlsx"
    catalogue_export(path)
    broken = edit(path, {"事项": {"D2": "nope"}, "材料": {"C2": " "}}, tmp_path / "broken.xlsx")
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("catalog", "import", str(broken), stdout=io.StringIO(), stderr=err)
    assert str(exc.value) == "导入失败：工作簿有 2 处错误，没有导入任何数据。"
    assert err.getvalue() == "事项!D2：实施主体“nope”不存在。\n材料!C2：材料名称不能为空。\n"


def test_cli_import_of_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError) as exc:
        run("import", str(tmp_path / "none.xlsx"))
    assert str(exc.value) == f"找不到文件 {tmp_path / 'none.xlsx'}。"


def test_cli_dry_run_writes_nothing(catalogue, tmp_path):
    path = tmp_path / "out.xlsx"
    catalogue_export(path)
    wipe_catalogue()
    out, _err = run("import", str(path), "--dry-run")
    assert out == f"校验通过：{path} 没有发现错误，未写入任何数据。\n"
    assert ServiceItem.objects.count() == 0


def test_an_unfinished_draft_is_imported_with_a_warning_but_not_when_it_is_to_be_published(
    tmp_path,
):
    dept("mzj", 2)
    spec = item_spec("mzj", 2, questions=[], themes=[], life_events=[])  # material 3: no condition
    version = item_save_spec(spec=spec)
    assert [p["code"] for p in version.quality_problems if p["severity"] == "error"] == [
        "conditional_without_condition"
    ]
    before = spec_from_version(version)
    path = tmp_path / "draft.xlsx"
    catalogue_export(path)
    wipe_catalogue()
    out, _err = run("import", str(path))
    warning = (
        "提示：材料!E4：材料“授权委托书”为视情形提交，应填写提交条件，或由某个情形选项增加它。"
        "草稿照常导入，但修正前不能发布。"
    )
    assert out.splitlines()[1] == warning
    assert spec_from_version(ServiceItemVersion.objects.get(status="draft")) == before

    published = edit(path, {"事项": {"I2": "已发布"}}, tmp_path / "published.xlsx")
    with pytest.raises(ImportInvalid) as exc:
        catalogue_import(published)
    assert [str(p) for p in exc.value.problems] == [
        "材料!E4：材料“授权委托书”为视情形提交，应填写提交条件，或由某个情形选项增加它。"
    ]
