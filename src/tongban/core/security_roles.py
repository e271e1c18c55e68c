"""三权分立 (等保 level 3 安全管理中心): the system, security and audit administrators are three
different people. No account holds two of the three roles, and roles are granted and revoked by
the security administrator only, never to themselves; every grant, revocation and refusal is a
security event.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .errors import CoreErrorCode, DomainError, NotFound, PermissionDenied, ValidationFailed
from .models import StaffProfile, User
from .permissions import Perm, Role, clear_cache, require_perm
from .security import Kind, security_event_record
from .services.audit import audit
from .services.staff import _apply_roles, _check_separation

ADMINISTRATOR_ROLES = (Role.ADMINISTRATOR, Role.SECURITY_ADMINISTRATOR, Role.AUDIT_ADMINISTRATOR)


def check_separation(roles: Iterable[str]) -> None:
    """Refuse a set of roles holding two or more of the three administrator roles."""
    _check_separation(list(roles))


def _target(user_id: int) -> str:
    name = User.objects.filter(pk=user_id).values_list("username", flat=True).first()
    return f"user:{name or user_id}"


def _locked_staff(pk: int) -> User:
    user = User.objects.select_for_update().filter(pk=pk, is_active=True).first()
    if user is None or not StaffProfile.objects.filter(user=user).exists():
        raise NotFound(_("未找到该工作人员。"))
    return user


def _change(*, actor: User, user_id: int, role: str, grant: bool, request=None) -> User:
    kind = Kind.ROLE_GRANTED if grant else Kind.ROLE_REVOKED
    try:
        require_perm(actor, Perm.ROLE_ASSIGN)
        if role not in Role.values:
            raise ValidationFailed(
                CoreErrorCode.INVALID_INPUT,
                _("角色：未知的角色 %(roles)s。"),
                field="role",
                roles=str(role)[:40],
            )
        if actor.pk == user_id:
            raise PermissionDenied(_("不能给自己分配或撤销角色，请由另一名安全管理员办理。"))
        with transaction.atomic():
            user = _locked_staff(user_id)
            before = sorted(user.groups.values_list("name", flat=True))
            roles = set(before) & set(Role.values)
            if grant:
                if role in roles:
                    return user
                roles.add(role)
                check_separation(roles)
            else:
                if role not in roles:
                    return user
                roles.discard(role)
            _apply_roles(user, sorted(roles))
            audit(
                stream=f"user:{user.pk}",
                action="roles_changed",
                actor=actor,
                payload={"from": before, "to": sorted(roles)},
            )
            security_event_record(
                kind=kind,
                request=request,
                actor=actor,
                target=f"user:{user.get_username()}",
                detail={"role": role, "from": before, "to": sorted(roles)},
            )
    except DomainError as exc:
        security_event_record(
            kind=Kind.ROLE_REFUSED,
            request=request,
            actor=actor,
            target=_target(user_id),
            success=False,
            detail={"role": str(role)[:40], "grant": grant, "code": str(exc.code)},
        )
        raise
    clear_cache(user)
    return user


def role_grant(*, actor: User, user_id: int, role: str, request=None) -> User:
    """Give a staff member one more role (the security administrator's work)."""
    return _change(actor=actor, user_id=user_id, role=role, grant=True, request=request)


def role_revoke(*, actor: User, user_id: int, role: str, request=None) -> User:
    """Take one role from a staff member (the security administrator's work)."""
    return _change(actor=actor, user_id=user_id, role=role, grant=False, request=request)
