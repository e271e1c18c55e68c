"""Demo of issue [B] (b1) on top of the demo cases: bundle applications (一件事) at each stage —
one waiting for its one acceptance, one in parallel review, one with a child denied and the
applicant's choice pending, one delivered as one combined result — and the 容缺 and 告知承诺
cases in every state: supplements owed, overdue, supplied on time and late; post-checks
pending, passed and failed (the decision and its e-licence revoked, the applicant barred).

The 容缺 and 告知承诺 scenarios are cases of their own (``demo_deferrals``), so every state
exists whatever the size of the random main demo.
Idempotent: the bundles carry idempotency keys; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models import Bundle
from tongban.core import workdays
from tongban.core.models import Person, User
from tongban.core.permissions import Role

from . import demo_deferrals, demo_licences, selectors
from .models import (
    BundleCase,
    Case,
    CaseMaterial,
    Deferral,
    MaterialStatus,
    PostCheck,
    ReviewTask,
    TaskStatus,
)
from .services import case_decide, case_issue, case_material_add, task_claim, task_complete
from .services.bundles import (
    Supplied,
    bundle_accept,
    bundle_apply,
    bundle_deliver,
    children,
)
from .states import CaseStatus as S

logger = logging.getLogger("tongban.cases")
KEY = "demo-b1:"
TZ = dt.timezone(dt.timedelta(hours=8))

RIDE = {
    "has_driver_permit": "no",
    "vehicle_registered": "no",
    "household_local": "yes",
    "exam_passed": "yes",
    "proxy": "self",
}
RIDE_FORM = {"plate_number": "浙A·D{n}", "platform": "云溪出行"}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def _at(days_ago: int, minute: int = 600) -> dt.datetime:
    today = workdays.business_date(timezone.now())
    day = workdays.add_workdays(today, -days_ago) if days_ago else today
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ) + dt.timedelta(minutes=minute)


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _staff(case: Case, role: str) -> User | None:
    return (
        User.objects.filter(is_active=True, staff__department=case.department_id, groups__name=role)
        .order_by("pk")
        .first()
    )


def review(case: Case, *, approve: bool, reason: str = "") -> Case:
    """Through the review steps by the department's staff, then the decision."""
    for _ in range(8):
        task = ReviewTask.objects.filter(
            case=case, status__in=[TaskStatus.OPEN, TaskStatus.CLAIMED]
        ).first()
        if task is None:
            return case
        user = task.assignee or _staff(case, task.role)
        if user is None:
            return case
        if task.assignee is None:
            task_claim(actor=user, case=case)
        if task.step == selectors.review_steps(case)[-1]["code"]:
            return case_decide(actor=user, case=case, approve=approve, reason=reason)
        case = task_complete(actor=user, case=case, opinion="材料齐全，符合条件")
    return case


def supply_owed(*, actor, case: Case, data: bytes) -> None:
    """容缺: hand in every deferred material still owed (before an approval)."""
    rows = list(case.materials.select_related("material"))
    given = {r.material_id for r in rows if r.status != MaterialStatus.DEFERRED}
    suffix = "pdf" if data.startswith(b"%PDF") else "png"
    for row in rows:
        if row.status == MaterialStatus.DEFERRED and row.material_id not in given:
            case_material_add(
                actor=actor,
                case=case,
                seq=row.material.seq,
                name=f"{row.material.name[:40]}.{suffix}",
                data=data,
            )
            given.add(row.material_id)


def _supplied_all(bundle: Bundle, answers: dict) -> dict[int, Supplied]:
    png = _png()
    result = catalog_selectors.bundle_materials_for(bundle, answers)
    return {
        n.material.pk: Supplied(name=f"{n.material.name[:30]}.png", data=png)
        for n in result.materials
    }


def _bundle(key, bundle, person: Person, actor, answers, form, channel="web"):
    return bundle_apply(
        actor=actor,
        bundle=bundle,
        applicant=person,
        answers=answers,
        form_data=form,
        supplied=_supplied_all(bundle, answers),
        channel=channel,
        idempotency_key=KEY + key,
    )


def _issue(case) -> None:
    """制证, as the main demo does it: the licence's face data completed first where the
    application form does not ask for it (demo_licences.before_issue)."""
    actor = _staff(case, Role.APPROVER)
    demo_licences.before_issue(case=case, actor=actor)
    case_issue(actor=actor, case=case)


