"""The catalogue admin: pages for administrators, draft-only editing, actions through services."""

from __future__ import annotations

import pytest
from django.forms import CheckboxInput, ModelMultipleChoiceField, MultipleChoiceField
from django.test import Client
from django.urls import reverse

from tests.factories import DepartmentFactory, make_credit_code, make_staff
from tongban.catalog.exchange import spec_from_bundle
from tongban.catalog.models import (
    Bundle,
    Material,
    ServiceItem,
    ServiceItemVersion,
    SituationQuestion,
    Theme,
)
from tongban.catalog.models.codes import VersionStatus
from tongban.catalog.services import bundle_save, item_save_spec
from tongban.catalog.spec import spec_from_version
from tongban.core.permissions import Role

pytestmark = pytest.mark.django_db


def item_spec(department: str, n: int, **changes) -> dict:
    spec = {
        "department": department,
        "basic_code": f"0001{n:05d}000",
        "exercise_level": "4",
        "name": f"后台事项{n}",
        "item_type": "01",
        "legal_limit_days": 20,
        "promised_limit_days": 10,
        "outcome_name": "许可证",
        "legal_bases": [{"law_name": "中华人民共和国行政许可法", "clause_number": "第十二条"}],
        "fees": [],
        "faqs": [{"question": "要带什么？", "answer": "身份证。"}],
        "materials": [
            {"seq": 1, "name": "居民身份证"},
            {"seq": 2, "name": "授权委托书", "necessity": "conditional"},
        ],
        "questions": [
            {
                "code": "self",
                "text": "是否本人办理？",
                "options": [
                    {"code": "yes", "label": "是"},
                    {"code": "no", "label": "否", "adds": [2]},
                ],
            }
        ],
    }
    spec.update(changes)
    return spec


@pytest.fixture
def catalogue():
    dept = DepartmentFactory(
        code="scjg", name="市场监管局", credit_code=make_credit_code(1, kind="11")
    )
    Theme.objects.create(code="kaiban", name="开办企业", audience="enterprise")
    published = item_save_spec(spec=item_spec("scjg", 1), publish=True)
    other = item_save_spec(spec=item_spec("scjg", 2), publish=True)
    draft = item_save_spec(spec=item_spec("scjg", 3, outcome_name=""))
    bundle = bundle_save(
        spec={
            "code": "kaidian",
            "name": "我要开店",
            "items": [published.item.implementation_code, other.item.implementation_code],
            "questions": [
                {
                    "code": "food",
                    "text": "是否经营食品？",
                    "options": [
                        {"code": "yes", "label": "是"},
                        {"code": "no", "label": "否", "excludes": [other.item.implementation_code]},
                    ],
                }
            ],
            "publish": True,
        }
    )
    return {
        "department": dept,
        "published": published,
        "other": other,
        "draft": draft,
        "bundle": bundle,
    }


@pytest.fixture
def admin_user(catalogue):
    return make_staff(Role.ADMINISTRATOR, department=catalogue["department"])


@pytest.fixture
def client(admin_user):
    c = Client()
    c.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:catalog_{model}_{view}", args=args)


def form_data(response) -> dict:
    """The POST data of an admin change form as rendered: the form and every inline."""
    data: dict = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[key] = "on"
            elif isinstance(field, MultipleChoiceField | ModelMultipleChoiceField):
                data[key] = [str(v) for v in value or []]
            elif value is None:
                data[key] = ""
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


# --- access ------------------------------------------------------------------------------------


