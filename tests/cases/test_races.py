"""Concurrency with real threads and real transactions: two clerks accepting one case at once
(exactly one wins, the other is told who handled it), and two creates with one Idempotency-Key
(one case). Runs on SQLite and, under scripts/with-postgres.sh, on PostgreSQL."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client

from tests.factories import make_staff
from tongban.cases.models import Case, CaseEvent, ReviewTask
from tongban.cases.services import case_accept, case_create, case_withdraw
from tongban.cases.services.common import StaleCase
from tongban.cases.states import TransitionRefused
from tongban.core import notifications
from tongban.core.events import chain_verify
from tongban.core.permissions import Role
from tongban.core.services import api_token_create

from .helpers import FORM, submitted_case

pytestmark = pytest.mark.django_db(transaction=True)


def _retrying(call: Callable[[], Any]) -> Any:
    """SQLite's shared in-memory test database answers 'table is locked' instead of waiting
    (a file database waits on busy_timeout): the caller retries the whole transaction, as a
    client would. PostgreSQL waits on the row lock instead and never gets here."""
    for _attempt in range(500):
        try:
            return call()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(random.uniform(0.001, 0.004))
    raise AssertionError("gave up after 500 attempts")


def _race(*calls: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run the calls in threads released together; ("ok", result) or ("error", exception)."""
    start = threading.Barrier(len(calls))
    outcomes: list[tuple[str, Any] | None] = [None] * len(calls)

    def work(i: int, call: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=10)
            outcomes[i] = ("ok", _retrying(call))
        except Exception as exc:
            outcomes[i] = ("error", exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(o is not None for o in outcomes), "a thread did not finish"
    return outcomes  # type: ignore[return-value]


@pytest.fixture
def second_clerk(db):
    return make_staff(Role.WINDOW_CLERK, username="clerk2")


@pytest.fixture(autouse=True)
def _working_tuesday(at):
    at("2026-06-02 10:00")


@pytest.fixture(autouse=True)
def _sms_status_waits_like_a_file_database(monkeypatch):
    """The SMS status is written after commit; on the in-memory SQLite test database that write
    can meet 'table is locked' where a file database (busy_timeout) or PostgreSQL would wait.
    Let it wait here too, so the race is judged on the transition alone."""
    send = notifications._send_sms
    monkeypatch.setattr(notifications, "_send_sms", lambda pk: _retrying(lambda: send(pk)))


@pytest.mark.parametrize("with_version", [True, False], ids=["expected-version", "no-version"])
def test_two_clerks_accept_one_case_exactly_one_wins(
    with_version, applicant, clerk, second_clerk, reviewer, approver, code
):
    for _round in range(3):
        case = submitted_case(applicant, code)
        version = case.version if with_version else None
        # each clerk holds the case as they saw it on screen
        seen = [Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)]
        outcomes = _race(
            partial(case_accept, actor=clerk, case=seen[0], expected_version=version),
            partial(case_accept, actor=second_clerk, case=seen[1], expected_version=version),
        )
        kinds = sorted(kind for kind, _ in outcomes)
        assert kinds == ["error", "ok"], outcomes
        winner = clerk if outcomes[0][0] == "ok" else second_clerk
        error = next(value for kind, value in outcomes if kind == "error")
        if with_version:
            assert isinstance(error, StaleCase)
            assert error.message.startswith("该办件已被其他人办理，请刷新后查看。")
        else:
            assert isinstance(error, TransitionRefused)
            assert "审查中" in error.message
        assert f"最近一次由 {winner}" in error.message  # "already handled by …"
        assert "“受理”" in error.message
        fresh = Case.objects.get(pk=case.pk)
        assert (fresh.status, fresh.version) == ("in_review", case.version + 1)
        accepts = CaseEvent.objects.filter(case=case, action="accept")
        assert [e.actor_id for e in accepts] == [winner.pk]
        assert ReviewTask.objects.filter(case=case).count() == 1
    assert chain_verify().ok


