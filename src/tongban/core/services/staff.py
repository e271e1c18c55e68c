from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from ..errors import CoreErrorCode, NotFound, PermissionDenied, ValidationFailed
from ..identifiers import validate_phone
from ..models import Department, StaffProfile, User
from ..permissions import Perm, Role, clear_cache, require_perm
from ..security import Kind, security_event_record
from .audit import audit

ROLES_BY_SECURITY_ADMINISTRATOR = _(
    "角色由安全管理员授予（三权分立），系统管理员创建账号时不能指定角色。"
    "请先创建账号，再由安全管理员在“角色分配与双因素重置”页面授予。"
)


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


def _refuse_roles_from_the_system_administrator(
    actor: User, username: str, roles: list[str]
) -> None:
    security_event_record(
        kind=Kind.ROLE_REFUSED,
        actor=actor,
        target=f"user:{(username or '').strip()[:150]}",
        success=False,
        detail={"roles": roles[:20], "grant": True, "code": str(CoreErrorCode.PERMISSION_DENIED)},
    )
    raise PermissionDenied(ROLES_BY_SECURITY_ADMINISTRATOR)


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
    """A staff member bound to one department.

    Created by the system administrator (``actor``, ``staff.manage``) the account has no role:
    roles are the security administrator's to grant (core/security_roles.py, 三权分立), and a
    request with roles is refused (a ``role_refused`` security event). Without an actor (the
    demo loaders, set-up commands run on the server) the roles are given at once.
    """
    roles = list(roles)
    if actor is not None:
        require_perm(actor, Perm.STAFF_MANAGE)
        if roles:
            _refuse_roles_from_the_system_administrator(
                actor, username, [str(r)[:40] for r in roles]
            )
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


def staff_set_active(*, actor: User, user_id: int, active: bool) -> User:
    """Disable a staff account, or enable it again: the system administrator's work
    (``staff.manage``), never on their own account. A disabled account cannot sign in and its
    sessions stop working at once; it keeps its roles and is never deleted (audit records name
    it)."""
    require_perm(actor, Perm.STAFF_MANAGE)
    if actor.pk == user_id:
        raise PermissionDenied(_("不能停用或启用自己的账号，请由另一名系统管理员办理。"))
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id).first()
        if user is None or not StaffProfile.objects.filter(user=user).exists():
            raise NotFound(_("未找到该工作人员。"))
        if user.is_active == active:
            return user
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit(
            stream=f"user:{user.pk}",
            action="staff_enabled" if active else "staff_disabled",
            actor=actor,
            payload={},
        )
    clear_cache(user)
    return user
