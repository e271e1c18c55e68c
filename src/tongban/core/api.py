"""core's API: the caller, regions, departments and the working-day calendar."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from tongban.core.access import rule

from . import selectors, workdays
from .identifiers import parse_date
from .permissions import Scope, permissions_of, roles_of, scope_of

router = Router(tags=["core"])

MAX_WORKDAYS = 10000  # far beyond any time limit; the calendar covers far less anyway


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    permissions: list[str]
    scope: str
    department: str | None = None
    person_name: str | None = None
    id_number: str | None = None


@rule("login")
@router.get("/me", response=MeOut, summary="The authenticated user")
def me(request: HttpRequest):
    user = request.auth if hasattr(request.auth, "pk") else request.user
    staff = selectors.staff_profile_of(user)
    person = selectors.person_of(user)
    return MeOut(
        username=user.username,
        display_name=str(user),
        roles=sorted(roles_of(user)),
        permissions=sorted(permissions_of(user)),
        scope=Scope(scope_of(user)).value,
        department=staff.department.code if staff else None,
        person_name=person.name if person else None,
        id_number=selectors.shown_id_number(person, user) if person else None,
    )


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None = None


@rule("login")
@router.get("/regions", response=list[RegionOut], summary="Statutory divisions")
def regions(request: HttpRequest, level: str | None = None, parent: str | None = None):
    return [
        RegionOut(
            code=r.code, name=r.name, level=r.level, parent_code=r.parent.code if r.parent else None
        )
        for r in selectors.regions_list(level=level, parent_code=parent)
    ]


class DepartmentOut(Schema):
    code: str
    name: str
    kind: str
    region_code: str
    parent_code: str | None = None


@rule("login")
@router.get("/departments", response=list[DepartmentOut], summary="Departments and units")
def departments(request: HttpRequest, region: str | None = None):
    return [
        DepartmentOut(
            code=d.code,
            name=d.name,
            kind=d.kind,
            region_code=d.region.code,
            parent_code=d.parent.code if d.parent else None,
        )
        for d in selectors.departments_list(region_code=region)
    ]


class AddWorkdaysQuery(Schema):
    start: str
    days: int = Field(..., ge=0, le=MAX_WORKDAYS)


class AddWorkdaysOut(Schema):
    start: dt.date
    days: int
    result: dt.date
    deadline: dt.datetime


@rule("login")
@router.get(
    "/workdays/add",
    response=AddWorkdaysOut,
    summary="The n-th working day after a date (the start day is not counted)",
)
def workdays_add(request: HttpRequest, query: Query[AddWorkdaysQuery]):
    start = parse_date(query.start, field="start", label=_("开始日期"))
    result = workdays.add_workdays(start, query.days)
    return AddWorkdaysOut(
        start=start, days=query.days, result=result, deadline=workdays.end_of_day(result)
    )


class BetweenQuery(Schema):
    start: str
    end: str


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    workdays: int


@rule("login")
@router.get(
    "/workdays/between",
    response=BetweenOut,
    summary="Working days after start up to and including end",
)
def workdays_between(request: HttpRequest, query: Query[BetweenQuery]):
    start = parse_date(query.start, field="start", label=_("开始日期"))
    end = parse_date(query.end, field="end", label=_("结束日期"))
    return BetweenOut(start=start, end=end, workdays=workdays.workdays_between(start, end))
