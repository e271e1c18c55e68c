"""Demo of issue [B] (b1), 容缺受理 and 告知承诺制 scenarios of their own, in every state.

容缺 (失业保险金申领, the 解除劳动关系证明 deferred at the window):
  - owed, still within the supplement deadline;
  - owed and overdue (on the supervisors' overdue list);
  - supplied on time, then approved;
  - supplied late (after the deadline), then approved.

告知承诺 (人力资源服务许可, premises and staff proofs replaced by the signed commitment):
  - accepted, post-check pending;
  - approved, post-check passed;
  - approved and issued, post-check failed: decision and e-licence revoked, applicant barred.

Each scenario is its own case with its own idempotency key; nothing depends on the random
main demo, so the 120-case test demo holds every state too. Runs inside ``demo_bundles.load``'s
time travel (the caller moves the clock); a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Q

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import ServiceItemVersion
from tongban.core import workdays
from tongban.core.models import Enterprise, EnterpriseAuthorisation, Person, User
from tongban.core.permissions import Role

from . import selectors
from .models import Case, MaterialStatus, PostCheck
from .services import case_accept, case_create, case_material_add, case_submit
from .services.commitments import post_check_fail, post_check_pass

KEY = "demo-b1-flex:"
TZ = dt.timezone(dt.timedelta(hours=8))
DEFER_ITEM = "失业保险金申领"
COMMIT_ITEM = "人力资源服务许可"

# (key, working days ago accepted, supplied after n working days or None) — default deadline 5
DEFERRALS = [
    ("owed", 1, None),
    ("overdue", 9, None),
    ("on-time", 8, 3),
    ("late", 12, 8),
]
# (key, working days ago accepted, outcome)
COMMITMENTS = [
    ("pending", 2, "pending"),
    ("passed", 10, "passed"),
    ("revoked", 14, "failed"),
]


_today: list[dt.date] = []  # the real business date, fixed before the demo travels in time


def _at(days_ago: int, minute: int = 600) -> dt.datetime:
    """``days_ago`` working days before the real today (not the travelled clock's)."""
    today = _today[-1]
    day = workdays.add_workdays(today, -days_ago) if days_ago > 0 else today
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ) + dt.timedelta(minutes=minute)


def _version(name: str) -> ServiceItemVersion | None:
    return (
        catalog_selectors.published_versions()
        .filter(name=name)
        .select_related("item")
        .order_by("pk")
        .first()
    )


def _form(version: ServiceItemVersion, person: Person, enterprise: Enterprise | None) -> dict:
    values = {"applicant_name": person.name, "address": person.address, "contact_name": person.name}
    if enterprise is not None:
        values |= {
            "entity_name": enterprise.name,
            "credit_code": enterprise.credit_code,
            "legal_representative": person.name,
        }
    out = {}
    for f in version.form_fields:
        code = f.get("code")
        if code in values:
            out[code] = values[code]
        elif f.get("type") == "choice" and f.get("options"):
            first = f["options"][0]
            out[code] = str(first.get("code", "")) if isinstance(first, dict) else str(first)
        elif f.get("required") and f.get("type") in ("text", "textarea"):
            out[code] = "见附件"
    return out


def _file(
    *,
    traveller,
    key: str,
    version: ServiceItemVersion,
    person: Person,
    enterprise: Enterprise | None,
    clerk: User,
    answers: dict,
    way: dict[int, str],
    at: dt.datetime,
    data: bytes,
) -> Case:
    """A window application by the clerk for ``person``: every required material handed in as
    paper except those ``way`` names (deferred or committed), submitted and accepted at ``at``."""
    traveller.move_to(at - dt.timedelta(minutes=25))
    case = case_create(
        actor=clerk,
        item_code=version.item.implementation_code,
        applicant=person,
        enterprise=enterprise,
        channel="window",
        answers=answers,
        form_data=_form(version, person, enterprise),
        idempotency_key=KEY + key,
    )
    needs = catalog_selectors.materials_for(version, answers).materials
    have = set(case.materials.values_list("material__seq", flat=True))
    for need in needs:
        m = need.material
        if not need.required or m.seq in have:
            continue
        status = way.get(m.seq, MaterialStatus.PAPER)
        kw = {"name": f"{m.name[:40]}.png", "data": data} if status == "provided" else {}
        case_material_add(actor=clerk, case=case, seq=m.seq, status=status, **kw)
    traveller.move_to(at - dt.timedelta(minutes=5))
    case = case_submit(actor=clerk, case=case)
    traveller.move_to(at)
    return case_accept(actor=clerk, case=case)