def test_two_creates_with_one_idempotency_key_give_one_case(applicant, code):
    def create():
        return case_create(
            actor=applicant,
            item_code=code,
            applicant=applicant.person,
            channel="web",
            answers={"self": "yes"},
            idempotency_key="retry-7d1e",
        )

    outcomes = _race(create, create, create)
    assert [kind for kind, _ in outcomes] == ["ok", "ok", "ok"], outcomes
    assert len({case.pk for _, case in outcomes}) == 1
    assert Case.objects.filter(idempotency_key="retry-7d1e").count() == 1
    assert CaseEvent.objects.filter(action="create").count() == 1


def test_two_http_creates_with_one_idempotency_key_give_one_case(applicant, code):
    _token, plain = api_token_create(user=applicant)
    body = json.dumps({"item": code, "answers": {"self": "yes"}})

    def post():
        response = Client().post(
            "/api/v1/cases",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {plain}", "Idempotency-Key": "http-retry-1"},
        )
        if response.status_code == 500:
            raise AssertionError(response.content)
        return response.status_code, response.json()

    outcomes = _race(post, post)
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    # 201 for the one that created it, 200 for a retry that found it; a retry that overlaps
    # the first may say 201 too (and on SQLite a request retried after 'table is locked' 200)
    assert {status for _, (status, _body) in outcomes} <= {200, 201}
    assert len({body["case_no"] for _, (_status, body) in outcomes}) == 1
    assert Case.objects.count() == 1


def test_parallel_applications_in_one_department_never_deadlock(other_applicant, applicant, code):
    """Each thread files its own case under the same item and department. The row lock of a
    transition must take only the case row (FOR NO KEY UPDATE OF the case): locking the joined
    item version and department rows too made every transition of a department collide with
    the foreign-key checks of other cases' inserts, and PostgreSQL answered 'deadlock detected'."""
    from tongban.cases.services import case_material_add, case_submit

    from .conftest import PNG

    def apply(user):
        def run():
            case = _retrying(
                lambda: case_create(
                    actor=user,
                    item_code=code,
                    applicant=user.person,
                    channel="web",
                    answers={"self": "yes"},
                    form_data=FORM,
                )
            )
            _retrying(lambda: case_material_add(actor=user, case=case, seq=1, status="licence"))
            for _ in range(3):
                _retrying(
                    lambda: case_material_add(
                        actor=user, case=case, seq=2, name="照片.png", data=PNG
                    )
                )
            return _retrying(lambda: case_submit(actor=user, case=case))

        return run

    users = [applicant, other_applicant, applicant, other_applicant]
    for _round in range(2):
        outcomes = _race(*(apply(u) for u in users))
        assert [kind for kind, _ in outcomes] == ["ok"] * len(users), outcomes
    assert Case.objects.filter(status="submitted").count() == 2 * len(users)
    assert chain_verify().ok


def test_a_claim_racing_a_withdrawal_never_deadlocks(applicant, clerk, reviewer, code):
    """Claim locks the case row before the task, as every transition does (withdraw locks the
    case, then cancels its tasks): one order, so no deadlock, and no task claimed on a
    withdrawn case."""
    from tongban.cases.services import task_claim, task_release

    for _round in range(3):
        case = case_accept(actor=clerk, case=submitted_case(applicant, code))
        task_release(actor=reviewer, case=case)
        outcomes = _race(
            partial(task_claim, actor=reviewer, case=case),
            partial(case_withdraw, actor=applicant, case=case),
        )
        errors = [value for kind, value in outcomes if kind == "error"]
        assert not [e for e in errors if isinstance(e, OperationalError)], errors
        assert outcomes[1][0] == "ok", outcomes  # the applicant may always withdraw here
        fresh = Case.objects.get(pk=case.pk)
        assert fresh.status == "withdrawn"
        assert not ReviewTask.objects.filter(case=case, status__in=["open", "claimed"]).exists()