def test_every_catalogue_page_loads_for_an_administrator(client, catalogue):
    draft, published, bundle = catalogue["draft"], catalogue["published"], catalogue["bundle"]
    question = draft.questions.get()
    pages = [
        url("serviceitem"),
        url("serviceitem", "add"),
        url("serviceitem", "change", published.item.pk),
        url("serviceitemversion"),
        url("serviceitemversion") + "?quality=error",
        url("serviceitemversion") + "?quality=warning",
        url("serviceitemversion") + "?quality=ok",
        url("serviceitemversion") + "?q=后台事项3",
        url("serviceitemversion", "change", draft.pk),
        url("serviceitemversion", "change", published.pk),
        url("material"),
        url("material", "change", draft.materials.first().pk),
        url("situationquestion"),
        url("situationquestion", "add") + f"?version={draft.pk}",
        url("situationquestion", "add") + f"?bundle={bundle.pk}",
        url("situationquestion", "change", question.pk),
        url("situationquestion", "change", bundle.questions.get().pk),
        url("bundle"),
        url("bundle", "add"),
        url("bundle", "change", bundle.pk),
        url("theme"),
        url("lifeevent"),
        url("materialreviewterm"),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Content-Security-Policy" in response.headers


def test_non_administrators_get_no_access(catalogue, db):
    draft = catalogue["draft"]
    clerk = make_staff(Role.WINDOW_CLERK)
    c = Client()
    c.force_login(clerk, backend="django.contrib.auth.backends.ModelBackend")
    for page in (url("serviceitemversion"), url("serviceitemversion", "change", draft.pk)):
        response = c.get(page)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    response = c.post(
        url("serviceitemversion"), {"action": "publish_drafts", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_staff_on_the_admin_site_without_the_config_permission_see_no_catalogue(catalogue):
    supervisor = make_staff(Role.SUPERVISOR)
    supervisor.is_staff = True  # even if someone lets them onto the admin site
    supervisor.save()
    c = Client()
    c.force_login(supervisor, backend="django.contrib.auth.backends.ModelBackend")
    assert c.get(url("serviceitemversion")).status_code == 403
    assert c.get(url("bundle", "change", catalogue["bundle"].pk)).status_code == 403
    assert "catalog" not in c.get(reverse("admin:index")).content.decode()


# --- versions ----------------------------------------------------------------------------------


def test_the_version_page_shows_quality_problems_and_the_preview_link(client, catalogue):
    draft = catalogue["draft"]
    assert [p["code"] for p in draft.quality_problems] == ["no_outcome"]
    page = client.get(url("serviceitemversion", "change", draft.pk)).content.decode()
    assert "提示：应填写办理结果名称。" in page
    assert f'href="/items/{draft.item.implementation_code}/?preview={draft.pk}"' in page
    assert "预览办事指南" in page
    listing = client.get(url("serviceitemversion") + "?quality=warning").content.decode()
    assert "后台事项3" in listing
    assert "后台事项1" not in listing


def test_publish_action_publishes_the_draft_through_the_service(client, catalogue):
    draft = catalogue["draft"]
    response = client.post(
        url("serviceitemversion"),
        {"action": "publish_drafts", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == VersionStatus.PUBLISHED
    assert draft.published_at is not None
    assert f"{draft} 已发布。" in response.content.decode()


def test_publish_action_refuses_a_draft_with_errors_and_says_why(client, catalogue):
    spec = item_spec("scjg", 4, questions=[])  # conditional material 2 without a condition
    draft = item_save_spec(spec=spec)
    response = client.post(
        url("serviceitemversion"),
        {"action": "publish_drafts", "_selected_action": [draft.pk]},
        follow=True,
    )
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert "存在必须修正的问题：" in response.content.decode()


def test_revise_action_creates_a_new_draft_from_the_published_version(client, catalogue):
    published = catalogue["published"]
    client.post(
        url("serviceitemversion"),
        {"action": "revise_from_published", "_selected_action": [published.pk]},
    )
    versions = published.item.versions.order_by("version")
    assert list(versions.values_list("version", "status")) == [
        (1, VersionStatus.PUBLISHED),
        (2, VersionStatus.DRAFT),
    ]
    new = versions.last()
    assert spec_from_version(new) == spec_from_version(published)


def test_a_draft_is_edited_with_its_inlines_and_rechecked(client, catalogue):
    draft = catalogue["draft"]
    page = client.get(url("serviceitemversion", "change", draft.pk))
    data = form_data(page)
    data["outcome_name"] = "营业许可证"
    data["process_steps"] = "申请\n受理\n决定"
    data["channels"] = ["window", "web"]
    data["materials-0-name"] = "居民身份证（原件）"
    response = client.post(url("serviceitemversion", "change", draft.pk), data)
    assert response.status_code == 302, response.context["errors"]
    draft.refresh_from_db()
    assert draft.outcome_name == "营业许可证"
    assert draft.process_steps == ["申请", "受理", "决定"]
    assert draft.channels == ["window", "web"]
    assert draft.materials.get(seq=1).name == "居民身份证（原件）"
    assert draft.quality_problems == []  # re-checked after the save
    assert draft.status == VersionStatus.DRAFT


def test_promised_over_legal_is_refused_with_a_clear_message(client, catalogue):
    draft = catalogue["draft"]
    data = form_data(client.get(url("serviceitemversion", "change", draft.pk)))
    data["promised_limit_days"] = "30"
    response = client.post(url("serviceitemversion", "change", draft.pk), data)
    assert response.status_code == 200
    assert "承诺办结时限（30）不能超过法定办结时限（20）。" in response.content.decode()
    draft.refresh_from_db()
    assert draft.promised_limit_days == 10


def test_published_versions_are_read_only(client, catalogue):
    published = catalogue["published"]
    before = spec_from_version(published)
    page = client.get(url("serviceitemversion", "change", published.pk))
    assert page.context["adminform"].form.fields == {}  # nothing editable
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        url("serviceitemversion", "change", published.pk), {"name": "改掉已发布版本"}
    )
    assert response.status_code == 403
    material = published.materials.first()
    response = client.post(url("material", "change", material.pk), {"seq": 1, "name": "改"})
    assert response.status_code == 403
    question = published.questions.get()
    response = client.post(url("situationquestion", "change", question.pk), {"text": "改"})
    assert response.status_code == 403
    published.refresh_from_db()
    assert spec_from_version(published) == before


# --- items -------------------------------------------------------------------------------------


def test_adding_an_item_creates_it_with_a_first_draft(client, catalogue):
    response = client.post(
        url("serviceitem", "add"),
        {
            "department": catalogue["department"].pk,
            "exercise_level": "4",
            "basic_code": "000100009000",
            "handling_suffix": "00",
            "local_basic_code": "",
            "local_implementation_code": "",
            "name": "新事项",
            "item_type": "20",
            "applicant_kind": "person",
            "legal_limit_days": "10",
            "promised_limit_days": "3",
        },
    )
    item = ServiceItem.objects.get(basic_code="000100009000")
    version = item.versions.get()
    assert response.status_code == 302
    assert response.url == url("serviceitemversion", "change", version.pk)
    assert item.implementation_code == catalogue["department"].credit_code + "4000100009000"
    assert (version.name, version.status, version.promised_limit_days) == (
        "新事项",
        VersionStatus.DRAFT,
        3,
    )


def test_adding_an_item_with_bad_elements_shows_every_problem(client, catalogue):
    response = client.post(
        url("serviceitem", "add"),
        {
            "department": catalogue["department"].pk,
            "exercise_level": "4",
            "basic_code": "00010000900",
            "handling_suffix": "00",
            "name": "新事项",
            "item_type": "20",
            "applicant_kind": "person",
            "legal_limit_days": "10",
            "promised_limit_days": "30",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "基本编码应为 12 位。" in page
    assert "承诺办结时限（30）不能超过法定办结时限（10）。" in page
    assert not ServiceItem.objects.filter(basic_code="00010000900").exists()


# --- situations and bundles --------------------------------------------------------------------


def test_a_question_of_a_draft_is_added_with_options_and_the_draft_rechecked(client, catalogue):
    draft = item_save_spec(spec=item_spec("scjg", 5, questions=[]))
    assert "conditional_without_condition" in [p["code"] for p in draft.quality_problems]
    entrust = draft.materials.get(seq=2)
    page = client.get(url("situationquestion", "add") + f"?version={draft.pk}")
    data = form_data(page)
    data |= {
        "version": str(draft.pk),
        "code": "agent",
        "text": "是否委托办理？",
        "order": "0",
        "options-0-order": "0",
        "options-0-code": "no",
        "options-0-label": "否",
        "options-1-order": "1",
        "options-1-code": "yes",
        "options-1-label": "是",
        "options-1-adds_materials": [str(entrust.pk)],
    }
    response = client.post(url("situationquestion", "add"), data)
    assert response.status_code == 302, response.context["errors"]
    draft.refresh_from_db()
    assert spec_from_version(draft)["questions"] == [
        {
            "code": "agent",
            "text": "是否委托办理？",
            "help_text": "",
            "shown_if": None,
            "options": [
                {"code": "no", "label": "否", "adds_condition": "", "adds": [], "removes": []},
                {"code": "yes", "label": "是", "adds_condition": "", "adds": [2], "removes": []},
            ],
        }
    ]
    assert "conditional_without_condition" not in [p["code"] for p in draft.quality_problems]


def test_a_bundle_question_is_saved_through_bundle_save(client, catalogue):
    bundle = catalogue["bundle"]
    question = bundle.questions.get()
    data = form_data(client.get(url("situationquestion", "change", question.pk)))
    data["text"] = "是否经营食品或饮品？"
    data["options-1-label"] = "否，不经营"
    response = client.post(url("situationquestion", "change", question.pk), data)
    assert response.status_code == 302, response.context["errors"]
    spec = spec_from_bundle(Bundle.objects.get(pk=bundle.pk))
    other = catalogue["other"].item.implementation_code
    assert spec["questions"] == [
        {
            "code": "food",
            "text": "是否经营食品或饮品？",
            "help_text": "",
            "options": [
                {"code": "yes", "label": "是", "adds_condition": "", "excludes": []},
                {"code": "no", "label": "否，不经营", "adds_condition": "", "excludes": [other]},
            ],
        }
    ]
    assert spec["is_published"] is True


def test_a_bundle_is_edited_with_its_items_through_bundle_save(client, catalogue):
    bundle = catalogue["bundle"]
    third = item_save_spec(spec=item_spec("scjg", 6), publish=True).item
    data = form_data(client.get(url("bundle", "change", bundle.pk)))
    data["name"] = "我要开店（新）"
    data["themes"] = [str(Theme.objects.get().pk)]
    data["bundle_items-1-DELETE"] = "on"  # drop the second item; its exclusion goes with it
    data["bundle_items-2-order"] = "5"
    data["bundle_items-2-item"] = str(third.pk)
    response = client.post(url("bundle", "change", bundle.pk), data)
    assert response.status_code == 302, response.context["errors"]
    spec = spec_from_bundle(Bundle.objects.get(pk=bundle.pk))
    assert spec["name"] == "我要开店（新）"
    assert spec["themes"] == ["kaiban"]
    assert spec["items"] == [
        catalogue["published"].item.implementation_code,
        third.implementation_code,
    ]
    assert spec["questions"][0]["options"][1]["excludes"] == []
    assert spec["is_published"] is True


def test_a_bundle_needs_two_items(client, catalogue):
    bundle = catalogue["bundle"]
    data = form_data(client.get(url("bundle", "change", bundle.pk)))
    data["bundle_items-1-DELETE"] = "on"
    response = client.post(url("bundle", "change", bundle.pk), data)
    assert response.status_code == 200
    assert "一件事至少包含两个事项。" in response.content.decode()
    assert bundle.bundle_items.count() == 2


def test_bundle_publish_actions(client, catalogue):
    bundle = catalogue["bundle"]
    client.post(url("bundle"), {"action": "unpublish_bundles", "_selected_action": [bundle.pk]})
    bundle.refresh_from_db()
    assert bundle.is_published is False
    client.post(url("bundle"), {"action": "publish_bundles", "_selected_action": [bundle.pk]})
    bundle.refresh_from_db()
    assert bundle.is_published is True


def test_editing_a_draft_material_rechecks_the_version(client, catalogue):
    draft = item_save_spec(spec=item_spec("scjg", 7, questions=[]))
    material = draft.materials.get(seq=2)
    data = form_data(client.get(url("material", "change", material.pk)))
    data["condition"] = "委托他人办理的"
    response = client.post(url("material", "change", material.pk), data)
    assert response.status_code == 302, response.context["errors"]
    assert Material.objects.get(pk=material.pk).condition == "委托他人办理的"
    draft.refresh_from_db()
    assert "conditional_without_condition" not in [p["code"] for p in draft.quality_problems]
    assert ServiceItemVersion.objects.filter(item=draft.item).count() == 1
    assert SituationQuestion.objects.filter(version=draft).count() == 0


def test_deleting_a_bundle_question_rewrites_the_bundle(client, catalogue):
    bundle = catalogue["bundle"]
    question = bundle.questions.get()
    response = client.post(url("situationquestion", "delete", question.pk), {"post": "yes"})
    assert response.status_code == 302
    spec = spec_from_bundle(Bundle.objects.get(pk=bundle.pk))
    assert spec["questions"] == []
    assert len(spec["items"]) == 2


def test_deleting_a_draft_question_rechecks_the_draft(client, catalogue):
    draft = catalogue["draft"]
    question = draft.questions.get()
    response = client.post(url("situationquestion", "delete", question.pk), {"post": "yes"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert "conditional_without_condition" in [p["code"] for p in draft.quality_problems]
