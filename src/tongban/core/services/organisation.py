from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .. import addresses
from ..errors import CoreErrorCode, ValidationFailed
from ..identifiers import region_level_for_code, validate_credit_code, validate_region_code
from ..models import Department, Region
from ..models.regions import DepartmentKind, RegionLevel

_PARENT_LEVEL = {
    RegionLevel.STREET: RegionLevel.DISTRICT,
    RegionLevel.COMMUNITY: RegionLevel.STREET,
}


def _require_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(CoreErrorCode.INVALID_INPUT, _("名称：不能为空。"), field=field)
    return name


def region_create(*, code: str, name: str, parent: Region | None = None) -> Region:
    """A district (no parent), street/town (parent a district) or community (parent a street)."""
    name = _require_name(name)
    code = validate_region_code(code, parent_code=parent.code if parent else None)
    level = region_level_for_code(code)
    expected_parent = _PARENT_LEVEL.get(level)
    if (parent is None) != (expected_parent is None) or (
        parent is not None and parent.level != expected_parent
    ):
        raise ValidationFailed(
            CoreErrorCode.INVALID_REGION_CODE,
            _("上级区划：街道/镇应属于区县，社区/村应属于街道/镇，区县没有上级。"),
            field="parent",
        )
    try:
        with transaction.atomic():
            region = Region.objects.create(code=code, name=name, level=level, parent=parent)
    except IntegrityError:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE, _("区划代码：%(value)s 已存在。"), field="code", value=code
        ) from None
    # this process resolves addresses against the new region at once (others within seconds)
    transaction.on_commit(addresses.invalidate)
    addresses.invalidate()
    return region


def department_create(
    *,
    code: str,
    name: str,
    region: Region,
    kind: str = DepartmentKind.BUREAU,
    parent: Department | None = None,
    short_name: str = "",
    credit_code: str = "",
    phone: str = "",
    address: str = "",
) -> Department:
    name = _require_name(name)
    if kind not in DepartmentKind.values:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("类型：不是可选的单位类型。"), field="kind"
        )
    if credit_code:
        credit_code = validate_credit_code(credit_code)
    try:
        with transaction.atomic():
            return Department.objects.create(
                code=code,
                name=name,
                region=region,
                kind=kind,
                parent=parent,
                short_name=short_name,
                credit_code=credit_code,
                phone=phone,
                address=address,
            )
    except IntegrityError:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE, _("单位编码：%(value)s 已存在。"), field="code", value=code
        ) from None
