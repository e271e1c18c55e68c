"""factory-boy factories for core. Valid identifiers are computed, never hand-typed."""

from __future__ import annotations

import datetime as dt

import factory
from stdnum.cn import ric, uscc

from tongban.core.models import Department, Enterprise, Person, Region, StaffProfile, User
from tongban.core.models.regions import DepartmentKind, RegionLevel
from tongban.core.permissions import Role
from tongban.core.services.staff import _apply_roles


def make_id_number(seq: int, *, birth: dt.date = dt.date(1985, 6, 20), male: bool = True) -> str:
    """A valid resident ID number (birthplace 330106, 西湖区) with a unique sequence code."""
    order = (seq * 2 + (1 if male else 0)) % 1000
    body = f"330106{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_credit_code(seq: int, *, kind: str = "91") -> str:
    body = f"{kind}330199{seq:09d}"[:17]
    return body + uscc.calc_check_digit(body + "0")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "330199"
    name = "云溪区"
    level = RegionLevel.DISTRICT
    parent = None


class StreetFactory(RegionFactory):
    code = factory.Sequence(lambda n: f"330199{n % 900 + 1:03d}")
    name = factory.Sequence(lambda n: f"测试街道{n}")
    level = RegionLevel.STREET
    parent = factory.SubFactory(RegionFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    kind = DepartmentKind.BUREAU
    region = factory.SubFactory(RegionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_staff(*roles: str, department: Department | None = None, username: str | None = None):
    """A staff member with the given roles (Role slugs) in a department."""
    user = UserFactory(**({"username": username} if username else {}))
    StaffProfile.objects.create(user=user, department=department or DepartmentFactory())
    _apply_roles(user, [Role(r) for r in roles])
    return user


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试人{n}")
    id_number = factory.Sequence(lambda n: make_id_number(n))
    birth_date = dt.date(1985, 6, 20)
    gender = factory.LazyAttribute(lambda o: "male" if int(o.id_number[16]) % 2 else "female")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.Sequence(lambda n: make_credit_code(n))


# ---------------------------------------------------------------- selfservice (lockers, kiosks)


def make_locker_bank(code: str = "A", *, compartments: int = 4, name: str | None = None):
    """A locker bank with numbered compartments (1 … n)."""
    from tongban.selfservice.models import Compartment, LockerBank

    bank = LockerBank.objects.create(
        code=code, name=name or f"{code}号取件柜", location="一楼大厅东侧"
    )
    Compartment.objects.bulk_create(
        Compartment(bank=bank, number=n) for n in range(1, compartments + 1)
    )
    return bank


def make_kiosk(code: str = "k1", *, hall=None, name: str = "一楼自助终端 1 号"):
    from tongban.selfservice.models import Kiosk

    return Kiosk.objects.create(code=code, name=name, location="一楼", hall=hall)
