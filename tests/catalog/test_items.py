"""Items: saving specs, versioning, publishing, quality problems, permissions."""

import pytest

from tests.factories import make_staff
from tongban.catalog import selectors
from tongban.catalog.models import ServiceItem, ServiceItemVersion
from tongban.catalog.models.codes import VersionStatus
from tongban.catalog.services import item_publish, item_retire, item_revise, item_save_spec
from tongban.catalog.services.items import SpecInvalid
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.permissions import Role

from .specs import department, spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def mzj():
    return department("mzj", 7)


def test_implementation_code_is_credit_code_level_basic_code(mzj):
    version = item_save_spec(spec=spec("mzj"), publish=True)
    item = version.item
    assert item.implementation_code == mzj.credit_code + "4" + "000107001000"
    assert len(item.implementation_code) == 31
    assert item.handling_item_code == item.implementation_code + "00"
    assert version.materials.get(seq=3).code == item.implementation_code + "003"
    assert version.status == VersionStatus.PUBLISHED
    assert version.quality_problems == []


def test_editing_a_published_item_creates_a_new_version_and_keeps_the_old(mzj):
    v1 = item_save_spec(spec=spec("mzj"), publish=True)
    old_materials = [
        m.material.name for m in selectors.materials_for(v1, {"self": "yes"}).materials
    ]
    v2 = item_save_spec(
        spec=spec(
            "mzj",
            name="老年人优待证申领",
            materials=[
                {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
                {"seq": 3, "name": "授权委托书", "necessity": "conditional"},
                {"seq": 4, "name": "受托人身份证", "necessity": "conditional"},
            ],
            questions=[
                {
                    "code": "self",
                    "text": "是否本人办理？",
                    "options": [
                        {"code": "yes", "label": "是"},
                        {"code": "no", "label": "否", "adds": [3, 4]},
                    ],
                }
            ],
        )
    )
    assert (v2.version, v2.status) == (2, VersionStatus.DRAFT)
    v1.refresh_from_db()
    assert v1.status == VersionStatus.PUBLISHED
    # A case filed under v1 reads v1 exactly as before, also after v2 is published.
    item_publish(version=v2)
    v1 = ServiceItemVersion.objects.get(pk=v1.pk)
    assert v1.status == VersionStatus.RETIRED
    assert v1.name == "老年人优待证办理"
    assert [
        m.material.name for m in selectors.materials_for(v1, {"self": "yes"}).materials
    ] == old_materials
    assert selectors.get_published_item(v1.item.implementation_code).name == "老年人优待证申领"
    assert ServiceItem.objects.count() == 1


def test_saving_a_draft_again_replaces_the_draft(mzj):
    item_save_spec(spec=spec("mzj"))
    v = item_save_spec(spec=spec("mzj", name="改名"))
    assert list(ServiceItemVersion.objects.values_list("version", "name", "status")) == [
        (1, "改名", "draft")
    ]
    assert v.version == 1


def test_revise_copies_the_published_version(mzj):
    v1 = item_save_spec(spec=spec("mzj"), publish=True)
    draft = item_revise(item=v1.item)
    assert (draft.version, draft.status) == (2, VersionStatus.DRAFT)
    assert [m.name for m in draft.materials.all()] == [m.name for m in v1.materials.all()]
    assert draft.questions.get(code="photo").shown_if.code == "no"


def test_promised_limit_above_legal_is_refused_and_nothing_is_written(mzj):
    with pytest.raises(SpecInvalid) as exc:
        item_save_spec(spec=spec("mzj", promised_limit_days=25))
    assert exc.value.errors[0].path == "promised_limit_days"
    assert "不能超过法定办结时限" in exc.value.message
    assert ServiceItem.objects.count() == 0


def test_every_problem_of_a_spec_is_listed(mzj):
    bad = spec(
        "mzj",
        name="",
        item_type="99",
        visits=5,
        materials=[{"seq": 1, "name": ""}, {"seq": 1, "name": "重复序号"}],
    )
    with pytest.raises(SpecInvalid) as exc:
        item_save_spec(spec=bad)
    paths = {e.path for e in exc.value.errors}
    assert {
        "name",
        "item_type",
        "visits",
        "materials[0].name",
        "materials[1].seq",
        "questions[0].options[1].adds",
    } <= paths
    assert ServiceItem.objects.count() == 0


def test_unknown_department_is_refused(mzj):
    with pytest.raises(SpecInvalid) as exc:
        item_save_spec(spec=spec("nope"))
    assert exc.value.errors[0].path == "department"
    assert "nope" in exc.value.message


def test_conditional_material_without_condition_blocks_publishing(mzj):
    s = spec("mzj", questions=[])
    version = item_save_spec(spec=s)
    codes = {p["code"] for p in version.quality_problems}
    assert "conditional_without_condition" in codes
    with pytest.raises(ValidationFailed) as exc:
        item_publish(version=version)
    assert exc.value.code == "not_publishable"
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"visits": 1, "visits_reason": "无"}, "visits_without_reason"),
        ({"visits": 0, "visits_reason": "需核验原件"}, "reason_without_visits"),
        (
            {"online_depth": "offline", "channels": ["window"], "deliveries": ["window"]},
            "zero_visits_needs_mail",
        ),
        ({"online_depth": "full", "channels": ["window"]}, "online_without_web_channel"),
        ({"deliveries": ["electronic"]}, "electronic_without_licence_type"),
        ({"legal_bases": []}, "no_legal_basis"),
        ({"charges_fee": True}, "fee_without_items"),
        ({"handling_type": "instant", "promised_limit_days": 5}, "instant_with_limit"),
    ],
)
def test_quality_checker_rules(mzj, changes, code):
    version = item_save_spec(spec=spec("mzj", **changes))
    assert code in {p["code"] for p in version.quality_problems}


