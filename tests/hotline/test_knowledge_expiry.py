"""Articles past their validity: hidden from operators the next day, listed for their owners,
and flagged once per expiry to the owning department's editors (`tongban knowledge
flag-expired`, run daily)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import PersonFactory
from tests.hotline.factories import staff
from tongban.core.models import AuditEvent, Notification, StaffNotice
from tongban.core.permissions import Role
from tongban.hotline.knowledge import index, selectors, services
from tongban.hotline.knowledge.expiry import FlagReport, articles_flag_expired
from tongban.hotline.knowledge.search import knowledge_search

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def at(day: str, hour: int = 9):
    return time_machine.travel(
        dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=SHANGHAI), tick=False
    )


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.TONGBAN_SEARCH_REFRESH_SECONDS = 0
    index.reset()
    yield
    index.reset()


@pytest.fixture
def zjj_editor(world):
    """A 住建局 editor (with a person record of their own: staff are still told at work)."""
    user = staff(Role.HANDLER, world.zjj, "editor_zjj")
    PersonFactory(name="王建国", user=user, phone="13905710009")
    return user


def article(title: str, until: str, department: str = "zjj", **kwargs):
    created = services.article_create(
        actor=None,
        title=title,
        content=f"{title}的答复口径。",
        department_code=department,
        valid_until=dt.date.fromisoformat(until),
        submit=True,
        **kwargs,
    )
    return services.article_review(created.pk, actor=None, publish=True)


@pytest.fixture
def expiring(world, zjj_handler, zjj_editor, handler):
    with at("2026-03-01"):
        return {
            "fund": article("春节期间公积金业务安排", "2026-03-10"),
            "loan": article("公积金贷款利率调整", "2026-03-20"),
            "light": article("路灯夜间抢修安排", "2026-03-10", department="cgj"),
            "forever": article("公积金提取条件", "2099-12-31"),
        }


def test_operators_stop_finding_it_the_day_after(expiring):
    with at("2026-03-10", 23):
        assert "春节期间公积金业务安排" in [h.title for h in knowledge_search("公积金")]
    with at("2026-03-11", 0):
        assert "春节期间公积金业务安排" not in [h.title for h in knowledge_search("公积金")]


def test_the_owners_are_told_once(expiring, zjj_editor, zjj_handler, handler):
    with at("2026-03-11", 2):
        report = articles_flag_expired()
    # 住建局's two editors are told of 公积金, 城管局's handler of 路灯: a work notice each.
    assert report == FlagReport(expired=2, flagged=2, notified=3)
    notices = {n.user: n for n in StaffNotice.objects.all()}
    assert set(notices) == {zjj_editor, zjj_handler, handler}
    note = notices[zjj_editor]
    assert note.title == "1 条知识条目已过有效期"
    assert note.body == (
        "本单位维护的《春节期间公积金业务安排》（2026-03-10 失效）已过有效期，话务员已检索不到。"
        "请核实后修改有效期、更新内容或下架。"
    )
    assert note.link == "/console/hotline/knowledge/expired/"
    assert "路灯夜间抢修安排" in notices[handler].body
    assert Notification.objects.count() == 0  # staff are told at work, not by SMS
    flagged = AuditEvent.objects.get(
        stream=f"article:{expiring['fund'].pk}", action="article_expiry_flagged"
    )
    assert flagged.payload["valid_until"] == "2026-03-10"
    with at("2026-03-11", 9):
        assert articles_flag_expired() == FlagReport(expired=2)  # the same day: nothing new
    with at("2026-03-12"):
        assert articles_flag_expired() == FlagReport(expired=2)  # nor the next
    assert StaffNotice.objects.count() == 3
    with at("2026-03-21"):
        report = articles_flag_expired()
    assert (report.expired, report.flagged, report.notified) == (3, 1, 2)


def test_renewed_and_expired_again_is_flagged_again(expiring, zjj_handler, operator):
    fund = expiring["fund"]
    with at("2026-03-11"):
        articles_flag_expired()
        services.article_update(
            fund.pk,
            actor=zjj_handler,
            title=fund.title,
            content=fund.content,
            department_code="zjj",
            valid_from=fund.valid_from,
            valid_until=dt.date(2026, 4, 30),
        )
        services.article_review(fund.pk, actor=operator, publish=True)
        assert "春节期间公积金业务安排" in [h.title for h in knowledge_search("公积金")]
    with at("2026-05-01"):
        report = articles_flag_expired()
    assert report.flagged == 2  # 公积金贷款利率调整 (since 03-20), and this one again
    assert (
        AuditEvent.objects.filter(
            stream=f"article:{fund.pk}", action="article_expiry_flagged"
        ).count()
        == 2
    )


def test_withdrawn_articles_are_not_flagged(expiring, zjj_handler):
    with at("2026-03-05"):
        services.article_withdraw(expiring["fund"].pk, actor=zjj_handler, reason="活动结束")
    with at("2026-03-11"):
        assert articles_flag_expired().expired == 1  # 城管局's only


def test_the_flag_lists_by_department(expiring, zjj_handler, handler, operator):
    day = dt.date(2026, 3, 11)

    def titles(qs):
        return [a.title for a in qs]

    assert titles(selectors.expired_articles(zjj_handler, day=day)) == ["春节期间公积金业务安排"]
    assert titles(selectors.expired_articles(handler, day=day)) == ["路灯夜间抢修安排"]
    assert titles(selectors.expired_articles(operator, day=day)) == [
        "春节期间公积金业务安排",
        "路灯夜间抢修安排",
    ]
    assert titles(selectors.expiring_articles(zjj_handler, day=day)) == ["公积金贷款利率调整"]
    assert selectors.flag_counts(zjj_handler, day=day) == {
        "pending": 0,
        "expired": 1,
        "expiring": 1,
    }


def test_staff_who_do_not_edit_have_no_flag_list(expiring, grid_worker, supervisor_h):
    day = dt.date(2026, 3, 11)
    assert list(selectors.expired_articles(grid_worker, day=day)) == []
    assert list(selectors.expired_articles(supervisor_h, day=day)) == []


def test_the_daily_command(expiring):
    out = StringIO()
    call_command("knowledge", "flag-expired", "--date", "2026-03-11", stdout=out)
    assert out.getvalue().strip() == (
        "knowledge flag-expired: expired 2, newly flagged 2, notified 3"
    )
    out = StringIO()
    call_command("knowledge", "flag-expired", "--date", "2026-03-11", stdout=out)
    assert "newly flagged 0" in out.getvalue()


def test_the_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("knowledge", "flag-expired", "--date", "tomorrow")


def test_sync_and_warm_commands(world):
    out = StringIO()
    call_command("knowledge", "sync-catalog", stdout=out)
    assert out.getvalue().strip() == (
        "knowledge sync-catalog: created 0, updated 0, withdrawn 0, unchanged 0"
    )
    out = StringIO()
    call_command("knowledge", "warm", stdout=out)
    assert out.getvalue().startswith("knowledge index: 0 articles in ")
