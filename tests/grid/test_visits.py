"""门边办: cases marked for a home visit become tasks for the grid of the applicant's community;
only that grid's workers see and record them."""

from __future__ import annotations

import itertools

import pytest

from tests.catalog.specs import department, spec
from tests.factories import PersonFactory
from tongban.cases.models import Case
from tongban.catalog.services import item_save_spec
from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import chain_verify
from tongban.grid.errors import GridErrorCode
from tongban.grid.models import VisitTask, VisitTaskEvent
from tongban.grid.services import visit_record, visit_tasks_sync

from .conftest import client_for

_numbers = itertools.count(1)


@pytest.fixture
def item(db, world):
    department("mzj", 7)
    return item_save_spec(spec=spec("mzj"), publish=True)


@pytest.fixture
def make_case(item):
    def make(address: str, *, form_data=None, answers=None, status="in_review"):
        person = PersonFactory(address=address)
        return Case.objects.create(
            case_no=f"V{next(_numbers):08d}",
            item_version=item,
            department_id=item.item.department_id,
            applicant=person,
            channel="window",
            status=status,
            form_data=form_data or {},
            answers=answers or {},
        )

    return make


@pytest.fixture
def tasks(make_case, grid_a, grid_b):
    wanghu = make_case("云溪区云溪街道望湖社区观澜路 3 号", form_data={"home_visit": True})
    hubin = make_case("云溪区东湖街道湖滨社区湖滨路 8 号", answers={"home_visit": "yes"})
    make_case("云溪区云溪街道望湖社区观澜路 5 号")  # not marked
    make_case("云溪区云溪街道望湖社区观澜路 7 号", form_data={"home_visit": True}, status="draft")
    created, unrouted = visit_tasks_sync()
    assert (created, unrouted) == (2, 0)
    return VisitTask.objects.get(case=wanghu), VisitTask.objects.get(case=hubin)


def test_marked_cases_become_tasks_of_the_applicants_grid(tasks, grid_a, grid_b, world):
    wanghu, hubin = tasks
    assert (wanghu.grid, wanghu.community) == (grid_a, world.wanghu)
    assert (hubin.grid, hubin.community) == (grid_b, world.hubin)
    assert visit_tasks_sync() == (0, 0)  # idempotent


def test_a_case_no_grid_covers_waits(make_case, grid_a):
    make_case("云溪区东湖街道东湖社区东湖路 1 号", form_data={"home_visit": True})
    assert visit_tasks_sync() == (0, 1)
    assert VisitTask.objects.count() == 0


def test_the_worker_records_a_visit(tasks, worker_a):
    task, _other = tasks
    after = visit_record(
        actor=worker_a, task_id=task.pk, outcome="not_home", note="家中无人，明天上午再来。"
    )
    assert (after.status, after.attempts, after.last_outcome) == ("open", 1, "not_home")
    after = visit_record(actor=worker_a, task_id=task.pk, outcome="served", expected_version=2)
    assert (after.status, after.attempts, after.visited_by) == ("done", 2, worker_a)
    with pytest.raises(DomainError) as info:
        visit_record(actor=worker_a, task_id=task.pk, outcome="served")
    assert info.value.code == GridErrorCode.VISIT_CLOSED


def test_each_step_of_a_task_is_a_hash_chained_event(tasks, worker_a):
    task, _other = tasks
    visit_record(actor=worker_a, task_id=task.pk, outcome="not_home", note="家中无人。")
    visit_record(actor=worker_a, task_id=task.pk, outcome="served", note="已代办优待证。")
    events = list(VisitTaskEvent.objects.filter(task=task).order_by("seq"))
    assert [(e.stream, e.seq, e.action, e.from_state, e.to_state) for e in events] == [
        (f"visit:{task.pk}", 1, "create", "", "open"),
        (f"visit:{task.pk}", 2, "visit", "open", "open"),
        (f"visit:{task.pk}", 3, "visit", "open", "done"),
    ]
    assert events[0].actor is None
    assert events[0].payload == {
        "case": task.case.case_no,
        "grid": "yx-wh-01",
        "community": task.community.code,
    }
    assert [e.payload for e in events[1:]] == [
        {"outcome": "not_home", "attempt": 1},
        {"outcome": "served", "attempt": 2},
    ]
    assert (events[2].actor, events[2].reason) == (worker_a, "已代办优待证。")
    assert events[1].prev_hash == events[0].hash
    assert chain_verify([VisitTaskEvent]).problems == []


def test_refusals_change_nothing(tasks, worker_a, worker_b, operator):
    task, _other = tasks
    with pytest.raises(NotFound):
        visit_record(actor=worker_b, task_id=task.pk, outcome="served")
    with pytest.raises(PermissionDenied):
        visit_record(actor=operator, task_id=task.pk, outcome="served")
    with pytest.raises(ValidationFailed):
        visit_record(actor=worker_a, task_id=task.pk, outcome="not_home", note="")
    with pytest.raises(DomainError) as info:
        visit_record(actor=worker_a, task_id=task.pk, outcome="served", expected_version=7)
    assert info.value.code == GridErrorCode.STALE
    task.refresh_from_db()
    assert (task.status, task.attempts, task.version) == ("open", 0, 1)
    assert VisitTaskEvent.objects.filter(task=task).count() == 1  # only its creation


def test_a_worker_sees_only_their_grids_tasks(tasks, worker_a, worker_b):
    mine, other = tasks
    client = client_for(worker_a)
    page = client.get("/console/grid/visits/").content.decode()
    assert mine.case.case_no in page
    assert other.case.case_no not in page
    assert client.get(f"/console/grid/visits/{other.pk}/").status_code == 404
    assert (
        client.post(f"/console/grid/visits/{other.pk}/", {"outcome": "served"}).status_code == 404
    )
    other.refresh_from_db()
    assert other.status == "open"


def test_recording_a_visit_on_the_page(tasks, worker_a):
    task, _other = tasks
    client = client_for(worker_a)
    response = client.post(
        f"/console/grid/visits/{task.pk}/", {"outcome": "not_home", "version": 1}
    )
    assert response.status_code == 400
    assert "未遇到本人时请写明情况和下次上门安排。" in response.content.decode()
    response = client.post(f"/console/grid/visits/{task.pk}/", {"outcome": "served", "version": 1})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "done"


def test_the_command_syncs_and_lists(make_case, grid_a, worker_a):
    from io import StringIO

    from django.core.management import call_command

    make_case("云溪区云溪街道望湖社区观澜路 3 号", form_data={"home_visit": True})
    out = StringIO()
    call_command("grid", "visits-sync", stdout=out)
    assert out.getvalue() == "grid visits-sync: 1 tasks created, 0 cases wait for a grid\n"
    out = StringIO()
    call_command("grid", "list", stdout=out)
    assert out.getvalue() == (
        "yx-wh-01\t望湖第一网格\t云溪街道\t望湖社区\tgrid_a\tevents 0\topen visits 1\n"
    )
