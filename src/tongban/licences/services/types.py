"""Licence types (证照类型): the field specification check shared by the admin and loaders."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed

from ..errors import LicenceErrorCode
from ..models import LicenceType

FIELD_TYPES = ("text", "date", "number", "choice")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
TYPE_CODE = re.compile(r"^[0-9A-Z]{1,32}$")


def _bad(message, **params) -> ValidationFailed:
    return ValidationFailed(LicenceErrorCode.INVALID_DATA, message, field="fields", **params)


def validate_fields_spec(fields: Any) -> list[dict[str, Any]]:
    """``[{"name", "label", "type", "required", "choices", "personal"}]`` checked and
    normalised; raises ValidationFailed naming the problem."""
    if not isinstance(fields, list):
        raise _bad(_("照面信息字段应为列表。"))
    seen: set[str] = set()
    clean = []
    for i, spec in enumerate(fields, start=1):
        if not isinstance(spec, dict):
            raise _bad(_("第 %(n)s 个字段应为对象。"), n=i)
        name = str(spec.get("name", ""))
        if not _NAME.match(name):
            raise _bad(_("第 %(n)s 个字段的 name 应为小写字母开头的英文标识。"), n=i)
        if name in seen:
            raise _bad(_("字段 %(name)s 重复。"), name=name)
        seen.add(name)
        kind = spec.get("type", "text")
        if kind not in FIELD_TYPES:
            raise _bad(
                _("字段 %(name)s 的类型应为 %(types)s 之一。"),
                name=name,
                types="/".join(FIELD_TYPES),
            )
        choices = spec.get("choices") or []
        if kind == "choice" and (
            not isinstance(choices, list) or not choices or not all(str(c) for c in choices)
        ):
            raise _bad(_("选项字段 %(name)s 需要至少一个选项。"), name=name)
        label = str(spec.get("label") or "").strip()
        if not label:
            raise _bad(_("字段 %(name)s 缺少显示名称（label）。"), name=name)
        row = {
            "name": name,
            "label": label,
            "type": kind,
            "required": bool(spec.get("required")),
            "personal": bool(spec.get("personal")),
        }
        if kind == "choice":
            row["choices"] = [str(c) for c in choices]
        clean.append(row)
    return clean


def licence_type_upsert(*, code: str, **values: Any) -> tuple[LicenceType, bool]:
    """Create or update the type ``code`` (demo and loaders); returns (type, created)."""
    if not TYPE_CODE.match(code or ""):
        raise ValidationFailed(
            LicenceErrorCode.INVALID_DATA,
            _("证照类型代码应为 1–32 位大写字母或数字。"),
            field="code",
        )
    if "fields" in values:
        values["fields"] = validate_fields_spec(values["fields"])
    with transaction.atomic():
        return LicenceType.objects.update_or_create(code=code, defaults=values)
