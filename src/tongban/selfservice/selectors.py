"""Reads of the selfservice app: kiosks, the kiosk visitor's cases, lockers and deposits."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases import selectors as cases_selectors
from tongban.cases.models import Case
from tongban.catalog.selectors import published_versions
from tongban.core.errors import NotFound
from tongban.core.models import Person
from tongban.hall.models import QueueNumber
from tongban.hall.services.numbers import position_of

from .models import OCCUPYING, Compartment, Deposit, DepositStatus, Kiosk, LockerBank


def kiosk_by_code(code: str) -> Kiosk:
    kiosk = Kiosk.objects.select_related("hall").filter(code=code, is_active=True).first()
    if kiosk is None:
        raise NotFound()
    return kiosk


def person_by_id(pk: int | None) -> Person | None:
    return Person.objects.filter(pk=pk).first() if pk else None


def kiosk_cases(person: Person) -> QuerySet[Case]:
    """The person's cases past the draft (through the cases app's selector)."""
    return cases_selectors.cases_of_person(person)


def kiosk_case(person: Person, case_no: str) -> Case:
    """One of the person's cases; not found for missing and someone else's alike."""
    return cases_selectors.case_of_person(person, case_no)


def kiosk_case_steps(case: Case) -> list:
    """The case's step indicator as its applicant sees it (cases.selectors)."""
    return cases_selectors.applicant_progress(case)


def kiosk_items() -> list:
    """Published item versions marked for the self-service terminal (办理渠道 includes 自助终端)."""
    versions = (
        published_versions()
        .select_related("item__department")
        .order_by("item__implementation_code")
    )
    return [v for v in versions if "kiosk" in (v.channels or [])]


def locker_banks() -> list[LockerBank]:
    """Every bank with its compartments, each annotated with its occupying deposit (if any)."""
    banks = list(LockerBank.objects.order_by("code"))
    occupied = {
        d.compartment_id: d
        for d in Deposit.objects.filter(status__in=OCCUPYING).select_related("case")
    }
    compartments = Compartment.objects.order_by("number")
    by_bank: dict[int, list[Compartment]] = {}
    for c in compartments:
        c.deposit = occupied.get(c.pk)
        by_bank.setdefault(c.bank_id, []).append(c)
    for bank in banks:
        bank.compartment_list = by_bank.get(bank.pk, [])
        bank.free = sum(1 for c in bank.compartment_list if c.deposit is None and c.in_service)
    return banks


def free_compartments() -> QuerySet[Compartment]:
    return (
        Compartment.objects.filter(in_service=True, bank__is_active=True)
        .exclude(deposits__status__in=OCCUPYING)
        .select_related("bank")
        .order_by("bank__code", "number")
    )


def deposits(*, status: str = "", overdue_only: bool = False, now=None) -> QuerySet[Deposit]:
    """Deposits for the staff list; ``overdue_only``: still placed past the uncollected limit
    (the next sweep flags them) or already flagged for mailing."""
    qs = Deposit.objects.select_related("compartment__bank", "case__applicant", "placed_by")
    if status:
        qs = qs.filter(status=status)
    if overdue_only:
        cutoff = (now or timezone.now()) - dt.timedelta(
            days=settings.TONGBAN_LOCKER_UNCOLLECTED_DAYS
        )
        qs = qs.filter(
            Q(status=DepositStatus.FLAGGED) | Q(status=DepositStatus.PLACED, placed_at__lte=cutoff)
        )
    return qs.order_by("-placed_at", "-id")


def deposit_counts() -> dict[str, int]:
    rows = Deposit.objects.values("status").annotate(n=Count("id"))
    counts = {s: 0 for s in DepositStatus.values}
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def get_deposit(pk: int) -> Deposit:
    deposit = (
        Deposit.objects.select_related("compartment__bank", "case__applicant", "placed_by")
        .filter(pk=pk)
        .first()
    )
    if deposit is None:
        raise NotFound()
    return deposit


DEPOSIT_ACTIONS = {
    "place": _("存件"),
    "collect": _("取件"),
    "code_resend": _("重发取件码"),
    "flag": _("逾期未取，转邮寄"),
    "remove": _("取出"),
}


def deposit_history(deposit: Deposit) -> list:
    events = list(deposit.events.select_related("actor").order_by("seq"))
    for e in events:
        e.label = DEPOSIT_ACTIONS.get(e.action, e.action)
    return events


def queue_number(pk: int) -> QueueNumber | None:
    """A queue number for the ticket page, with how many are called before it."""
    taken = QueueNumber.objects.select_related("group", "hall").filter(pk=pk).first()
    if taken is not None:
        taken.ahead = position_of(taken)
    return taken
