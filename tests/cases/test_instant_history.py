"""What instant approval leaves for others to read: the human-review task's due date (the queue
and supervision read ``ReviewTask.due_on``), the evaluation marked automatic through the rules
service, and the platform's records as they were on a past day for a replay (a replayed case
must not see the licence it issued itself)."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.cases.models import Case, ReviewTask, TaskStatus
from tongban.cases.providers import licences_source
from tongban.cases.services import case_create, case_submit
from tongban.cases.services.instant import case_human_review_request, subject_of
from tongban.rules import connectors as sources
from tongban.rules.models import Connector, ConnectorCall, ConnectorKind, Evaluation
from tongban.rules.services.evaluation import evaluation_mark_automatic

from .helpers import submitted_case
from .instant_helpers import AGE_60, active_rules
from .test_instant_approval import LICENCE_FORM_FIELDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided(at, applicant, code):
    """A case approved by the rules on Monday 2026-09-21."""
    at("2026-09-21 10:00")
    applicant.person.birth_date = dt.date(1950, 3, 1)
    applicant.person.save()
    active_rules(code, [AGE_60])
    case = submitted_case(applicant, code)
    case.refresh_from_db()
    assert case.status == "approved"
    return case


def test_the_review_task_carries_the_deadline_told_to_the_applicant(at, decided, applicant):
    at("2026-09-28 09:00")  # National Day holiday 10-01 … 10-07; Saturday 10-10 is worked
    case_human_review_request(actor=applicant, case=decided)
    task = ReviewTask.objects.get(case=decided)
    assert (task.status, task.due_on) == (TaskStatus.OPEN, dt.date(2026, 10, 10))
    # the queue and supervision find it by its due date
    assert list(
        ReviewTask.objects.filter(
            status=TaskStatus.OPEN, due_on__lte=dt.date(2026, 10, 10)
        ).values_list("case__case_no", flat=True)
    ) == [decided.case_no]
    assert not ReviewTask.objects.filter(due_on__lt=dt.date(2026, 10, 10)).exists()


def test_the_automatic_decision_is_marked_through_the_rules_service(decided):
    evaluation = Evaluation.objects.get(case_no=decided.case_no)
    assert evaluation.automatic_decision is True
    # a policy's evaluation gets its benefit case's number the same way
    policy_run = Evaluation.objects.create(
        rule_set=evaluation.rule_set, case_no="", purpose="policy", outcome="pass"
    )
    marked = evaluation_mark_automatic(evaluation=policy_run, case_no="X-1")
    policy_run.refresh_from_db()
    assert (policy_run.case_no, policy_run.automatic_decision) == ("X-1", True)
    assert (marked.case_no, marked.automatic_decision) == ("X-1", True)
    # without a case number the number stays
    evaluation_mark_automatic(evaluation=policy_run)
    policy_run.refresh_from_db()
    assert policy_run.case_no == "X-1"


def test_a_replay_sees_the_licences_as_they_were_on_the_decision_day(at, applicant, mzj):
    from tests.catalog.specs import spec
    from tests.licences.factories import LicenceTypeFactory, signing_key
    from tongban.catalog.services import item_save_spec

    at("2026-09-21 10:00")
    applicant.person.birth_date = dt.date(1950, 3, 1)
    applicant.person.save()
    LicenceTypeFactory(code="YXLRYDZ", name="老年人优待证", department=mzj)
    signing_key(mzj)
    version = item_save_spec(
        spec=spec(
            "mzj",
            basic_code="000107001001",
            name="老年人优待证办理（电子证照）",
            outcome_licence_type="YXLRYDZ",
            form_fields=LICENCE_FORM_FIELDS,
            materials=[{"seq": 1, "name": "户口簿", "necessity": "optional"}],
            questions=[],
        ),
        publish=True,
    )
    code = version.item.implementation_code
    active_rules(code, [AGE_60])
    case = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={},
        form_data={
            "address": "云溪区学府路 18 号",
            "category": "60-79周岁",
            "birth_date": "1950-03-01",
        },
    )
    case = Case.objects.get(pk=case_submit(actor=applicant, case=case).pk)
    assert case.status == "issued"
    subject = subject_of(case)

    assert licences_source(subject, ["valid_types", "has_YXLRYDZ"]) == {
        "valid_types": ["YXLRYDZ"],
        "has_YXLRYDZ": True,
    }
    # on the decision day, before the licence that very case issued
    assert licences_source(subject, ["valid_types", "has_YXLRYDZ"], as_of=dt.date(2026, 9, 21)) == {
        "valid_types": [],
        "has_YXLRYDZ": False,
    }
    assert licences_source(subject, ["valid_types"], as_of=dt.date(2026, 9, 22)) == {
        "valid_types": ["YXLRYDZ"]
    }
    # through a platform connector, the replay's call log carries the day
    connector = Connector.objects.create(
        code="licences",
        name="电子证照库",
        kind=ConnectorKind.PLATFORM,
        config={"source": "licences"},
        fields=[{"name": "valid_types", "type": "list"}],
    )
    log = sources.CallLog(purpose="replay", case_no=case.case_no, as_of=dt.date(2026, 9, 21))
    assert sources.fetch(connector, subject, ["valid_types"], log=log) == {"valid_types": []}
    now = sources.CallLog(purpose="case", case_no=case.case_no)
    assert sources.fetch(connector, subject, ["valid_types"], log=now) == {
        "valid_types": ["YXLRYDZ"]
    }
    assert ConnectorCall.objects.filter(connector=connector, ok=True).count() == 2
