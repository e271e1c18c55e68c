"""Demo e-licences issued from the demo cases (issue 8, item 10).

Every demo case that was approved (and possibly issued, delivered, archived since) of an item
whose ``outcome_licence_type`` names an active licence type has its licence: issued at approval
when the case's data fill the type's fields, else just before its ISSUE step (``before_issue``,
the data completed as the department's staff would at 制证), and for the cases still at
"approved" by ``load`` afterwards. The licence types, seals and keys come from
``tongban.licences.demo`` (loaded before the cases); without them this does nothing.

For the lifecycle to show: the first ``LAPSED`` licences issued at an ISSUE step (the oldest
cases, months ago) had a validity of ``SHORT_DAYS`` and are expired now; ``load`` revokes one
(a failed 告知承诺 post-check) and reissues one (a changed address). The demo enterprises'
营业执照 are loaded through the import service (``business_licences_import``).

Idempotent: a case that already yielded a licence is left alone; the revoked and reissued ones
are made once.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import logging
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from tongban.core import workdays
from tongban.core.errors import DomainError
from tongban.core.models import Enterprise
from tongban.licences import wallet
from tongban.licences.models import Licence, LicenceStatus, ValidityKind
from tongban.licences.selectors import licence_state, valid_licence_of
from tongban.licences.services import licence_issue, licence_reissue, licence_revoke
from tongban.licences.services.imports import licences_import

from .models import Case, CaseEvent, MaterialStatus
from .services import licensing
from .states import CaseAction as A
from .states import CaseStatus as S

DECIDED = (S.APPROVED, S.ISSUED, S.DELIVERED, S.ARCHIVED)
LAPSED = 2  # the first licences issued from demo cases: a short validity, expired by now
SHORT_DAYS = 60
_short = [0]  # short validities given in this load (the oldest ISSUE steps come first)
BUSINESS = "YYZZ"  # 营业执照, imported for the demo enterprises


def start() -> None:
    """A new load of the demo cases: the first ``LAPSED`` licences of it get short validities
    again (the counter is per load, not per process: tests load the demo several times)."""
    _short[0] = 0


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    """Issue the licences of the approved demo cases; returns counts by kind."""
    created: Counter = Counter()
    cases = (
        Case.objects.filter(status__in=DECIDED, item_version__outcome_licence_type__gt="")
        .select_related("item_version", "applicant", "enterprise", "department")
        .order_by("decided_at", "id")
    )
    with transaction.atomic():
        for case in cases:
            licence_type = licensing.outcome_type(case)
            if licence_type is None or wallet.licence_of_case(case.case_no) is not None:
                continue
            holder = licensing._holder_of_material(case, licence_type)
            if not holder or valid_licence_of(type_code=licence_type.code, **holder) is not None:
                continue
            day = workdays.business_date(case.decided_at or timezone.now())
            try:
                with transaction.atomic():
                    licence_issue(
                        licence_type=licence_type,
                        data=face_data(case, licence_type),
                        case_no=case.case_no,
                        actor=_decider(case),
                        actor_label="演示数据",
                        issued_on=day,
                        **holder,
                    )
            except DomainError:
                created["not issued (case data refused)"] += 1
                continue
            created["licences from approved cases"] += 1
        _lifecycle(created)
    if created:
        out("case licences: " + ", ".join(f"{n} {what}" for what, n in created.items()))
    return dict(created)


def face_data(case: Case, licence_type) -> dict:
    """The licence's face data: what the case provides (as ``case_licence_issue`` takes it),
    then what the platform holds about the holder, then — for a required field the demo
    catalogue's application form does not ask — a plausible value, as the department's staff
    would fill it in at 制证."""
    data = licensing.licence_data(case, licence_type)
    person, enterprise = case.applicant, case.enterprise
    known = {
        "name": person.name if person else "",
        "holder_name": enterprise.name if enterprise else (person.name if person else ""),
        "birth_date": person.birth_date.isoformat() if person and person.birth_date else "",
        "address": (enterprise.address if enterprise else "") or (person.address if person else ""),
        "legal_representative": enterprise.legal_representative.name
        if enterprise and enterprise.legal_representative_id
        else (person.name if person else ""),
    }
    day = workdays.business_date(case.decided_at or timezone.now())
    for spec in licence_type.fields or []:
        name = spec["name"]
        if data.get(name) not in (None, ""):
            continue
        if known.get(name):
            data[name] = known[name]
        elif spec.get("required"):
            data[name] = {
                "choice": lambda s: (s.get("choices") or [""])[0],
                "date": lambda s: day.isoformat(),
                "number": lambda s: 1,
            }.get(spec.get("type", "text"), lambda s: f"{s.get('label') or s['name']}（演示）")(
                spec
            )
    return data


def before_issue(*, case: Case, actor) -> None:
    """Before a demo case's ISSUE step: its licence, with the face data completed, when the
    case's own data would not do (the ISSUE step then names it). The first ``LAPSED`` of them
    (the oldest demo cases, months ago) get a validity of ``SHORT_DAYS``: expired by now."""
    licence_type = licensing.outcome_type(case)
    if licence_type is None or wallet.licence_of_case(case.case_no) is not None:
        return
    holder = licensing._holder_of_material(case, licence_type)
    if not holder:
        return
    valid_until = None
    if licence_type.validity_kind != ValidityKind.PERMANENT and _short[0] < LAPSED:
        valid_until = workdays.business_date(timezone.now()) + dt.timedelta(days=SHORT_DAYS)
        _short[0] += 1
    licence_issue(
        licence_type=licence_type,
        data=face_data(case, licence_type),
        case_no=case.case_no,
        actor=actor,
        valid_until=valid_until,
        **holder,
    )


def licence_or_upload(*, case: Case, material) -> tuple[str | None, str]:
    """How a demo applicant provides a material a licence replaces: nothing more when the
    licence was attached as the draft was made (免证办), the e-licence when the platform does
    not issue the type (the declaration of a national library's licence), else an upload (the
    platform issues the type but the applicant holds no valid one)."""
    if case.materials.filter(material=material).exists():
        return None, ""
    licence_type = licensing.platform_type(material)
    if licence_type is None:
        return MaterialStatus.LICENCE, ""
    if licensing.valid_licence_for(case, licence_type) is not None:
        return MaterialStatus.LICENCE, ""
    return MaterialStatus.PROVIDED, "pdf"


def business_licences_import(out: Callable[[str], None] = print) -> int:
    """The 营业执照 of the demo enterprises that have none, loaded through the import service
    as the market-regulation registration system would deliver them (a CSV file)."""
    _short[0] = 0  # a new load of the demo cases starts here
    if wallet.active_licence_type(BUSINESS) is None:
        return 0
    rows = [
        e
        for e in Enterprise.objects.select_related("legal_representative").order_by("id")
        if not Licence.objects.filter(licence_type__code=BUSINESS, enterprise=e).exists()
    ]
    if not rows:
        return 0
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "yyzz.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(
                [
                    "名称",
                    "统一社会信用代码",
                    "证照编号",
                    "发证日期",
                    "类型",
                    "法定代表人",
                    "成立日期",
                    "住所",
                    "经营范围",
                ]
            )
            for i, e in enumerate(rows):
                founded = dt.date(2015, 3, 2) + dt.timedelta(days=97 * i)
                legal = e.legal_representative.name if e.legal_representative_id else "—"
                writer.writerow(
                    [
                        e.name,
                        e.credit_code,
                        e.credit_code,
                        founded.isoformat(),
                        "有限责任公司（自然人投资或控股）",
                        legal,
                        founded.isoformat(),
                        e.address or "云溪区云溪街道学府路 88 号",
                        "软件开发；信息技术咨询服务。",
                    ]
                )
        result = licences_import(path=path, type_code=BUSINESS, source_system="市场监管登记系统")
    if result.errors:
        out(f"case licences: business licences not imported: {result.errors[:3]}")
        return 0
    out(f"case licences: {result.created} imported business licences")
    return result.created


def _decider(case: Case):
    """The staff member who approved the case (None: the system, e.g. 秒批)."""
    event = (
        CaseEvent.objects.filter(case=case, action=A.APPROVE)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    return event.actor if event is not None else None


def _lifecycle(created: Counter) -> None:
    """One revoked and one reissued among the valid licences issued from demo cases (oldest
    first), unless the demo shows them already."""
    from_cases = Licence.objects.filter(imported=False).exclude(case_no="")
    if from_cases.filter(status__in=[LicenceStatus.REVOKED, LicenceStatus.SUPERSEDED]).exists():
        return
    valid = [
        licence
        for licence in from_cases.select_related("licence_type").order_by("issued_on", "id")
        if licence_state(licence) == "valid"
    ]
    if len(valid) < 2:
        return
    revoked, changed = valid[0], valid[1]
    licence_revoke(
        licence=revoked,
        reason="告知承诺事后核查发现承诺内容不实，依法撤销",
        actor_label="演示数据",
    )
    created["revoked"] += 1
    data = dict(changed.data)
    field = next((f["name"] for f in changed.licence_type.fields if "address" in f["name"]), "")
    if field:
        data[field] = "云溪区东湖街道湖滨路 66 号"
    licence_reissue(licence=changed, data=data, reason="持证人申请变更地址，换发新证", actor=None)
    created["reissued"] += 1


class _ApprovalRefusals(logging.Filter):
    """Counts, and keeps out of the log, the "not issued at approval" warnings of the demo
    cases: the demo application forms do not ask every field of the licence, so the licence is
    issued at the ISSUE step (``before_issue``) instead, as the department's staff would."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == licensing.NOT_ISSUED_AT_APPROVAL:
            self.count += 1
            return False
        return True


@contextlib.contextmanager
def approval_refusals_counted(out: Callable[[str], None]):
    """While the demo cases load, one line with the count instead of a warning per case."""
    quiet = _ApprovalRefusals()
    logger = logging.getLogger(licensing.logger.name)
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)
        if quiet.count:
            out(
                f"licences: {quiet.count} not issued at approval (the demo forms do not ask every "
                "licence field): issued at the ISSUE step with the data completed"
            )
