from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..errors import CoreErrorCode, ValidationFailed
from ..identifiers import (
    birth_date_from_id,
    gender_from_id,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from ..models import Enterprise, EnterpriseAuthorisation, Person, Region, User
from ..models.people import AuthorisationRole


def _name(value: str, label) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("%(label)s：不能为空。"), field="name", label=label
        )
    return value


def person_register(
    *,
    name: str,
    id_number: str,
    phone: str = "",
    address: str = "",
    household_region: Region | None = None,
) -> Person:
    """Register a natural person once; the same ID number twice is refused."""
    name = _name(name, _("姓名"))
    id_number = validate_id_number(id_number)
    phone = validate_phone(phone) if phone else ""
    try:
        with transaction.atomic():
            return Person.objects.create(
                name=name,
                id_number=id_number,
                phone=phone,
                address=address,
                birth_date=birth_date_from_id(id_number),
                gender=gender_from_id(id_number),
                household_region=household_region,
            )
    except IntegrityError:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE, _("身份证号码：该证件号码已登记。"), field="id_number"
        ) from None


def enterprise_register(
    *,
    name: str,
    credit_code: str,
    legal_representative: Person | None = None,
    address: str = "",
    phone: str = "",
    region: Region | None = None,
) -> Enterprise:
    name = _name(name, _("名称"))
    credit_code = validate_credit_code(credit_code)
    phone = validate_phone(phone) if phone else ""
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(
                name=name,
                credit_code=credit_code,
                legal_representative=legal_representative,
                address=address,
                phone=phone,
                region=region,
            )
            if legal_representative is not None:
                EnterpriseAuthorisation.objects.create(
                    person=legal_representative,
                    enterprise=enterprise,
                    role=AuthorisationRole.LEGAL_REPRESENTATIVE,
                    valid_from=timezone.localdate(),  # the business date, Asia/Shanghai
                )
            return enterprise
    except IntegrityError:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE, _("统一社会信用代码：该代码已登记。"), field="credit_code"
        ) from None


def enterprise_authorise(
    *,
    person: Person,
    enterprise: Enterprise,
    role: str = AuthorisationRole.MANAGER,
    valid_from: dt.date,
    valid_until: dt.date | None = None,
) -> EnterpriseAuthorisation:
    if role not in AuthorisationRole.values:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("身份：不是可选的授权身份。"), field="role"
        )
    if valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(
            CoreErrorCode.INVALID_DATE, _("失效日期：不能早于生效日期。"), field="valid_until"
        )
    auth, _created = EnterpriseAuthorisation.objects.update_or_create(
        person=person,
        enterprise=enterprise,
        defaults={
            "role": role,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "revoked_at": None,
        },
    )
    return auth


def applicant_account_create(*, username: str, password: str, person: Person) -> User:
    """A login for a person who applies online (申请人账号)."""
    username = (username or "").strip()
    if not username:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("用户名：不能为空。"), field="username"
        )
    if person.user_id:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE, _("申请人账号：此人已有账号。"), field="person"
        )
    user = User(username=username, display_name=person.name)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT,
            _("密码：%(problem)s"),
            field="password",
            problem=" ".join(exc.messages),
        ) from None
    try:
        with transaction.atomic():
            user.set_password(password)
            user.save()
            person.user = user
            person.save(update_fields=["user"])
    except IntegrityError:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE,
            _("用户名：%(name)s 已被使用。"),
            field="username",
            name=username,
        ) from None
    return user
