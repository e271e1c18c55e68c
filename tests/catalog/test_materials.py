"""Materials for situation answers, for items and for bundles (de-duplication)."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tongban.catalog import selectors
from tongban.catalog.services import bundle_save, item_save_spec
from tongban.core.errors import ValidationFailed

from .specs import department, spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(db):
    department("mzj", 7)
    return item_save_spec(spec=spec("mzj"), publish=True)


def names(result):
    return [(n.material.name, n.required) for n in result.materials]


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"self": "yes"}, [("居民身份证", True), ("近期免冠照片", True), ("户口簿", False)]),
        (
            {"self": "no", "photo": "no"},
            [
                ("居民身份证", True),
                ("近期免冠照片", True),
                ("授权委托书", True),
                ("受托人身份证", True),
                ("户口簿", False),
            ],
        ),
        (
            {"self": "no", "photo": "yes"},
            [("居民身份证", True), ("授权委托书", True), ("受托人身份证", True), ("户口簿", False)],
        ),
    ],
)
def test_materials_for_answers(item, answers, expected):
    result = selectors.materials_for(item.item, answers)
    assert names(result) == expected
    assert [q.code for q, _o in result.path] == list(answers)


@pytest.mark.parametrize(
    ("answers", "code", "field"),
    [
        ({}, "answer_missing", "self"),
        ({"self": "no"}, "answer_missing", "photo"),
        ({"self": "perhaps"}, "answer_invalid", "self"),
        ({"self": "yes", "photo": "yes"}, "answer_unexpected", "photo"),
        ({"self": "yes", "colour": "red"}, "answer_unexpected", "colour"),
    ],
)
def test_incomplete_or_inconsistent_answers_are_refused(item, answers, code, field):
    with pytest.raises(ValidationFailed) as exc:
        selectors.materials_for(item.item, answers)
    assert (exc.value.code, exc.value.field) == (code, field)
    assert "情形" in exc.value.message or "问题" in exc.value.message


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.dictionaries(
        st.sampled_from(["self", "photo", "x"]),
        st.sampled_from(["yes", "no", "maybe", ""]),
        max_size=3,
    )
)
def test_any_answers_give_a_list_or_a_clear_refusal(item, answers):
    try:
        result = selectors.materials_for(item.item, answers)
    except ValidationFailed as exc:
        assert exc.message
    else:
        assert result.materials[0].material.name == "居民身份证"


@pytest.fixture
def ride_hailing(db):
    department("jtj", 11)
    department("gaj", 12)
    shared = [
        {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
        {"seq": 2, "name": "机动车驾驶证", "source": "licence", "licence_type": "JSZ"},
        {"seq": 3, "name": "近期免冠照片"},
    ]
    a = item_save_spec(
        spec=spec(
            "jtj",
            basic_code="000101001000",
            name="网约车驾驶员证",
            questions=[],
            materials=[*shared, {"seq": 4, "name": "驾驶员申请表"}],
        ),
        publish=True,
    )
    b = item_save_spec(
        spec=spec(
            "jtj",
            basic_code="000101002000",
            name="网约车运输证",
            questions=[],
            materials=[
                shared[0],
                {"seq": 2, "name": "机动车行驶证", "source": "licence", "licence_type": "XSZ"},
                {"seq": 3, "name": "车辆保险单"},
            ],
        ),
        publish=True,
    )
    c = item_save_spec(
        spec=spec(
            "gaj",
            basic_code="000701003000",
            name="驾驶员背景核查",
            item_type="07",
            questions=[
                {
                    "code": "self",
                    "text": "是否本人办理？",
                    "options": [
                        {"code": "yes", "label": "是"},
                        {"code": "no", "label": "否", "adds": [4]},
                    ],
                }
            ],
            materials=[
                shared[0],
                shared[1],
                {"seq": 3, "name": "近 期 免冠照片"},
                {"seq": 4, "name": "授权委托书", "necessity": "conditional"},
            ],
        ),
        publish=True,
    )
    return bundle_save(
        spec={
            "code": "wyc",
            "name": "我要开网约车",
            "publish": True,
            "items": [
                a.item.implementation_code,
                b.item.implementation_code,
                c.item.implementation_code,
            ],
            "questions": [
                {
                    "code": "car",
                    "text": "是否已有营运车辆？",
                    "options": [
                        {"code": "yes", "label": "有"},
                        {
                            "code": "no",
                            "label": "没有，只申请驾驶员证",
                            "excludes": [b.item.implementation_code],
                        },
                    ],
                }
            ],
        }
    )


def test_bundle_overview_counts_shared_materials_once(ride_hailing):
    overview = selectors.bundle_overview(ride_hailing)
    assert (
        overview.items,
        overview.materials_without_bundle,
        overview.materials,
        overview.departments,
    ) == (3, 10, 6, 2)


def test_bundle_materials_for_answers_merge_item_questions(ride_hailing):
    result = selectors.bundle_materials_for(ride_hailing, {"car": "yes", "self": "no"})
    got = {n.material.name: len(n.items) for n in result.materials}
    assert got == {
        "居民身份证": 3,
        "机动车驾驶证": 2,
        "近期免冠照片": 2,
        "驾驶员申请表": 1,
        "机动车行驶证": 1,
        "车辆保险单": 1,
        "授权委托书": 1,
    }
    assert result.undeduplicated_count == 11


def test_bundle_question_can_exclude_an_item(ride_hailing):
    result = selectors.bundle_materials_for(ride_hailing, {"car": "no", "self": "yes"})
    assert [v.name for v in result.items] == ["网约车驾驶员证", "驾驶员背景核查"]
    assert "车辆保险单" not in {n.material.name for n in result.materials}


def test_bundle_answers_are_checked(ride_hailing):
    with pytest.raises(ValidationFailed) as exc:
        selectors.bundle_materials_for(ride_hailing, {"car": "yes"})
    assert (exc.value.code, exc.value.field) == ("answer_missing", "self")


def test_bundle_needs_two_existing_items(db):
    with pytest.raises(ValidationFailed) as exc:
        bundle_save(spec={"code": "x", "name": "x", "items": ["nope"]})
    assert exc.value.field == "items"


def test_catalogue_statistics(ride_hailing):
    stats = selectors.catalogue_statistics()
    assert stats.items == 3
    assert stats.average_materials == pytest.approx(11 / 3)
    assert stats.compression_ratio == pytest.approx(0.75)
    assert stats.fully_online_share == 1.0
    assert stats.instant_share == 0.0
    assert stats.average_visits == 0.0


def test_the_same_licence_type_of_different_people_is_not_merged(db):
    department("mzj", 7)
    department("gaj", 8)
    applicant_id = {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"}
    agent_id = {**applicant_id, "seq": 2, "name": "受托人居民身份证", "holder": "agent"}
    a = item_save_spec(spec=spec("mzj", questions=[], materials=[applicant_id]), publish=True)
    b = item_save_spec(
        spec=spec(
            "gaj", basic_code="000107002000", questions=[], materials=[applicant_id, agent_id]
        ),
        publish=True,
    )
    bundle = bundle_save(
        spec={
            "code": "ids",
            "name": "证件",
            "publish": True,
            "items": [a.item.implementation_code, b.item.implementation_code],
        }
    )
    overview = selectors.bundle_overview(bundle)
    assert (overview.materials_without_bundle, overview.materials) == (3, 2)
