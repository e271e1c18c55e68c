"""三权分立 (等保 level 3 安全管理中心): the system, security and audit administrators are three
different people. No account holds two of the three roles, and roles are granted and revoked by
the security administrator only, never to themselves; every grant, revocation and refusal is a
security event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

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


def _unknown(roles: Iterable[str], field: str) -> ValidationFailed | None:
    unknown = [str(r)[:40] for r in roles if r not in Role.values]
    if not unknown:
        return None
    return ValidationFailed(
        CoreErrorCode.INVALID_INPUT,
        _("角色：未知的角色 %(roles)s。"),
        field=field,
        roles=", ".join(unknown),
    )


def _change(
    *,
    actor: User,
    user_id: int,
    wanted: Callable[[set[str]], set[str]],
    refused_detail: dict,
    request=None,
) -> User:
    """Lock the staff member, compute the new role set from the held one, check 三权分立, apply,
    and record one event per role granted or revoked (one ``role_refused`` on refusal)."""
    try:
        require_perm(actor, Perm.ROLE_ASSIGN)
        if actor.pk == user_id:
            raise PermissionDenied(_("不能给自己分配或撤销角色，请由另一名安全管理员办理。"))
        with transaction.atomic():
            user = _locked_staff(user_id)
            before = sorted(user.groups.values_list("name", flat=True))
            held = set(before) & set(Role.values)
            roles = wanted(held)
            if roles == held:
                return user
            check_separation(roles)
            _apply_roles(user, sorted(roles))
            audit(
                stream=f"user:{user.pk}",
                action="roles_changed",
                actor=actor,
                payload={"from": before, "to": sorted(roles)},
            )
            changes = [(Kind.ROLE_GRANTED, r) for r in sorted(roles - held)]
            changes += [(Kind.ROLE_REVOKED, r) for r in sorted(held - roles)]
            for kind, role in changes:
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
            detail={**refused_detail, "code": str(exc.code)},
        )
        raise
    clear_cache(user)
    return user


def _one(role: str, *, grant: bool) -> Callable[[set[str]], set[str]]:
    error = _unknown([role], "role")

    def wanted(held: set[str]) -> set[str]:
        if error is not None:
            raise error
        return held | {role} if grant else held - {role}

    return wanted


def role_grant(*, actor: User, user_id: int, role: str, request=None) -> User:
    """Give a staff member one more role (the security administrator's work)."""
    return _change(
        actor=actor,
        user_id=user_id,
        wanted=_one(role, grant=True),
        refused_detail={"role": str(role)[:40], "grant": True},
        request=request,
    )


def role_revoke(*, actor: User, user_id: int, role: str, request=None) -> User:
    """Take one role from a staff member (the security administrator's work)."""
    return _change(
        actor=actor,
        user_id=user_id,
        wanted=_one(role, grant=False),
        refused_detail={"role": str(role)[:40], "grant": False},
        request=request,
    )


def role_set(*, actor: User, user_id: int, roles: Iterable[str], request=None) -> User:
    """Give a staff member exactly these roles (the security administrator's work): one
    ``role_granted`` / ``role_revoked`` event per role that changes."""
    roles = list(dict.fromkeys(str(r) for r in roles))
    error = _unknown(roles, "roles")

    def wanted(held: set[str]) -> set[str]:
        if error is not None:
            raise error
        return set(roles)

    return _change(
        actor=actor,
        user_id=user_id,
        wanted=wanted,
        refused_detail={"roles": [r[:40] for r in roles[:20]]},
        request=request,
    )