def _decide_all(bc: BundleCase, *, deny_first: str = "") -> None:
    for i, case in enumerate(children(bc)):
        if case.status != S.IN_REVIEW:
            continue
        if i == 0 and deny_first:
            review(case, approve=False, reason=deny_first)
            continue
        case = review(case, approve=True)
        if case.status == S.APPROVED:
            _issue(case)


def _bundles(traveller, created: Counter) -> None:
    clerk = _user("clerk")
    ride = Bundle.objects.filter(code="wangyueche", is_published=True).first()
    people = {
        p.user.username: p for p in Person.objects.filter(user__isnull=False).select_related("user")
    }
    if clerk is None or ride is None:
        return
    form = dict(RIDE_FORM)
    plan = [("zhaolei", 0, "submitted"), ("zhangxm", 4, "in_progress"), ("wangjg", 9, "delivered")]
    for n, (who, days_ago, stage) in enumerate(plan):
        person = people.get(who)
        if person is None:
            continue
        traveller.move_to(_at(days_ago, 560 + n * 7))
        form["plate_number"] = RIDE_FORM["plate_number"].format(n=f"{n + 1}2345")
        bc = _bundle(f"ride-{who}", ride, person, person.user, RIDE, form)
        created["bundle applications"] += 1
        if stage == "submitted":
            continue
        traveller.move_to(_at(days_ago, 600 + n * 7))
        bc = bundle_accept(actor=clerk, bc=bc)
        traveller.move_to(_at(max(days_ago - 2, 0), 640))
        kids = children(bc)
        if stage == "in_progress":  # one department has decided, the other is reviewing
            case = review(kids[0], approve=True)
            if case.status == S.APPROVED:
                _issue(case)
            continue
        _decide_all(bc)
        traveller.move_to(_at(max(days_ago - 3, 0), 900))
        bundle_deliver(actor=clerk, bc=BundleCase.objects.get(pk=bc.pk), method="window")
    person = people.get("lichm")  # one department denies its item; the applicant may go on
    if person is not None:
        traveller.move_to(_at(8, 580))
        form["plate_number"] = "浙A·D88888"
        bc = _bundle("ride-lichm", ride, person, person.user, RIDE, form)
        created["bundle applications"] += 1
        traveller.move_to(_at(8, 620))
        bc = bundle_accept(actor=clerk, bc=bc)
        traveller.move_to(_at(4, 660))
        _decide_all(bc, deny_first="驾驶员3年内有驾驶机动车记满12分记录，不符合网约车驾驶员条件")


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    if BundleCase.objects.filter(idempotency_key__startswith=KEY).exists():
        out("bundles, 容缺, 告知承诺: nothing to do (already loaded)")
        return {}
    try:
        import time_machine
    except ImportError:
        out("bundles: skipped: the demo needs the time-machine package (tongban[dev])")
        return {}
    created: Counter = Counter()
    quiet = override_settings(
        TONGBAN_SMS_BACKEND=getattr(settings, "TONGBAN_DEMO_SMS_BACKEND", "")
        or "tongban.cases.demo.DemoSmsBackend",
        DEBUG=False,
    )
    now = timezone.now()
    with quiet, time_machine.travel(_at(10), tick=False) as traveller:
        _bundles(traveller, created)
        created.update(
            demo_deferrals.load(
                traveller,
                today=workdays.business_date(now),
                clerk=_user("clerk"),
                review=review,
                supply=supply_owed,
                issue=_issue,
                data=_png(),
            )
        )
        traveller.move_to(now)
    out("bundles, 容缺, 告知承诺: " + ", ".join(f"{n} {w}" for w, n in created.items()))
    return dict(created)


def counts() -> dict[str, int]:
    """What the demo holds (for the demo tests and the summary)."""
    return {
        "bundles": BundleCase.objects.count(),
        "deferrals": Deferral.objects.count(),
        "owed": Deferral.objects.filter(supplied_at__isnull=True).count(),
        "late": Deferral.objects.filter(late=True).count(),
        "post_checks": PostCheck.objects.count(),
        "revoked": Case.objects.filter(status=S.REVOKED).count(),
        "shared_rows": CaseMaterial.objects.filter(note__startswith="一件事").count(),
    }
