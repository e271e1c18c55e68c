"""Demo of 秒批 in the cases: after the demo cases exist, the demo rule sets (``rules.demo``) are
replayed against them and activated from their replay reports; then a few applications are
filed as the demo applicants would file them online:

- 王建国 (78) applies for 老年人优待证 — or, when the licences demo already gave him his card,
  the first demo elder online without one: every rule passes, approved by the system (and its
  e-licence issued when the licence type can be signed);
- 张晓明 files a 房屋租赁登记备案: approved by the system, and he asks for a human review;
- 王建国 applies for 高龄老人长寿补贴: he is 78, the rule "年满80周岁" fails, and the case waits
  in the manual queue with the rule named;

and the policies are matched (the longevity subsidy, 免申即享, creates its benefit cases).
Idempotent: each application carries an idempotency key; a rule set already active is kept.

The past cases of the three items are decided by people, and so that a replay shows what it is
for, they mostly agree with the rules: ``HistoryFit`` (asked by the cases demo's planner) keeps
a planned case of those items only when its applicant fits the human decision — an approval for
someone who meets every rule, a denial for someone who does not — except a few realistic
disagreements, about one in ten (an approval of someone the rules would send to a person, a
denial for a reason the rules cannot see). ``population_row`` gives every demo resident a row in the demo
population table (added before the replay), the same row the planner judged them on.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from PIL import Image

from tongban.catalog import selectors as catalog_selectors
from tongban.core import workdays
from tongban.core.demo import APPLICANTS
from tongban.core.models import Person
from tongban.licences import selectors as licence_selectors
from tongban.rules import demo as rules_demo
from tongban.rules import selectors as rules_selectors
from tongban.rules.functions import age_on
from tongban.rules.models import ReferenceRow, ReferenceTable, RuleSetStatus
from tongban.rules.services import (
    policies_match,
    reference_table_upload,
    replay,
    rule_set_activate,
)

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


# ------------------------------------------------------------- the demo history of the items

INSTANT_ITEMS = (rules_demo.ELDERLY_CARD, rules_demo.LONGEVITY, rules_demo.RENTAL)
CORE_IDS = frozenset(row[2] for row in APPLICANTS)


def population_row(id_number: str) -> dict[str, str]:
    """The demo population table's row of a demo resident (repeatable from the ID number): most
    have 户籍 in the district, a few elsewhere (some of them with a residence permit)."""
    if id_number in CORE_IDS:
        local, permit = True, False
    else:
        rng = random.Random(f"{rules_demo.SEED}-{id_number}")  # noqa: S311 - demo data
        local = rng.random() < 0.9
        permit = not local and rng.random() < 0.5
    return {
        "hukou_district": rules_demo.DISTRICT if local else "西湖区",
        "residence_permit": "true" if permit else "false",
        "status": "正常",
        "longevity_subsidy": "false",
    }


def meets_rules(item: str, person: Person, enterprise, answers: dict, day: dt.date) -> bool:
    """Whether the demo rule set of ``item`` passes for this applicant on ``day`` (the rules of
    ``rules.demo``, on the demo population row; the applicant holds no licence and no other case
    of the item — ``HistoryFit`` sees to that)."""
    row = population_row(person.id_number)
    local = row["hukou_district"] == rules_demo.DISTRICT
    age = age_on(person.birth_date, day)
    if item == rules_demo.ELDERLY_CARD:
        return age >= 60 and (local or row["residence_permit"] == "true")
    if item == rules_demo.LONGEVITY:
        return age >= 80 and local
    if item == rules_demo.RENTAL:
        adult = enterprise is not None or age >= 18
        return adult and answers.get("tenant_kind") == "person" and answers.get("co_owned") == "no"
    return True


# The demo applicants who apply for these items today (``APPLICATIONS``) have no past case of
# the item: their application meets the rules as the demo tells.
RESERVED = frozenset((item, id_number) for _n, id_number, item, _a, _r in APPLICATIONS)


class HistoryFit:
    """Asked by the cases demo's planner about each planned case (see the module docstring).

    A decided case of an instant item whose applicant does not fit the decision gets another
    applicant who does (a person not yet applying for the item, online when the case is
    online), or is planned again; about one in ten per item is kept as a disagreement."""

    def __init__(self, people: list[Person]) -> None:
        self.rng = random.Random(f"{rules_demo.SEED}-history")  # noqa: S311 - demo data
        self.people = people
        self.subjects: set[tuple[str, Any]] = set()
        self.agree: dict[str, int] = {}
        self.disagree: dict[str, int] = {}

    def fits(self, plan) -> bool:
        item = plan.version.name
        if item not in INSTANT_ITEMS:
            return True
        if not self._free(item, plan.person, plan.enterprise):
            return False  # one case per applicant and item: no other case to trip the rules
        decide = next((s for s in plan.steps if s.op == "decide"), None)
        if decide is not None:
            day = workdays.business_date(decide.at)
            approved = bool(decide.kw.get("approve"))
            if meets_rules(item, plan.person, plan.enterprise, plan.answers, day) != approved:
                if (self.disagree.get(item, 0) + 1) * 9 <= self.agree.get(item, 0):
                    self.disagree[item] = self.disagree.get(item, 0) + 1
                elif not self._swap(plan, item, day, approved):
                    return False
                else:
                    self.agree[item] = self.agree.get(item, 0) + 1
            else:
                self.agree[item] = self.agree.get(item, 0) + 1
        key = plan.enterprise.pk if plan.enterprise is not None else plan.person.pk
        self.subjects.add((item, key))
        return True

    def _free(self, item: str, person: Person, enterprise) -> bool:
        key = enterprise.pk if enterprise is not None else person.pk
        return (item, person.id_number) not in RESERVED and (item, key) not in self.subjects

    def _swap(self, plan, item: str, day: dt.date, approved: bool) -> bool:
        if plan.enterprise is not None or item == rules_demo.RENTAL:
            return False  # the situation answers decide there: plan another case
        online = plan.channel != "window"
        pool = [
            q
            for q in self.people
            if (q.user_id or not online)
            and self._free(item, q, None)
            and meets_rules(item, q, None, plan.answers, day) == approved
        ]
        if not pool:
            return False
        person = self.rng.choice(pool)
        plan.person = person
        if online:
            plan.applicant_actor = person.user
        return True


def ensure_population(out: Callable[[str], None]) -> int:
    """Add every demo resident without a row to the demo population table (the registry holds
    everyone of the district); returns how many were added."""
    table = ReferenceTable.objects.filter(name=rules_demo.TABLE_NAME).first()
    if table is None:
        return 0
    existing = {
        row.key: row.data for row in ReferenceRow.objects.filter(table=table).order_by("pk")
    }
    missing = [
        (p.id_number, p.name)
        for p in Person.objects.order_by("pk").only("id_number", "name")
        if p.id_number.upper() not in existing
    ]
    if not missing:
        return 0
    columns = ["id_no", "name", "hukou_district", "residence_permit", "status"]
    columns.append("longevity_subsidy")
    rows = [{"id_no": key, **data} for key, data in existing.items()]
    rows += [{"id_no": i, "name": n, **population_row(i)} for i, n in missing]
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    reference_table_upload(
        table=table,
        name=table.name,
        key_column="id_no",
        file_name="population.csv",
        content=text.getvalue().encode("utf-8"),
        actor=None,
    )
    out(f"rules: {len(missing)} residents added to {table.name}")
    return len(missing)


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


def _card_applicant(version, default: str) -> str:
    """Who applies for 老年人优待证 in the demo: 王建国 when he has no card yet, otherwise the
    first demo elder with an online account, no valid card and no case of the item, whose
    population row meets the rules (the licences demo may have given 王建国 his card)."""
    today = workdays.business_date(timezone.now())
    candidates = (
        Person.objects.filter(
            user__isnull=False, birth_date__lte=today.replace(year=today.year - 61)
        )
        .exclude(cases__item_version__item=version.item)
        .order_by("id_number")
    )
    ordered = sorted(candidates, key=lambda p: (p.id_number != default, p.id_number))
    for person in ordered:
        if licence_selectors.valid_licence_of(type_code="YXLRYDZ", today=today, person=person):
            continue
        if meets_rules(rules_demo.ELDERLY_CARD, person, None, {}, today):
            return person.id_number
    return default


def _apply(n: int, id_number: str, item: str, answers: dict, review: bool, created) -> None:
    key = KEY.format(n=n)
    version = catalog_selectors.published_versions().filter(name=item).first()
    if version is None or Case.objects.filter(idempotency_key=key).exists():
        return
    if item == rules_demo.ELDERLY_CARD:
        id_number = _card_applicant(version, id_number)
    person = Person.objects.filter(id_number=id_number).select_related("user").first()
    if person is None or person.user is None:
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
    ensure_population(out)
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