def _deferrals(traveller, *, clerk, review, supply, data, created: Counter) -> None:
    version = _version(DEFER_ITEM)
    if version is None:
        return
    deferrable = [m.seq for m in version.materials.all() if m.deferrable]
    people = list(Person.objects.filter(user__isnull=True).order_by("pk")[:8]) or list(
        Person.objects.order_by("pk")[:8]
    )
    if not deferrable or not people:
        return
    for i, (key, ago, supplied_after) in enumerate(DEFERRALS):
        person = people[i % len(people)]
        case = _file(
            traveller=traveller,
            key=f"defer-{key}",
            version=version,
            person=person,
            enterprise=None,
            clerk=clerk,
            answers={},
            way={seq: MaterialStatus.DEFERRED for seq in deferrable},
            at=_at(ago, 560 + i * 11),
            data=data,
        )
        created["容缺 cases"] += 1
        if supplied_after is None:
            continue
        traveller.move_to(_at(ago - supplied_after, 610 + i * 7))
        supply(actor=clerk, case=case, data=data)
        traveller.move_to(_at(max(ago - supplied_after - 1, 0), 660 + i * 7))
        review(Case.objects.get(pk=case.pk), approve=True)
        created["容缺 supplied late" if supplied_after > 5 else "容缺 supplied on time"] += 1


def _represented() -> list[tuple[Enterprise, Person]]:
    since = _at(max(ago for _k, ago, _o in COMMITMENTS) + 1).date()  # valid all along
    pairs = (
        EnterpriseAuthorisation.objects.filter(revoked_at__isnull=True, valid_from__lte=since)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=_today[-1]))
        .select_related("enterprise", "person")
        .order_by("pk")
    )
    seen, out = set(), []
    for auth in pairs:
        if auth.enterprise_id not in seen:
            seen.add(auth.enterprise_id)
            out.append((auth.enterprise, auth.person))
    return out


def _commitments(traveller, *, clerk, review, issue, created: Counter, data) -> None:
    version = _version(COMMIT_ITEM)
    pairs = _represented()
    if version is None or not pairs:
        return
    committable = [m.seq for m in version.materials.all() if m.commitment_replaceable]
    answers = {q.code: "no" for q in version.questions.all() if q.code == "commitment"}
    today = _today[-1]
    for i, (key, ago, outcome) in enumerate(COMMITMENTS):
        day = _at(ago).date()
        usable = [
            (e, p)
            for e, p in pairs
            if selectors.person_represents(p, e, on=day)
            and selectors.person_represents(p, e, on=today)
        ]
        if not usable:
            continue
        # the barred enterprise is the last one, so the others may still commit afterwards
        enterprise, person = usable[-1] if outcome == "failed" else usable[i % len(usable)]
        case = _file(
            traveller=traveller,
            key=f"commit-{key}",
            version=version,
            person=person,
            enterprise=enterprise,
            clerk=clerk,
            answers=answers,
            way={seq: MaterialStatus.COMMITMENT for seq in committable},
            at=_at(ago, 570 + i * 13),
            data=data,
        )
        created["告知承诺 cases"] += 1
        if outcome == "pending":
            continue
        traveller.move_to(_at(ago - 1, 640))
        case = review(Case.objects.get(pk=case.pk), approve=True)
        issue(case)
        check = PostCheck.objects.get(case=case)
        actor = _approver(case)
        traveller.move_to(_at(max(ago - 6, 0), 900))
        if outcome == "passed":
            post_check_pass(
                actor=actor, check=check, finding="经数据共享核验场所租赁备案及人员社保，承诺属实。"
            )
            created["post-checks passed"] += 1
        else:
            post_check_fail(
                actor=actor,
                check=check,
                finding="经实地核查，承诺的经营场所为住宅且无专职工作人员，承诺不实。",
            )
            created["decisions revoked"] += 1


def _approver(case: Case) -> User | None:
    return (
        User.objects.filter(
            is_active=True, staff__department=case.department_id, groups__name=Role.APPROVER
        )
        .order_by("pk")
        .first()
    )


def load(traveller, *, today: dt.date, clerk: User, review, supply, issue, data: bytes) -> Counter:
    """The scenarios above, dated back from ``today`` (the real business date); ``review``,
    ``supply`` and ``issue`` are demo_bundles' helpers."""
    created: Counter = Counter()
    _today[:] = [today]
    if clerk is None or Case.objects.filter(idempotency_key__startswith=KEY).exists():
        return created
    _deferrals(traveller, clerk=clerk, review=review, supply=supply, data=data, created=created)
    _commitments(traveller, clerk=clerk, review=review, issue=issue, created=created, data=data)
    return created
