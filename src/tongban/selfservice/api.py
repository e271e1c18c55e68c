"""The selfservice API under /api/v1/: the pickup lockers for counter systems and scripts
(window clerks' session or API token, permission ``locker.manage``). The pickup itself is done
at the terminal's page, never through the API (the code is the applicant's secret)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from tongban.core.access import rule
from tongban.core.permissions import Perm, require_perm

from . import selectors, services
from .models import DepositStatus

router = Router(tags=["selfservice"])


class CompartmentOut(Schema):
    id: int
    label: str
    size: str
    in_service: bool
    deposit: int | None = None
    status: str | None = None
    case_no: str | None = None


class BankOut(Schema):
    code: str
    name: str
    location: str
    is_active: bool
    free: int
    compartments: list[CompartmentOut]


class DepositIn(Schema):
    compartment_id: int
    case_no: str


class DepositOut(Schema):
    id: int
    compartment: str
    case_no: str
    status: str
    placed_at: dt.datetime
    code_expires_at: dt.datetime
    collected_at: dt.datetime | None = None
    flagged_at: dt.datetime | None = None
    removed_at: dt.datetime | None = None
    version: int


def _deposit_out(d) -> dict:
    return {
        "id": d.pk,
        "compartment": d.compartment.label,
        "case_no": d.case.case_no,
        "status": d.status,
        "placed_at": d.placed_at,
        "code_expires_at": d.code_expires_at,
        "collected_at": d.collected_at,
        "flagged_at": d.flagged_at,
        "removed_at": d.removed_at,
        "version": d.version,
    }


@rule("perm:locker.manage")
@router.get("/selfservice/lockers", response=list[BankOut])
def lockers(request: HttpRequest):
    """Every locker bank with its compartments and what each holds."""
    require_perm(request.auth, Perm.LOCKER_MANAGE)
    return [
        {
            "code": bank.code,
            "name": bank.name,
            "location": bank.location,
            "is_active": bank.is_active,
            "free": bank.free,
            "compartments": [
                {
                    "id": c.pk,
                    "label": c.label,
                    "size": c.size,
                    "in_service": c.in_service,
                    "deposit": c.deposit.pk if c.deposit else None,
                    "status": c.deposit.status if c.deposit else None,
                    "case_no": c.deposit.case.case_no if c.deposit else None,
                }
                for c in bank.compartment_list
            ],
        }
        for bank in selectors.locker_banks()
    ]


@rule("perm:locker.manage")
@router.get("/selfservice/deposits", response=list[DepositOut])
def deposits(request: HttpRequest, status: str = "", overdue: bool = False):
    """Deposits, newest first (at most 500); ``overdue=true``: uncollected past the limit."""
    require_perm(request.auth, Perm.LOCKER_MANAGE)
    status = status if status in DepositStatus.values else ""
    rows = selectors.deposits(status=status, overdue_only=overdue)[:500]
    return [_deposit_out(d) for d in rows]


@rule("perm:locker.manage")
@router.post("/selfservice/deposits", response={201: DepositOut})
def place(request: HttpRequest, payload: DepositIn):
    """存件: the compartment opens and the applicant gets the pickup code by SMS (the code is
    not in the answer)."""
    deposit, _code = services.deposit_place(
        actor=request.auth, compartment_id=payload.compartment_id, case_no=payload.case_no
    )
    return Status(201, _deposit_out(deposit))
