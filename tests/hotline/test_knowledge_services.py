"""Knowledge base services: writing, review, withdrawal; who may do what; bad input changes
nothing; every change leaves one event in the article's hash-chained history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongban.core.errors import NotFound, PermissionDenied
from tongban.core.events import chain_verify
from tongban.core.models import AuditEvent
from tongban.core.workdays import business_date
from tongban.hotline.knowledge import services
from tongban.hotline.knowledge.errors import KnowledgeError, KnowledgeErrorCode, KnowledgeInvalid
from tongban.hotline.models import Article, ArticleSource, ArticleState

pytestmark = pytest.mark.django_db

TEXT = {
    "title": "离职后怎样提取住房公积金",
    "content": "职工离职后在本市无工作单位，公积金账户封存满六个月的，可以申请销户提取。",
    "keywords": "公积金提取、离职提取",
}


def events(article) -> list[str]:
    return list(
        AuditEvent.objects.filter(stream=f"article:{article.pk}")
        .order_by("seq")
        .values_list("action", flat=True)
    )


def published(actor, **changes):
    article = services.article_create(
        actor=actor, **{**TEXT, "department_code": "zjj", **changes}, submit=True
    )
    return services.article_review(article.pk, actor=None, publish=True)


# ---------------------------------------------------------------- create


def test_an_editor_writes_a_draft_for_their_own_department(zjj_handler, world):
    article = services.article_create(actor=zjj_handler, **TEXT, subject_code="07.01.01")
    assert (article.state, article.source, article.department, article.subject) == (
        ArticleState.DRAFT,
        ArticleSource.MANUAL,
        world.zjj,
        world.water,
    )
    assert article.created_by == zjj_handler
    assert article.keywords == "公积金提取、离职提取"
    assert article.valid_from == business_date(timezone.now()) and article.valid_until is None
    assert events(article) == ["article_create"]


def test_the_hotline_centre_writes_for_any_department_and_submits_at_once(operator, world):
    article = services.article_create(actor=operator, **TEXT, department_code="cgj", submit=True)
    assert (article.state, article.department) == (ArticleState.PENDING, world.cgj)


def test_a_handler_may_not_write_for_another_department(zjj_handler, world):
    with pytest.raises(PermissionDenied) as refused:
        services.article_create(actor=zjj_handler, **TEXT, department_code="cgj")
    assert refused.value.message == "您只能编写和维护本单位的知识条目。"
    assert not Article.objects.exists()


@pytest.mark.parametrize("persona", ["grid_worker", "supervisor_h"])
def test_staff_without_the_permission_write_nothing(request, persona, world):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.article_create(actor=user, **TEXT, department_code="zjj")
    assert not Article.objects.exists()


@pytest.mark.parametrize(
    ("changes", "code", "field", "message"),
    [
        ({"title": "  "}, KnowledgeErrorCode.TITLE_REQUIRED, "title", "标题：不能为空。"),
        ({"content": ""}, KnowledgeErrorCode.CONTENT_REQUIRED, "content", "内容：不能为空。"),
        (
            {"title": "长" * 201},
            KnowledgeErrorCode.TOO_LONG,
            "title",
            "标题：最多 200 个字，现有 201 个。",
        ),
        (
            {"department_code": "nope"},
            KnowledgeErrorCode.UNKNOWN_DEPARTMENT,
            "department",
            "责任单位：没有编码为“nope”的在用单位。",
        ),
        (
            {"subject_code": "99.99"},
            KnowledgeErrorCode.UNKNOWN_SUBJECT,
            "subject",
            "诉求分类：没有编码为“99.99”的在用分类。",
        ),
        (
            {"valid_from": dt.date(2030, 5, 2), "valid_until": dt.date(2030, 5, 1)},
            KnowledgeErrorCode.VALIDITY_ORDER,
            "valid_until",
            "失效日期：不能早于生效日期（2030-05-02）。",
        ),
        (
            {"valid_from": dt.date(2020, 1, 1), "valid_until": dt.date(2020, 12, 31)},
            KnowledgeErrorCode.VALIDITY_PAST,
            "valid_until",
            "失效日期：2020-12-31 已经过去，请填写今天或以后的日期，或不填（长期有效）。",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_written(
    operator, changes, code, field, message
):
    with pytest.raises(KnowledgeInvalid) as refused:
        services.article_create(actor=operator, **{**TEXT, "department_code": "zjj", **changes})
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        code,
        field,
        message,
    )
    assert not Article.objects.exists()
    assert not AuditEvent.objects.filter(stream__startswith="article:").exists()


def test_an_operator_without_a_department_code_gets_their_own(operator, world):
    article = services.article_create(actor=operator, **TEXT)
    assert article.department == world.centre


def test_the_system_may_record_an_article_that_has_already_expired(world):
    """Imports and the demo carry history: past validity is accepted from the system only."""
    article = services.article_create(
        actor=None,
        **TEXT,
        department_code="zjj",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2020, 12, 31),
    )
    assert article.valid_until == dt.date(2020, 12, 31)


def test_the_system_must_name_a_department(world):
    with pytest.raises(KnowledgeInvalid) as refused:
        services.article_create(actor=None, **TEXT)
    assert refused.value.message == "责任单位：请选择负责维护该条目的单位。"


# ---------------------------------------------------------------- update


def test_editing_a_published_article_sends_it_back_to_review(zjj_handler, world):
    article = published(zjj_handler)
    updated = services.article_update(
        article.pk,
        actor=zjj_handler,
        **{**TEXT, "content": TEXT["content"] + "也可以通过手机公积金办理。"},
        department_code="zjj",
        expected_updated_at=article.updated_at,
    )
    assert updated.state == ArticleState.PENDING
    assert updated.content.endswith("也可以通过手机公积金办理。")
    assert events(article)[-1] == "article_edit"
    payload = AuditEvent.objects.filter(stream=f"article:{article.pk}").order_by("-seq")[0].payload
    assert payload == {"from": "published", "to": "pending", "changed": ["content"]}


def test_a_stale_form_does_not_overwrite_a_newer_change(zjj_handler, world):
    article = services.article_create(actor=zjj_handler, **TEXT)
    seen = article.updated_at
    services.article_update(article.pk, actor=zjj_handler, **{**TEXT, "title": "新标题"})
    with pytest.raises(KnowledgeError) as refused:
        services.article_update(
            article.pk,
            actor=zjj_handler,
            **{**TEXT, "title": "另一个标题"},
            expected_updated_at=seen,
        )
    assert refused.value.code == KnowledgeErrorCode.STALE
    assert refused.value.status_code == 409
    assert Article.objects.get(pk=article.pk).title == "新标题"


def test_another_departments_handler_may_not_edit(zjj_handler, handler, world):
    article = services.article_create(actor=zjj_handler, **TEXT)
    with pytest.raises(PermissionDenied):
        services.article_update(
            article.pk, actor=handler, **{**TEXT, "title": "改了"}, department_code="cgj"
        )
    with pytest.raises(PermissionDenied):  # nor move it into their own department
        services.article_update(
            article.pk, actor=handler, **{**TEXT, "title": "改了"}, department_code="zjj"
        )
    assert Article.objects.get(pk=article.pk).title == TEXT["title"]
    assert events(article) == ["article_create"]


def test_a_missing_article_is_not_found(operator):
    with pytest.raises(NotFound):
        services.article_submit(424242, actor=operator)


# ---------------------------------------------------------------- submit, review, withdraw


def test_submit_review_publish(zjj_handler, operator, world):
    article = services.article_create(actor=zjj_handler, **TEXT)
    services.article_submit(article.pk, actor=zjj_handler)
    done = services.article_review(article.pk, actor=operator, publish=True, note="内容准确")
    assert (done.state, done.reviewed_by, done.review_note) == (
        ArticleState.PUBLISHED,
        operator,
        "内容准确",
    )
    assert events(article) == ["article_create", "article_submit", "article_publish"]
    assert chain_verify([AuditEvent]).ok


def test_sending_back_needs_a_note_and_returns_a_draft(zjj_handler, operator, world):
    article = services.article_create(actor=zjj_handler, **TEXT, submit=True)
    with pytest.raises(KnowledgeInvalid) as refused:
        services.article_review(article.pk, actor=operator, publish=False, note=" ")
    assert refused.value.message == "审核意见：退回修改时请写明需要修改什么。"
    assert Article.objects.get(pk=article.pk).state == ArticleState.PENDING
    back = services.article_review(article.pk, actor=operator, publish=False, note="请补充文号")
    assert (back.state, back.review_note) == (ArticleState.DRAFT, "请补充文号")


def test_only_reviewers_review(zjj_handler, world):
    article = services.article_create(actor=zjj_handler, **TEXT, submit=True)
    with pytest.raises(PermissionDenied):
        services.article_review(article.pk, actor=zjj_handler, publish=True)
    assert Article.objects.get(pk=article.pk).state == ArticleState.PENDING


def test_a_draft_cannot_be_published_without_being_submitted(zjj_handler, operator, world):
    article = services.article_create(actor=zjj_handler, **TEXT)
    with pytest.raises(KnowledgeError) as refused:
        services.article_review(article.pk, actor=operator, publish=True)
    assert refused.value.code == KnowledgeErrorCode.STATE_NOT_ALLOWED
    assert refused.value.message == "该条目现为“草稿”，不能审核发布。"


def test_an_expired_article_cannot_be_published(operator, world):
    article = services.article_create(
        actor=None,
        **TEXT,
        department_code="zjj",
        valid_from=dt.date(2020, 1, 1),
        valid_until=dt.date(2020, 12, 31),
        submit=True,
    )
    with pytest.raises(KnowledgeError) as refused:
        services.article_review(article.pk, actor=operator, publish=True)
    assert refused.value.message == "该条目已于 2020-12-31 失效，不能发布；请先修改失效日期。"
    assert Article.objects.get(pk=article.pk).state == ArticleState.PENDING


def test_withdraw_needs_a_reason_and_the_right_department(zjj_handler, handler, world):
    article = published(zjj_handler)
    with pytest.raises(KnowledgeInvalid):
        services.article_withdraw(article.pk, actor=zjj_handler, reason="")
    with pytest.raises(PermissionDenied):
        services.article_withdraw(article.pk, actor=handler, reason="不是我们的")
    assert Article.objects.get(pk=article.pk).state == ArticleState.PUBLISHED
    done = services.article_withdraw(article.pk, actor=zjj_handler, reason="政策已废止")
    assert done.state == ArticleState.WITHDRAWN
    assert events(article)[-1] == "article_withdraw"
    with pytest.raises(KnowledgeError):  # a second time: nothing to withdraw
        services.article_withdraw(article.pk, actor=zjj_handler, reason="again")


def test_a_withdrawn_article_can_be_edited_and_resubmitted(zjj_handler, world):
    article = published(zjj_handler)
    services.article_withdraw(article.pk, actor=zjj_handler, reason="需要更新")
    edited = services.article_update(
        article.pk, actor=zjj_handler, **{**TEXT, "title": "离职提取公积金（2026 年）"}
    )
    assert edited.state == ArticleState.DRAFT
    assert services.article_submit(article.pk, actor=zjj_handler).state == ArticleState.PENDING


def test_catalogue_articles_are_changed_only_by_the_sync(operator, world):
    article = Article.objects.create(
        title="居住证申领办事指南",
        content="……",
        valid_from=dt.date(2026, 1, 1),
        state=ArticleState.PUBLISHED,
        source=ArticleSource.CATALOG,
        item_code="X1",
        department=world.centre,
    )
    with pytest.raises(KnowledgeError) as refused:
        services.article_update(article.pk, actor=operator, **TEXT)
    assert refused.value.code == KnowledgeErrorCode.CATALOGUE_ARTICLE
    with pytest.raises(KnowledgeError):
        services.article_withdraw(article.pk, actor=operator, reason="x")
    assert Article.objects.get(pk=article.pk).state == ArticleState.PUBLISHED
