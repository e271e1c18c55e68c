"""The demo catalogue (issue 3, item 10): what `tongban demo load` puts in the catalogue.

The demo district is loaded once for the module inside a transaction that is rolled back at the
end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import io
import re
from collections import Counter

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max

from tongban.catalog import selectors
from tongban.catalog.demo import (
    bundle_spec_of,
    canonical_bundle_spec,
    canonical_item_spec,
    implementation_codes,
)
from tongban.catalog.demo import load as load_catalog
from tongban.catalog.demo_data import (
    BUNDLES,
    ITEMS,
    LICENCE_CODES,
    LICENCE_TYPES,
    LIFE_EVENTS,
    REVIEW_TERMS,
    THEMES,
)
from tongban.catalog.errors import CatalogErrorCode
from tongban.catalog.models import (
    Bundle,
    Material,
    MaterialReviewTerm,
    ServiceItem,
    ServiceItemVersion,
    SituationOption,
)
from tongban.catalog.models.codes import VersionStatus
from tongban.catalog.quality import check_version
from tongban.catalog.services import item_save_spec
from tongban.catalog.situations import walk
from tongban.catalog.spec import spec_from_version, validate_item_spec, with_defaults
from tongban.core.errors import ValidationFailed

REQUIRED_ITEMS = [
    "老年人优待证办理",
    "高龄老人长寿补贴申领",
    "房屋租赁登记备案",
    "食品经营许可",
    "公共场所卫生许可",
    "个体工商户设立登记",
    "就业登记",
    "失业登记",
    "教师资格认定",
    "网络预约出租汽车驾驶员证核发",
    "网络预约出租汽车运输证核发",
    "建设工程规划许可",
]
MAX_COMBINATIONS = 400


@pytest.fixture(scope="module")
def _demo_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo", "load", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(_demo_loaded, db):
    """The loaded demo; returns name → published version."""
    return {v.name: v for v in selectors.published_versions()}


def _versions_by_name():
    return {v.name: selectors.version_for_display(v.pk) for v in selectors.published_versions()}


def _answer_sets(next_question):
    """Every complete answer set of a situation tree, by depth-first walking.

    ``next_question(answers)`` returns the next unanswered applicable question or None.
    """
    complete, pending = [], [{}]
    while pending:
        answers = pending.pop()
        question = next_question(answers)
        if question is None:
            complete.append(answers)
            continue
        pending.extend({**answers, question.code: o.code} for o in question.options.all())
        assert len(complete) + len(pending) < MAX_COMBINATIONS, "situation tree too large to walk"
    return complete


# -- what is there ---------------------------------------------------------------------------


def test_at_least_60_published_items_with_15_having_situations(demo):
    assert len(demo) == len(ITEMS) >= 60
    with_questions = [v for v in demo.values() if v.questions.exists()]
    assert len(with_questions) >= 15
    assert ServiceItemVersion.objects.filter(status=VersionStatus.DRAFT).count() == 0


def test_the_named_items_exist_and_are_published(demo):
    missing = [name for name in REQUIRED_ITEMS if name not in demo]
    assert missing == []


def test_items_cover_many_departments_and_the_main_item_types(demo):
    departments = {v.item.department.code for v in demo.values()}
    assert len(departments) >= 14
    assert {"01", "05", "07", "10", "20"} <= {v.item_type for v in demo.values()}
    assert sum(v.handling_type == "instant" for v in demo.values()) >= 10


def test_at_least_four_published_bundles_including_the_named_ones(demo):
    names = set(Bundle.objects.filter(is_published=True).values_list("name", flat=True))
    assert len(names) >= 4
    assert {"我要开网约车", "出生一件事", "我要开宾馆"} <= names


def test_ride_hailing_bundle_shows_materials_falling_from_15_to_9(demo):
    bundle = Bundle.objects.get(name="我要开网约车")
    overview = selectors.bundle_overview(bundle)
    assert overview.items == 3
    assert overview.materials_without_bundle == 15
    assert overview.materials == 9
    assert overview.departments == 2
    departments = {bi.item.department.code for bi in bundle.bundle_items.all()}
    assert departments == {"gaj", "jtj"}


def test_every_bundle_saves_materials_and_spans_departments(demo):
    for bundle in Bundle.objects.all():
        overview = selectors.bundle_overview(bundle)
        assert overview.items == bundle.bundle_items.count() >= 2, bundle.name
        assert overview.materials < overview.materials_without_bundle, bundle.name
        assert overview.departments >= 2, bundle.name


def test_birth_bundle_has_the_birth_certificate_household_and_insurance_items(demo):
    bundle = Bundle.objects.get(name="出生一件事")
    members = {
        (bi.item.department.code, demo_name)
        for bi in bundle.bundle_items.all()
        for demo_name, v in demo.items()
        if v.item_id == bi.item_id
    }
    assert ("wjw", "出生医学证明首次签发") in members
    assert ("gaj", "出生登记（新生儿落户）") in members
    assert ("ybj", "城乡居民基本医疗保险参保登记") in members


# -- quality ---------------------------------------------------------------------------------


def test_every_demo_spec_is_valid():
    for spec in ITEMS:
        assert validate_item_spec(with_defaults(spec)) == [], spec["name"]


def test_no_demo_item_has_a_quality_problem(demo):
    problems = {
        name: v.quality_problems + [p.as_dict() for p in check_version(v)]
        for name, v in demo.items()
    }
    assert {name: p for name, p in problems.items() if p} == {}


def test_review_terms_are_seeded_and_flag_a_cancelled_certificate(demo):
    assert set(MaterialReviewTerm.objects.values_list("term", flat=True)) == {
        t for t, _r in REVIEW_TERMS
    }
    spec = dict(next(s for s in ITEMS if s["name"] == "房屋租赁登记备案"))
    spec["materials"] = [*spec["materials"], {"seq": 99, "name": "承租人无房证明"}]
    draft = item_save_spec(spec=spec)
    codes = [p["code"] for p in draft.quality_problems]
    assert codes == ["material_needs_review"]


def test_item_codes_are_national_format_and_unique_per_department():
    seen = Counter((s["department"], s["basic_code"]) for s in ITEMS)
    assert [k for k, n in seen.items() if n > 1] == []
    for spec in ITEMS:
        code = spec["basic_code"]
        assert re.fullmatch(r"00\d{2}\d{5}000", code), spec["name"]
        assert code[2:4] == spec["item_type"], spec["name"]
    names = Counter(s["name"] for s in ITEMS)
    assert [n for n, k in names.items() if k > 1] == []


def test_implementation_codes_are_the_department_code_level_and_basic_code(demo):
    codes = implementation_codes()
    for spec in ITEMS:
        item = ServiceItem.objects.get(implementation_code=codes[spec["name"]])
        assert item.implementation_code.endswith(spec["exercise_level"] + spec["basic_code"])
        assert item.department.code == spec["department"]
        assert len(item.implementation_code) == 31


def test_elements_are_consistent(demo):
    theme_codes = {c for c, _n, _a in THEMES}
    event_codes = {c for c, _n, _a in LIFE_EVENTS}
    for spec in map(with_defaults, ITEMS):
        name = spec["name"]
        assert spec["promised_limit_days"] <= spec["legal_limit_days"], name
        assert (spec["handling_type"] == "instant") == (spec["promised_limit_days"] == 0), name
        assert re.fullmatch(r"0571-8800\d{4}", spec["consult_phone"]), name
        assert spec["location"] and spec["hours"] and spec["outcome_name"], name
        assert spec["legal_bases"], name
        for basis in spec["legal_bases"]:
            assert not basis["law_name"].startswith("《"), name
        if spec["online_depth"] == "offline":
            assert spec["visits"] >= 1, name
        if spec["visits"] == 0:
            assert {"mail", "electronic"} & set(spec["deliveries"]), name
        assert set(spec["themes"]) <= theme_codes, name
        assert set(spec["life_events"]) <= event_codes, name
        assert spec["themes"] and spec["life_events"], name
        if spec["charges_fee"]:
            assert spec["fees"], name
        for m in spec["materials"]:
            assert not (m["commitment_replaceable"] and "承诺" in m["name"]), (name, m["name"])
    materials = [m for s in ITEMS for m in s["materials"]]
    assert sum(bool(m.get("deferrable")) for m in materials) >= 3
    assert sum(bool(m.get("commitment_replaceable")) for m in materials) >= 3
    assert sum(bool(s.get("charges_fee")) for s in ITEMS) >= 1


def test_licence_codes_are_listed_once_and_cover_every_use():
    codes = [c for c, _n, _d in LICENCE_TYPES]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z]{2,12}", c) for c in codes)
    used = {s["outcome_licence_type"] for s in ITEMS if s.get("outcome_licence_type")}
    used |= {m["licence_type"] for s in ITEMS for m in s["materials"] if m.get("licence_type")}
    assert used - LICENCE_CODES == set()
    assert any(s.get("outcome_licence_type") == "YXLRYDZ" for s in ITEMS)


def test_id_cards_come_from_e_licences_and_agents_ids_are_checked_at_the_window():
    for spec in map(with_defaults, ITEMS):
        for m in spec["materials"]:
            if m["name"].endswith("居民身份证") and not m["name"].startswith("受托人"):
                assert (m["source"], m["licence_type"]) == ("licence", "SFZ"), spec["name"]
            if m["name"] == "受托人居民身份证":
                assert m["source"] == "applicant", spec["name"]
            if m["name"] == "营业执照":
                assert m["licence_type"] == "YYZZ", spec["name"]


# -- situations ------------------------------------------------------------------------------


def test_every_answer_combination_gives_a_valid_material_list(demo):
    versions = _versions_by_name()
    walked = 0
    for name, version in versions.items():
        questions = list(version.questions.all())
        if not questions:
            result = selectors.materials_for(version, {})
            assert result.materials, name
            continue
        reached: set[int] = set()

        def next_question(answers, questions=questions):
            return walk(questions, answers, partial=True).next_question

        for answers in _answer_sets(next_question):
            result = selectors.materials_for(version, answers)
            assert result.materials, (name, answers)
            reached |= {need.material.pk for need in result.materials}
            walked += 1
        conditional = set(
            version.materials.filter(necessity="conditional").values_list("pk", flat=True)
        )
        assert conditional <= reached, f"{name}: a conditional material no answer adds"
    assert walked > 100


def test_situations_add_and_remove_materials(demo):
    version = selectors.version_for_display(demo["老年人优待证办理"].pk)
    plain = selectors.materials_for(version, {"household_local": "yes", "proxy": "self"})
    agent = selectors.materials_for(version, {"household_local": "no", "proxy": "agent"})
    names = [n.material.name for n in agent.materials if n.required]
    assert "授权委托书" in names and "受托人居民身份证" in names and "居住证" in names
    assert len(agent.materials) == len(plain.materials) + 3

    insurance = selectors.version_for_display(demo["城乡居民基本医疗保险参保登记"].pk)
    newborn = selectors.materials_for(insurance, {"insured_kind": "newborn"})
    assert {n.material.licence_type for n in newborn.materials} == {"CSYXZM", "SFZ"}
    assert "参保人居民身份证" not in [n.material.name for n in newborn.materials]


def test_follow_up_question_is_asked_only_after_its_option(demo):
    version = selectors.version_for_display(demo["教师资格认定"].pk)
    follow_up = version.questions.get(code="exempt_exam")
    assert follow_up.shown_if.code == "yes" and follow_up.shown_if.question.code == (
        "teacher_education"
    )
    base = {"qualification_level": "primary", "application_place": "household"}
    exempt = selectors.materials_for(
        version, {**base, "teacher_education": "yes", "exempt_exam": "yes"}
    )
    names = [n.material.name for n in exempt.materials]
    assert "师范生教师职业能力证书" in names
    assert "中小学教师资格考试合格证明" not in names
    with pytest.raises(ValidationFailed) as exc:
        selectors.materials_for(version, {**base, "teacher_education": "no", "exempt_exam": "yes"})
    assert exc.value.code == CatalogErrorCode.ANSWER_UNEXPECTED
    with pytest.raises(ValidationFailed) as exc:
        selectors.materials_for(version, {**base, "teacher_education": "yes"})
    assert exc.value.code == CatalogErrorCode.ANSWER_MISSING


def test_every_bundle_answer_combination_gives_a_valid_material_list(demo, monkeypatch):
    # The walk reads the same bundle hundreds of times: load its members once.
    cache: dict[int, list] = {}
    uncached = selectors.bundle_versions

    def cached(bundle):
        if bundle.pk not in cache:
            cache[bundle.pk] = uncached(bundle)
        return cache[bundle.pk]

    monkeypatch.setattr(selectors, "bundle_versions", cached)
    for bundle in Bundle.objects.all():
        bundle = selectors.get_published_bundle(bundle.code)

        def next_question(answers, bundle=bundle):
            return selectors.bundle_walk(bundle, answers, partial=True)[1]

        answer_sets = _answer_sets(next_question)
        assert len(answer_sets) >= 2, bundle.name
        for answers in answer_sets:
            result = selectors.bundle_materials_for(bundle, answers)
            assert result.items, (bundle.name, answers)
            assert result.materials, (bundle.name, answers)
            assert len(result.materials) <= result.undeduplicated_count


def test_a_bundle_question_excludes_items(demo):
    excluding = SituationOption.objects.filter(
        question__bundle__isnull=False, excludes_items__isnull=False
    )
    assert excluding.exists()
    bundle = selectors.get_published_bundle("wangyueche")
    answers = {
        "has_driver_permit": "yes",
        "vehicle_registered": "yes",
        "proxy": "self",
    }
    result = selectors.bundle_materials_for(bundle, answers)
    assert [v.name for v in result.items] == ["网络预约出租汽车运输证核发"]


def test_ride_hailing_bundle_asks_shared_materials_once(demo):
    bundle = selectors.get_published_bundle("wangyueche")
    answers = {
        "has_driver_permit": "no",
        "vehicle_registered": "no",
        "household_local": "yes",
        "exam_passed": "yes",
        "proxy": "self",
    }
    result = selectors.bundle_materials_for(bundle, answers)
    assert result.undeduplicated_count == 15
    assert len(result.materials) == 9
    shared = {n.material.name: len(n.items) for n in result.materials if len(n.items) > 1}
    assert shared == {
        "驾驶员居民身份证": 3,
        "机动车行驶证": 2,
        "机动车登记证书": 2,
        "机动车交通事故责任强制保险凭证": 2,
        "机动车安全技术检验合格证明": 2,
    }


# -- idempotence -----------------------------------------------------------------------------


def _catalog_state():
    counts = {}
    for model in apps.get_app_config("catalog").get_models(include_auto_created=True):
        counts[model._meta.label] = model.objects.count()
    versions = dict(
        ServiceItem.objects.annotate(v=Max("versions__version")).values_list(
            "implementation_code", "v"
        )
    )
    ids = {
        "materials": max(Material.objects.values_list("pk", flat=True)),
        "options": max(SituationOption.objects.values_list("pk", flat=True)),
    }
    return counts, versions, ids


def test_loading_again_changes_nothing(demo):
    before = _catalog_state()
    out = io.StringIO()
    call_command("demo", "load", stdout=out)
    assert "catalog: nothing to do (already loaded)" in out.getvalue()
    assert _catalog_state() == before
    assert load_catalog(lambda _line: None) == {}


def test_the_loader_compares_specs_in_the_shape_they_are_read_back(demo):
    codes = implementation_codes()
    published = {
        v.item.implementation_code: v
        for v in ServiceItemVersion.objects.filter(status=VersionStatus.PUBLISHED)
    }
    for spec in ITEMS:
        code = codes[spec["name"]]
        assert spec_from_version(published[code]) == canonical_item_spec(spec, code), spec["name"]
    for spec in BUNDLES:
        bundle = Bundle.objects.get(code=spec["code"])
        assert bundle_spec_of(bundle) == canonical_bundle_spec(spec, codes), spec["code"]


def test_a_changed_demo_item_becomes_a_new_published_version(demo, monkeypatch):
    from tongban.catalog import demo as demo_module

    changed = [dict(s) for s in ITEMS]
    target = next(s for s in changed if s["name"] == "失业登记")
    target["summary"] = target["summary"] + "（已更新）"
    monkeypatch.setattr(demo_module, "ITEMS", changed)
    created = demo_module.load(lambda _line: None)
    assert created == {"item revisions": 1}
    item = ServiceItem.objects.get(implementation_code=implementation_codes()["失业登记"])
    assert list(item.versions.order_by("version").values_list("version", "status")) == [
        (1, "retired"),
        (2, "published"),
    ]
