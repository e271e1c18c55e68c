"""The demo district 云溪区 (fictional): regions, departments, staff of every role, applicants.

``load`` is idempotent: it creates what is missing and leaves what exists untouched, so a
second run changes nothing. Later apps add their demo data in their own ``demo.py`` module with
a ``load(out)`` function; the ``demo load`` command calls them in INSTALLED_APPS order.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from stdnum.cn import uscc

from .models import Department, Enterprise, Person, Region, User
from .models.regions import DepartmentKind
from .permissions import Role
from .services import (
    applicant_account_create,
    department_create,
    enterprise_register,
    person_register,
    region_create,
    staff_create,
)

DISTRICT = ("330199", "云溪区")
STREETS = [
    ("330199001", "云溪街道", ["云溪社区", "望湖社区", "桂花社区", "学府社区"]),
    ("330199002", "东湖街道", ["东湖社区", "湖滨社区", "新塘社区", "春晖社区"]),
    ("330199003", "西岭街道", ["西岭社区", "松林社区", "枫桥社区", "翠苑社区"]),
    ("330199004", "南塘街道", ["南塘社区", "运河社区", "锦绣社区", "和睦社区"]),
    ("330199100", "青石镇", ["青石村", "石桥村", "茶园村", "竹溪村"]),
    ("330199101", "白沙镇", ["白沙村", "沙洲村", "渔港村", "杏花村"]),
]

# (code, name, short name, kind, parent code)
DISTRICT_DEPARTMENTS = [
    ("xzsp", "云溪区行政审批服务局", "审批局", DepartmentKind.BUREAU, None),
    ("zwzx", "云溪区政务服务中心", "政务服务中心", DepartmentKind.SERVICE_CENTRE, "xzsp"),
    (
        "rx12345",
        "云溪区12345政务服务便民热线中心",
        "12345热线",
        DepartmentKind.HOTLINE_CENTRE,
        None,
    ),
    ("scjg", "云溪区市场监督管理局", "市场监管局", DepartmentKind.BUREAU, None),
    ("rsj", "云溪区人力资源和社会保障局", "人社局", DepartmentKind.BUREAU, None),
    ("mzj", "云溪区民政局", "民政局", DepartmentKind.BUREAU, None),
    ("wjw", "云溪区卫生健康委员会", "卫健委", DepartmentKind.BUREAU, None),
    ("jyj", "云溪区教育局", "教育局", DepartmentKind.BUREAU, None),
    ("zjj", "云溪区住房和城乡建设局", "住建局", DepartmentKind.BUREAU, None),
    ("jtj", "云溪区交通运输局", "交通运输局", DepartmentKind.BUREAU, None),
    ("cgj", "云溪区城市管理局", "城管局", DepartmentKind.BUREAU, None),
    ("ybj", "云溪区医疗保障局", "医保局", DepartmentKind.BUREAU, None),
    ("tyjr", "云溪区退役军人事务局", "退役军人局", DepartmentKind.BUREAU, None),
    ("gaj", "云溪市公安局云溪分局", "公安分局", DepartmentKind.BUREAU, None),
    ("sthj", "云溪市生态环境局云溪分局", "生态环境分局", DepartmentKind.BUREAU, None),
    ("zrzy", "云溪市自然资源和规划局云溪分局", "自然资源分局", DepartmentKind.BUREAU, None),
    ("sjj", "云溪区数据资源管理局", "数据局", DepartmentKind.BUREAU, None),
]

# (username, display name, department code, roles)
STAFF = [
    ("admin", "系统管理员", "sjj", [Role.ADMINISTRATOR]),
    ("secadmin", "钱安全", "sjj", [Role.SECURITY_ADMINISTRATOR]),
    ("auditor", "冯审计", "sjj", [Role.AUDIT_ADMINISTRATOR]),
    ("clerk", "林窗口", "zwzx", [Role.WINDOW_CLERK]),
    ("clerk_yx", "周便民", "yx-street-330199001", [Role.WINDOW_CLERK]),
    ("reviewer", "陈审查", "scjg", [Role.REVIEWER]),
    ("approver", "刘批准", "scjg", [Role.APPROVER]),
    ("reviewer_mz", "吴审查", "mzj", [Role.REVIEWER]),
    ("approver_mz", "郑批准", "mzj", [Role.APPROVER]),
    ("operator", "孙话务", "rx12345", [Role.HOTLINE_OPERATOR]),
    ("handler", "何承办", "cgj", [Role.HANDLER]),
    ("handler_street", "马承办", "yx-street-330199001", [Role.HANDLER]),
    ("grid", "高网格", "yx-station-330199001001", [Role.GRID_WORKER]),
    ("supervisor", "黄监察", "xzsp", [Role.SUPERVISOR]),
    ("head_scjg", "赵局长", "scjg", [Role.DEPARTMENT_HEAD]),
]

# (username or None, name, ID number, phone, address)
APPLICANTS = [
    ("zhangxm", "张晓明", "330106198807150031", "13905710001", "云溪区云溪街道学府路 18 号"),
    ("lichm", "李春梅", "330102199203040041", "13905710002", "云溪区东湖街道湖滨路 6 号"),
    ("wangjg", "王建国", "330100194801010111", "13905710003", "云溪区西岭街道松林路 21 号"),
    ("zhaolei", "赵磊", "330105200109090055", "13905710004", "云溪区南塘街道运河路 3 号"),
    (None, "陈秀英", "330100195603120023", "13905710005", "云溪区青石镇青石村 12 号"),
]

ENTERPRISE = ("云溪示范科技有限公司", "91330199MA2CXY8K1J", "zhangxm")


def _government_credit_code(index: int) -> str:
    """A well-formed fictional credit code of a government body (11 = 机关) in the district."""
    body = f"11{DISTRICT[0]}{index:08d}0"[:17]
    return body + uscc.calc_check_digit(body + "0")


class _Counter:
    def __init__(self):
        self.created: dict[str, int] = {}

    def add(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _regions(c: _Counter) -> None:
    district = Region.objects.filter(code=DISTRICT[0]).first()
    if district is None:
        district = region_create(code=DISTRICT[0], name=DISTRICT[1])
        c.add("regions")
    for s_code, s_name, communities in STREETS:
        street = Region.objects.filter(code=s_code).first()
        if street is None:
            street = region_create(code=s_code, name=s_name, parent=district)
            c.add("regions")
        first = 1 if s_code[6] == "0" else 200
        for i, name in enumerate(communities):
            code = f"{s_code}{first + i:03d}"
            if not Region.objects.filter(code=code).exists():
                region_create(code=code, name=name, parent=street)
                c.add("regions")


def _departments(c: _Counter) -> None:
    district = Region.objects.get(code=DISTRICT[0])
    for index, (code, name, short, kind, parent) in enumerate(DISTRICT_DEPARTMENTS, start=1):
        if Department.objects.filter(code=code).exists():
            continue
        department_create(
            code=code,
            name=name,
            short_name=short,
            kind=kind,
            region=district,
            parent=Department.objects.get(code=parent) if parent else None,
            credit_code=_government_credit_code(index),
            phone="0571-8800" + f"{index:04d}",
            address=f"云溪区市民中心 {index} 号楼",
        )
        c.add("departments")
    for s_code, s_name, _communities in STREETS:
        code = f"yx-street-{s_code}"
        if not Department.objects.filter(code=code).exists():
            department_create(
                code=code,
                name=f"{s_name}便民服务中心",
                short_name=s_name,
                kind=DepartmentKind.SERVICE_CENTRE,
                region=Region.objects.get(code=s_code),
            )
            c.add("departments")
    for station in ("330199001001", "330199100200"):
        code = f"yx-station-{station}"
        if not Department.objects.filter(code=code).exists():
            region = Region.objects.get(code=station)
            department_create(
                code=code,
                name=f"{region.name}便民服务站",
                short_name=region.name,
                kind=DepartmentKind.SERVICE_STATION,
                region=region,
                parent=Department.objects.get(code=f"yx-street-{station[:9]}"),
            )
            c.add("departments")


def _staff(c: _Counter, password: str) -> None:
    for username, name, dept, roles in STAFF:
        if User.objects.filter(username=username).exists():
            continue
        staff_create(
            username=username,
            password=password,
            display_name=name,
            department=Department.objects.get(code=dept),
            roles=roles,
        )
        c.add("staff")


def _applicants(c: _Counter, password: str) -> None:
    households = {
        "云溪街道": "330199001",
        "东湖街道": "330199002",
        "西岭街道": "330199003",
        "南塘街道": "330199004",
        "青石镇": "330199100",
    }
    for username, name, id_number, phone, address in APPLICANTS:
        person = Person.objects.filter(id_number=id_number).first()
        if person is None:
            street = next(code for key, code in households.items() if key in address)
            person = person_register(
                name=name,
                id_number=id_number,
                phone=phone,
                address=address,
                household_region=Region.objects.get(code=street),
            )
            c.add("people")
        if (
            username
            and person.user_id is None
            and not User.objects.filter(username=username).exists()
        ):
            applicant_account_create(username=username, password=password, person=person)
            c.add("applicant accounts")
    name, code, representative = ENTERPRISE
    if not Enterprise.objects.filter(credit_code=code).exists():
        enterprise_register(
            name=name,
            credit_code=code,
            legal_representative=Person.objects.get(user__username=representative),
            address="云溪区云溪街道科创大道 88 号",
            phone="0571-88661234",
            region=Region.objects.get(code="330199001"),
        )
        c.add("enterprises")


def load(out: Callable[[str], None] = print) -> dict[str, int]:
    """Create the core part of the demo district; returns what was created."""
    c = _Counter()
    password = settings.TONGBAN_DEMO_PASSWORD
    with transaction.atomic():
        _regions(c)
        _departments(c)
        _staff(c, password)
        _applicants(c, password)
    if c.created:
        out("core: " + ", ".join(f"{n} {what}" for what, n in c.created.items()))
    else:
        out("core: nothing to do (already loaded)")
    return c.created


def users() -> list[tuple[str, str]]:
    """(role, username) of every demo account, staff roles first, then applicants."""
    rows: list[tuple[str, str]] = []
    for username, _name, _dept, roles in STAFF:
        rows.extend((str(role), username) for role in roles)
    rows.extend(("applicant", username) for username, *_rest in APPLICANTS if username)
    return rows
