"""Demo of 秒批 in the cases: after the demo cases exist, the demo rule sets (``rules.demo``) are
replayed against them and activated from their replay reports; then a few applications are
filed as the demo applicants would file them online:

- 王建国 (78) applies for 老年人优待证: every rule passes, approved by the system (and its
  e-licence issued when the licence type can be signed);
- 张晓明 files a 房屋租赁登记备案: approved by the system, and he asks for a human review;
- 王建国 applies for 高龄老人长寿补贴: he is 78, the rule "年满80周岁" fails, and the case waits
  in the manual queue with the rule named;

and the policies are matched (the longevity subsidy, 免申即享, creates its benefit cases).
Idempotent: each application carries an idempotency key; a rule set already active is kept.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from PIL import Image

from tongban.catalog import selectors as catalog_selectors
from tongban.core import workdays
from tongban.core.models import Person
from tongban.rules import demo as rules_demo
from tongban.rules import selectors as rules_selectors
from tongban.rules.models import RuleSetStatus
from tongban.rules.services import policies_match, replay, rule_set_activate

from .models import Case, MaterialStatus
from .services import case_create, case_material_add, case_submit
from .services.instant import case_human_review_request

logger = logging.getLogger("tongban.cases.demo")

KEY = "demo-instant-{n}"

# (key, applicant's ID number, item name, situation answers, then ask for a human review)
APPLICATIONS = [
    (1, "330100194801010111", rules_demo.ELDERLY_CARD, {"household_local": "yes", "proxy": "self"}, False),
    (2, "330106198807150031", rules_demo.RENTAL, {"tenant_kind": "person", "co_owned": "no", "proxy": "self"}, True),
    (3, "330100194801010111", rules_demo.LONGEVITY, {"proxy": "self", "sbk_account": "yes"}, False),
]  # fmt: skip


# What the applicant types into the item's own form fields (the licence is filled from them).
FORMS = {
    rules_demo.RENTAL: {
        "house_address": "云溪区云溪街道学府路 18 号 2 幢 301 室",
        "lessor": "陈建国",
        "area": "68.5",
        "purpose": "居住",
        "lease_end": "2027-11-30",
    },
}


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def _activate(out: Callable[[str], None], created: dict[str, int]) -> None:
    since = workdays.business_date(timezone.now()) - dt.timedelta(days=200)
    for rule_set in rules_selectors.rule_sets().filter(
        name__startswith=rules_demo.PREFIX, status=RuleSetStatus.DRAFT
    ):
        if rules_selectors.active_rule_set(item_code=rule_set.item_code) is not None:
            continue
        report = replay(rule_set=rule_set, since=since)
        rule_set_activate(rule_set=rule_set, report=report, actor=None)
        agreement = "—" if report.agreement is None else f"{report.agreement:.0%}"
        out(
            f"rules: {rule_set.name} replayed on {report.case_count} past cases "
            f"(agreement {agreement}) and activated"
        )
        created["rule sets activated"] = created.get("rule sets activated", 0) + 1


def _apply(n: int, id_number: str, item: str, answers: dict, review: bool, created) -> None:
    person = Person.objects.filter(id_number=id_number).select_related("user").first()
    version = catalog_selectors.published_versions().filter(name=item).first()
    if person is None or person.user is None or version is None:
        return
    key = KEY.format(n=n)
    if Case.objects.filter(created_by=person.user, idempotency_key=key).exists():
        return
    user = person.user
    with transaction.atomic():
        case = case_create(
            actor=user,
            item_code=version.item.implementation_code,
            applicant=person,
            channel="web",
            answers=answers,
            form_data={"phone": person.phone, "address": person.address, **FORMS.get(item, {})},
            idempotency_key=key,
        )
        needs = catalog_selectors.materials_for(version, answers)
        have = set(case.materials.values_list("material_id", flat=True))
        for need in needs.materials:
            if not need.required or need.material.pk in have:
                continue
            if need.material.source == "licence":
                case_material_add(
                    actor=user, case=case, seq=need.material.seq, status=MaterialStatus.LICENCE
                )
            else:
                case_material_add(
                    actor=user, case=case, seq=need.material.seq, name="扫描件.png", data=_png()
                )
    case = case_submit(actor=user, case=case)
    created[f"instant applications ({case.get_status_display()})"] = (
        created.get(f"instant applications ({case.get_status_display()})", 0) + 1
    )
    if review and case.status in ("approved", "issued"):
        case_human_review_request(actor=user, case=case)
        created["human reviews requested"] = created.get("human reviews requested", 0) + 1


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    created: dict[str, int] = {}
    if not rules_selectors.rule_sets().filter(name__startswith=rules_demo.PREFIX).exists():
        return created  # the rules demo did not run (e.g. a test loading the cases alone)
    _activate(out, created)
    for n, id_number, item, answers, review in APPLICATIONS:
        try:
            _apply(n, id_number, item, answers, review, created)
        except Exception:  # a demo application that cannot be filed must not stop the demo
            logger.exception("demo instant application %s not filed", n)
    today = workdays.business_date(timezone.now())
    summary = policies_match(today=today, notify=True)
    out(f"rules: policies matched: {summary}")
    if created:
        out("cases (instant): " + ", ".join(f"{n} {what}" for what, n in created.items()))
    return created
