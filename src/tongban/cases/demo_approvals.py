"""Demo of the approval operations on review steps (会签 / 或签 / 票签 / 依次审批, 转办, 委派,
加签, 退回, 催办), loaded after the demo cases:

- four demo items get a procedure with a multi-signer step (when they have none yet):
  食品经营许可 — 现场核查 by 会签; 特种设备使用登记 — 技术复核 by 或签;
  最低生活保障申请 — 民主评议 by 票签 (2 of 3); 临时救助申请 — 逐级审核 by 依次审批;
- two more reviewers each in 市场监管局 and 民政局 sign with the demo reviewers;
- eight cases filed at the window over the past working days, each with operations in its
  history and several still waiting for a signature (log in as ``reviewer`` or
  ``reviewer_mz`` to sign).

Idempotent: a procedure already configured is kept, the staff are created once, and each case
carries an idempotency key — a case that exists is not touched again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import ServiceItemVersion
from tongban.core import workdays
from tongban.core.demo import APPLICANTS
from tongban.core.errors import DomainError
from tongban.core.models import Department, EnterpriseAuthorisation, Person, User
from tongban.core.permissions import Role
from tongban.core.services import staff_create

from .models import Case, ItemProcedure, MaterialStatus, ReviewTask, SignerStatus, TaskStatus
from .services import approvals as ops
from .services import (
    case_accept,
    case_create,
    case_decide,
    case_material_add,
    case_submit,
    task_complete,
)

KEY = "demo-approvals-{n}"
FOOD = "食品经营许可"
EQUIPMENT = "特种设备使用登记"
SUBSISTENCE = "最低生活保障申请"
RELIEF = "临时救助申请"

# username, display name, department code
STAFF = [
    ("reviewer_scjg2", "蔡核查", "scjg"),
    ("reviewer_scjg3", "郭复核", "scjg"),
    ("reviewer_mz2", "冯评议", "mzj"),
    ("reviewer_mz3", "许评议", "mzj"),
]

HANDLE = {"code": "handle", "name": "承办", "role": "reviewer"}
DECIDE = {"code": "decide", "name": "批准", "role": "approver"}
PROCEDURES = {
    FOOD: [
        HANDLE,
        {
            "code": "inspect",
            "name": "现场核查",
            "role": "reviewer",
            "mode": "all",
            "signers": ["reviewer", "reviewer_scjg2"],
        },
        DECIDE,
    ],
    EQUIPMENT: [
        HANDLE,
        {"code": "recheck", "name": "技术复核", "role": "reviewer", "mode": "any"},
        DECIDE,
    ],
    SUBSISTENCE: [
        HANDLE,
        {
            "code": "appraise",
            "name": "民主评议",
            "role": "reviewer",
            "mode": "vote",
            "quorum": 2,
            "signers": ["reviewer_mz", "reviewer_mz2", "reviewer_mz3"],
        },
        DECIDE,
    ],
    RELIEF: [
        HANDLE,
        {
            "code": "levels",
            "name": "逐级审核",
            "role": "reviewer",
            "mode": "sequence",
            "signers": ["reviewer_mz2", "reviewer_mz"],
        },
        DECIDE,
    ],
}

ZHANG, LI, WANG, ZHAO, CHEN = (row[2] for row in APPLICANTS)  # the demo applicants' ID numbers


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _task(case: Case) -> ReviewTask:
    return case.tasks.get(status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED])


def _holder(case: Case) -> User:
    """Who holds the one-person step now (a pool task: the first of the role)."""
    task = _task(case)
    if task.assignee is not None:
        return task.assignee
    return (
        User.objects.filter(staff__department=case.department_id, groups__name=task.role)
        .order_by("pk")
        .first()
    )


def _sign(case: Case, username: str, opinion: str, vote: str = "") -> Case:
    return ops.step_sign(actor=_user(username), case=case, opinion=opinion, vote=vote)


def _pending(case: Case) -> list[str]:
    return [
        r.user.username
        for r in _task(case).signers.select_related("user")
        if r.status == SignerStatus.PENDING
    ]


# ---------------------------------------------------------------- the stories


def _food_waiting(case: Case, day) -> Case:
    """会签 half done: 蔡核查 signed, 陈审查 still to sign — and 刘批准 urged him."""
    case = _complete_handle(case, day(1), "材料齐全，需现场核查经营场所")
    day(2)
    case = _sign(case, "reviewer_scjg2", "现场核查：经营场所与申报一致，设施符合要求")
    day(3)
    ops.task_urge(actor=_user("approver"), case=case, note="申请人来电询问进度，请尽快签署")
    return case


def _food_transferred(case: Case, day) -> Case:
    """会签 with a transfer: 陈审查 hands his signature to 郭复核; both sign; approved."""
    case = _complete_handle(case, day(1), "材料齐全，需现场核查")
    day(2)
    case = ops.task_transfer(
        actor=_user("reviewer"), case=case, to_username="reviewer_scjg3", note="本人外出培训"
    )
    day(3)
    case = _sign(case, "reviewer_scjg2", "现场核查：布局流程合理")
    case = _sign(case, "reviewer_scjg3", "现场核查：冷藏设施符合要求")
    day(4)
    return case_decide(actor=_user("approver"), case=case, approve=True)


def _equipment_sent_back(case: Case, day) -> Case:
    """或签 done by 郭复核; 刘批准 sends it back to 承办; 承办 again; 或签 waiting again."""
    case = _complete_handle(case, day(1), "使用登记表填写完整")
    day(2)
    case = _sign(case, "reviewer_scjg3", "检验报告在有效期内，复核通过")
    day(3)
    case = ops.task_send_back(
        actor=_user("approver"),
        case=case,
        to_step="handle",
        reason="定期检验报告的设备编号与登记表不一致，请核实",
    )
    day(4)
    return _complete_handle(case, day(4), "已与申请人核实：登记表笔误，已更正")


def _equipment_delegated(case: Case, day) -> Case:
    """承办 delegated and taken back, a signer added before oneself, then 或签 by one."""
    holder = _holder(case)
    other = "reviewer_scjg2" if holder.username != "reviewer_scjg2" else "reviewer_scjg3"
    day(1)
    case = ops.task_delegate(actor=holder, case=case, to_username=other, note="请代为初审")
    day(2)
    case = ops.task_take_back(actor=holder, case=case, note="本人已返岗")
    case = ops.task_add_signer(
        actor=holder, case=case, to_username=other, before=True, note="请先核对检验报告"
    )
    day(3)
    case = _sign(case, other, "检验报告核对无误")
    case = ops.step_sign(actor=holder, case=case, opinion="材料齐全，提请技术复核")
    day(4)
    return _sign(case, _pending(case)[0], "复核通过")


def _subsistence_voting(case: Case, day) -> Case:
    """票签 in progress: one for, one against, the third vote outstanding."""
    case = _complete_handle(case, day(1), "入户调查完成，家庭收入低于当地低保标准")
    day(2)
    case = _sign(case, "reviewer_mz2", "同意，入户调查属实", "agree")
    day(3)
    return _sign(case, "reviewer_mz3", "不同意：有一辆登记在申请人名下的机动车", "disagree")


def _subsistence_rejected(case: Case, day) -> Case:
    """票签 rejected (two against), then denied by 郑批准 with the reason."""
    case = _complete_handle(case, day(1), "入户调查完成")
    day(2)
    case = _sign(case, "reviewer_mz", "不同意：家庭人均收入高于低保标准", "disagree")
    case = _sign(case, "reviewer_mz2", "不同意：收入核对结果超标", "disagree")
    day(3)
    return case_decide(
        actor=_user("approver_mz"),
        case=case,
        approve=False,
        reason="经民主评议和收入核对，家庭人均收入高于本区最低生活保障标准",
    )


def _relief_delegated(case: Case, day) -> Case:
    """依次审批: 冯评议 signed first; 吴审查 delegated his turn to 许评议 (he may take it back)."""
    case = _complete_handle(case, day(1), "突发重大疾病，医疗支出远超家庭承受能力")
    day(2)
    case = _sign(case, "reviewer_mz2", "初审同意，建议救助 3000 元")
    day(3)
    return ops.task_delegate(
        actor=_user("reviewer_mz"), case=case, to_username="reviewer_mz3", note="请代为审核"
    )


def _relief_added_after(case: Case, day) -> Case:
    """依次审批 with a signer added after oneself, all signed: at the decision."""
    case = _complete_handle(case, day(1), "因火灾导致基本生活暂时困难")
    day(2)
    case = ops.task_add_signer(
        actor=_user("reviewer_mz2"),
        case=case,
        to_username="reviewer_mz3",
        before=False,
        note="救助金额较大，请许评议复核",
    )
    case = _sign(case, "reviewer_mz2", "初审同意")
    day(3)
    case = _sign(case, "reviewer_mz3", "复核同意")
    return _sign(case, "reviewer_mz", "同意，提请批准")


def _complete_handle(case: Case, _at, opinion: str) -> Case:
    return task_complete(actor=_holder(case), case=case, opinion=opinion)


# (n, item, applicant's ID number, as the demo enterprise, story)
STORIES: list[tuple[int, str, str, bool, Callable[[Case, Any], Case]]] = [
    (1, FOOD, ZHANG, True, _food_waiting),
    (2, FOOD, LI, True, _food_transferred),
    (3, EQUIPMENT, WANG, True, _equipment_sent_back),
    (4, EQUIPMENT, ZHAO, True, _equipment_delegated),
    (5, SUBSISTENCE, CHEN, False, _subsistence_voting),
    (6, SUBSISTENCE, WANG, False, _subsistence_rejected),
    (7, RELIEF, LI, False, _relief_delegated),
    (8, RELIEF, ZHAO, False, _relief_added_after),
]


# ---------------------------------------------------------------- loading


def _versions() -> dict[str, ServiceItemVersion]:
    found = {}
    for name in PROCEDURES:
        version = (
            ServiceItemVersion.objects.filter(name=name, status="published")
            .select_related("item")
            .first()
        )
        if version is not None:
            found[name] = version
    return found


def _setup(versions: dict[str, ServiceItemVersion], created: dict[str, int]) -> None:
    departments = {d.code: d for d in Department.objects.filter(code__in={"scjg", "mzj"})}
    for username, name, code in STAFF:
        if code in departments and not User.objects.filter(username=username).exists():
            staff_create(
                username=username,
                password=settings.TONGBAN_DEMO_PASSWORD,
                display_name=name,
                department=departments[code],
                roles=[Role.REVIEWER],
            )
            created["staff"] += 1
    for name, version in versions.items():
        _procedure, made = ItemProcedure.objects.get_or_create(
            item=version.item, defaults={"steps": PROCEDURES[name]}
        )
        created["procedures"] += int(made)


def _answers(version: ServiceItemVersion) -> dict[str, str]:
    """The first option of every question shown on the way (a complete, consistent path)."""
    answers: dict[str, str] = {}
    chosen: set[int] = set()
    for question in version.questions.all():
        if question.shown_if_id is not None and question.shown_if_id not in chosen:
            continue
        option = question.options.all()[0]
        answers[question.code] = option.code
        chosen.add(option.id)
    return answers


def _form(version: ServiceItemVersion, person: Person, enterprise) -> dict[str, str]:
    values = {"applicant_name": person.name, "address": person.address, "contact_name": person.name}
    if enterprise is not None:
        values |= {
            "entity_name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "legal_representative": person.name,
        }
    out = {}
    for spec in version.form_fields:
        code = spec.get("code")
        if code in values:
            out[code] = values[code]
        elif spec.get("type") == "choice" and spec.get("options"):
            first = spec["options"][0]
            out[code] = str(first.get("code", "")) if isinstance(first, dict) else str(first)
        elif spec.get("required"):
            kind = spec.get("type") or "text"
            if kind in ("text", "textarea"):
                out[code] = "见申请材料"
            elif kind == "date":
                out[code] = workdays.business_date(timezone.now()).isoformat()
            elif kind in ("integer", "decimal"):
                out[code] = "1"
            elif kind == "phone":
                out[code] = person.phone
            elif kind == "id_number":
                out[code] = person.id_number
            elif kind == "credit_code" and enterprise is not None:
                out[code] = enterprise.credit_code
    return out


def _file(version, person: Person, enterprise, clerk: User, key: str) -> Case:
    """Filed at the window by the clerk, the materials received on paper, accepted."""
    answers = _answers(version)
    case = case_create(
        actor=clerk,
        item_code=version.item.implementation_code,
        applicant=person,
        enterprise=enterprise,
        channel="window",
        answers=answers,
        form_data=_form(version, person, enterprise),
        idempotency_key=key,
    )
    needs = catalog_selectors.materials_for(version, answers).materials
    held = set(case.materials.values_list("material_id", flat=True))  # 免证办: attached already
    for need in needs:
        if need.required and need.material.pk not in held:
            case_material_add(
                actor=clerk, case=case, seq=need.material.seq, status=MaterialStatus.PAPER
            )
    case = case_submit(actor=clerk, case=case)
    return case_accept(actor=clerk, case=case)


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    try:
        import time_machine
    except ImportError:  # a dev dependency, which `make demo` installs
        out("approvals: skipped: the demo needs the time-machine package (tongban[dev])")
        return {}
    versions = _versions()
    created: dict[str, int] = {"staff": 0, "procedures": 0, "cases": 0}
    with transaction.atomic():
        _setup(versions, created)
    clerk = User.objects.filter(username="clerk").first()
    today = workdays.business_date(timezone.now())
    for n, item, id_number, as_enterprise, story in STORIES:
        key = KEY.format(n=n)
        person = Person.objects.filter(id_number=id_number).first()
        if item not in versions or clerk is None or person is None:
            continue
        if Case.objects.filter(idempotency_key=key).exists():
            continue
        start = workdays.add_workdays(today, -(6 + n % 3))
        firm = None
        if as_enterprise:  # a firm someone was authorised for before the story starts
            authorisation = (
                EnterpriseAuthorisation.objects.filter(
                    revoked_at__isnull=True, valid_from__lte=start - dt.timedelta(days=n)
                )
                .select_related("enterprise", "person")
                .order_by("pk")
                .first()
            )
            if authorisation is None:
                continue
            firm, person = authorisation.enterprise, authorisation.person
        try:
            with transaction.atomic(), time_machine.travel(_at(start, 9, n), tick=False) as clock:

                def day(offset: int, _clock=clock, _start=start, _n=n) -> None:
                    _clock.move_to(_at(workdays.add_workdays(_start, offset), 10 + offset, _n))

                case = _file(versions[item], person, firm, clerk, key)
                story(case, day)
        except DomainError as exc:  # an item changed under the demo: skip the story, say so
            out(f"approvals: case {n} ({item}) skipped: {exc.message}")
            continue
        created["cases"] += 1
    if any(created.values()):
        out("approvals: " + ", ".join(f"{v} {k}" for k, v in created.items()))
    else:
        out("approvals: nothing to do (already loaded)")
    return created


def _at(day: dt.date, hour: int, n: int) -> dt.datetime:
    zone = dt.timezone(dt.timedelta(hours=8))
    return dt.datetime.combine(day, dt.time(min(hour, 17), (n * 7) % 60), tzinfo=zone)
