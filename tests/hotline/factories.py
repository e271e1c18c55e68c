"""Hotline test data: a small district with streets, units, a subject taxonomy, a published
dispatch catalogue with rules, the default limits, and tickets in any state made through the
services (so their events and dues are real).

``hotline_world()`` builds it all (idempotent); the fixtures in ``conftest.py`` use it.
"""

from __future__ import annotations

from dataclasses import dataclass

import factory

from tests.factories import DepartmentFactory, RegionFactory, make_staff
from tongban.core import addresses
from tongban.core.models import Department, Region
from tongban.core.models.regions import DepartmentKind, RegionLevel
from tongban.core.permissions import Role
from tongban.hotline import clocks, dispatch, services
from tongban.hotline.models import (
    CatalogueStatus,
    DispatchCatalogue,
    DispatchEntry,
    DispatchRule,
    OwnerLevel,
    Subject,
    Ticket,
)


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:01d}")
    name = factory.Sequence(lambda n: f"测试分类{n}")
    level = 1
    parent = None


def subject(code: str, name: str, parent: Subject | None = None, keywords: str = "") -> Subject:
    level = code.count(".") + 1
    return SubjectFactory(code=code, name=name, level=level, parent=parent, keywords=keywords)


def region(code: str, name: str, parent: Region | None) -> Region:
    level = {6: RegionLevel.DISTRICT, 9: RegionLevel.STREET, 12: RegionLevel.COMMUNITY}[len(code)]
    return RegionFactory(code=code, name=name, level=level, parent=parent)


def unit(code: str, name: str, region_: Region, kind=DepartmentKind.BUREAU) -> Department:
    return DepartmentFactory(code=code, name=name, kind=kind, region=region_)


@dataclass
class World:
    district: Region
    yunxi: Region  # 云溪街道
    wanghu: Region  # 望湖社区 (in 云溪街道)
    donghu: Region  # 东湖街道
    hubin: Region  # 湖滨社区 (in 东湖街道)
    centre: Department  # rx12345
    cgj: Department  # 城管局
    zjj: Department  # 住建局
    yunxi_unit: Department  # 云溪街道便民服务中心
    donghu_unit: Department
    ponding: Subject  # 03.02.05 道路积水 (城管局)
    streetlight: Subject  # 03.02.06 路灯损坏 (城管局)
    noise: Subject  # 05.01.01 噪音扰民 (属地街道)
    water: Subject  # 07.01.01 停水 (住建局)
    catalogue: DispatchCatalogue


def hotline_world() -> World:
    district = region("330199", "云溪区", None)
    yunxi = region("330199001", "云溪街道", district)
    wanghu = region("330199001002", "望湖社区", yunxi)
    region("330199001001", "云溪社区", yunxi)
    donghu = region("330199002", "东湖街道", district)
    hubin = region("330199002002", "湖滨社区", donghu)
    region("330199002001", "东湖社区", donghu)
    centre = unit(
        "rx12345", "云溪区12345政务服务便民热线中心", district, DepartmentKind.HOTLINE_CENTRE
    )
    cgj = unit("cgj", "云溪区城市管理局", district)
    zjj = unit("zjj", "云溪区住房和城乡建设局", district)
    yunxi_unit = unit(
        "yx-street-330199001", "云溪街道便民服务中心", yunxi, DepartmentKind.SERVICE_CENTRE
    )
    donghu_unit = unit(
        "yx-street-330199002", "东湖街道便民服务中心", donghu, DepartmentKind.SERVICE_CENTRE
    )
    building = subject("03", "城乡建设")
    municipal = subject("03.02", "市政设施", building)
    ponding = subject("03.02.05", "道路积水", municipal, "积水,内涝")
    streetlight = subject("03.02.06", "路灯损坏", municipal, "路灯")
    community = subject("05", "社区治理")
    neighbours = subject("05.01", "邻里纠纷", community)
    noise = subject("05.01.01", "噪音扰民", neighbours, "噪音,广场舞")
    utilities = subject("07", "水电气热")
    supply = subject("07.01", "供水", utilities)
    water = subject("07.01.01", "停水", supply, "停水,水压")
    catalogue, created = DispatchCatalogue.objects.get_or_create(
        version=1, defaults={"status": CatalogueStatus.PUBLISHED, "basis": "测试派单目录"}
    )
    if created:
        for subj, level, dept in (
            (municipal, OwnerLevel.DEPARTMENT, cgj),
            (ponding, OwnerLevel.DEPARTMENT, cgj),
            (streetlight, OwnerLevel.DEPARTMENT, cgj),
            (neighbours, OwnerLevel.STREET, None),
            (noise, OwnerLevel.STREET, None),
            (water, OwnerLevel.DEPARTMENT, zjj),
        ):
            DispatchEntry.objects.create(
                catalogue=catalogue, subject=subj, owner_level=level, department=dept
            )
        DispatchRule.objects.create(
            catalogue=catalogue,
            position=10,
            name="井盖归城管",
            keywords="井盖,窨井",
            department=cgj,
        )
        DispatchRule.objects.create(
            catalogue=catalogue,
            position=20,
            name="广场舞噪音归属地",
            keywords="广场舞",
            to_locality=True,
        )
        DispatchRule.objects.create(
            catalogue=catalogue, position=30, name="停水归住建", subject=water, department=zjj
        )
    clocks.limits_install_defaults()
    dispatch.invalidate()
    clocks.invalidate()
    addresses.invalidate()
    return World(
        district,
        yunxi,
        wanghu,
        donghu,
        hubin,
        centre,
        cgj,
        zjj,
        yunxi_unit,
        donghu_unit,
        ponding,
        streetlight,
        noise,
        water,
        catalogue,
    )


def staff(role: str, department: Department, username: str):
    return make_staff(role, department=department, username=username)


def operator_in(world: World, username: str = "operator"):
    return staff(Role.HOTLINE_OPERATOR, world.centre, username)


# --------------------------------------------------------------------------- tickets


TEXT = {
    "title": "学府路积水严重",
    "content": "学府路与望湖路交叉口下雨后积水很深，行人无法通行，请尽快处理。",
    "caller_name": "张晓明",
    "caller_phone": "13905710001",
    "address": "云溪区云溪街道望湖社区学府路 18 号",
}


def new_ticket(actor, **overrides) -> Ticket:
    """A phone ticket about ponding (道路积水, 城管局), not auto-dispatched unless asked."""
    kwargs = {
        "source": "phone",
        "ticket_type": "complaint",
        "subject_code": "03.02.05",
        "auto_dispatch": False,
        **TEXT,
    }
    kwargs.update(overrides)
    return services.ticket_create(actor=actor, **kwargs)


def dispatched_ticket(operator, department_code: str = "cgj", **overrides) -> Ticket:
    ticket = new_ticket(operator, **overrides)
    return services.ticket_dispatch(
        ticket.ticket_no, actor=operator, department_code=department_code
    )


def signed_ticket(operator, handler, department_code: str = "cgj", **overrides) -> Ticket:
    ticket = dispatched_ticket(operator, department_code, **overrides)
    return services.ticket_sign(ticket.ticket_no, actor=handler)


def replied_ticket(operator, handler, department_code: str = "cgj", solved=True, **overrides):
    ticket = signed_ticket(operator, handler, department_code, **overrides)
    return services.ticket_reply(
        ticket.ticket_no, actor=handler, reply="已安排排水车抽排，积水已清除。", solved=solved
    )


def fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)
