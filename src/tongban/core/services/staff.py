from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..errors import CoreErrorCode, ValidationFailed
from ..identifiers import validate_phone
from ..models import Department, StaffProfile, User
from ..permissions import Perm, Role, clear_cache, require_perm
from .audit import audit


def _check_roles(roles: Iterable[str]) -> list[str]:
    roles = list(dict.fromkeys(roles))
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT,
            _("角色：未知的角色 %(roles)s。"),
            field="roles",
            roles=", ".join(unknown),
        )
    _check_separation(roles)
    return roles


def _check_separation(roles: list[str]) -> None:
    """三权分立: no account holds two of the three administrator roles (core/security_roles.py)."""
    held = [
        r
        for r in (Role.ADMINISTRATOR, Role.SECURITY_ADMINISTRATOR, Role.AUDIT_ADMINISTRATOR)
        if r in roles
    ]
    if len(held) > 1:
        raise ValidationFailed(
            CoreErrorCode.ROLE_CONFLICT,
            _("角色：%(roles)s 须由不同的人担任（三权分立），同一账号不能兼任。"),
            field="roles",
            roles="、".join(str(Role(r).label) for r in held),
        )


def _apply_roles(user: User, roles: list[str]) -> None:
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    user.groups.set(groups)
    # The administrator role opens the configuration site (/admin/).
    is_admin = Role.ADMINISTRATOR in roles
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    clear_cache(user)


def staff_create(
    *,
    username: str,
    password: str,
    display_name: str,
    department: Department,
    roles: Iterable[str],
    employee_no: str = "",
    title: str = "",
    phone: str = "",
    actor: User | None = None,
) -> User:
    """A staff member bound to one department, with one or more roles."""
    if actor is not None:
        require_perm(actor, Perm.STAFF_MANAGE)
    roles = _check_roles(roles)
    phone = validate_phone(phone) if phone else ""
    user = User(username=(username or "").strip(), display_name=display_name)
    if not user.username:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("用户名：不能为空。"), field="username"
        )
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
            StaffProfile.objects.create(
                user=user,
                department=department,
                employee_no=employee_no,
                title=title,
                phone=phone,
            )
            _apply_roles(user, roles)
            audit(
                stream=f"user:{user.pk}",
                action="staff_created",
                actor=actor,
                payload={"department": department.code, "roles": roles},
            )
    except IntegrityError:
        raise ValidationFailed(
            CoreErrorCode.DUPLICATE,
            _("用户名：%(name)s 已被使用。"),
            field="username",
            name=user.username,
        ) from None
    return user


def staff_set_roles(*, actor: User | None, user: User, roles: Iterable[str]) -> User:
    if actor is not None:
        require_perm(actor, Perm.STAFF_MANAGE)
    roles = _check_roles(roles)
    with transaction.atomic():
        before = sorted(user.groups.values_list("name", flat=True))
        _apply_roles(user, roles)
        audit(
            stream=f"user:{user.pk}",
            action="roles_changed",
            actor=actor,
            payload={"from": before, "to": sorted(roles)},
        )
    return user