def test_material_needing_review_is_flagged(mzj):
    from tongban.catalog.models import MaterialReviewTerm

    MaterialReviewTerm.objects.create(term="居住证明", reason="已取消的证明事项")
    s = spec("mzj")
    s["materials"].append({"seq": 6, "name": "社区居住证明"})
    version = item_save_spec(spec=s)
    flagged = [p for p in version.quality_problems if p["code"] == "material_needs_review"]
    assert len(flagged) == 1
    assert flagged[0]["field"] == "materials.6"


def test_retire_hides_the_item(mzj):
    v = item_save_spec(spec=spec("mzj"), publish=True)
    item_retire(item=v.item)
    with pytest.raises(NotFound):
        selectors.get_published_item(v.item.implementation_code)


def test_staff_without_configuration_permission_cannot_save(mzj):
    clerk = make_staff(Role.WINDOW_CLERK)
    with pytest.raises(PermissionDenied):
        item_save_spec(actor=clerk, spec=spec("mzj"))
    assert ServiceItem.objects.count() == 0
    admin = make_staff(Role.ADMINISTRATOR)
    assert item_save_spec(actor=admin, spec=spec("mzj")).created_by == admin


def test_publishing_twice_is_refused(mzj):
    v = item_save_spec(spec=spec("mzj"), publish=True)
    with pytest.raises(ValidationFailed) as exc:
        item_publish(version=v)
    assert exc.value.code == "not_publishable"


def test_fees_faqs_codes_and_lengths_are_validated(mzj):
    bad = spec(
        "mzj",
        fees=[{"name": ""}],
        faqs=[{"question": "问？", "answer": ""}],
        location="长" * 300,
        special_procedures=[{"kind": "hearing", "limit_days": 5, "limit_unit": "fortnight"}],
    )
    bad["questions"][0]["code"] = "是否 本人"
    with pytest.raises(SpecInvalid) as exc:
        item_save_spec(spec=bad)
    paths = {e.path for e in exc.value.errors}
    assert {
        "fees[0].name",
        "faqs[0].answer",
        "location",
        "special_procedures[0].limit_unit",
        "questions[0].code",
    } <= paths
    assert ServiceItem.objects.count() == 0


def test_revise_keeps_uploaded_forms(mzj):
    from django.core.files.base import ContentFile

    v1 = item_save_spec(spec=spec("mzj"), publish=True)
    material = v1.materials.get(seq=2)
    material.blank_form.save("photo-spec.pdf", ContentFile(b"%PDF-1.4"), save=True)
    draft = item_revise(item=v1.item)
    assert draft.materials.get(seq=2).blank_form.name == material.blank_form.name
