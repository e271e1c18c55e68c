"""Roles and permissions: the one place that says who may do what.

Roles are Django groups named by ``Role`` slugs; permissions are the enumerated ``Perm`` slugs
below, granted to roles by ``ROLE_PERMISSIONS``. Services and views call ``has_perm`` /
``require_perm``; nothing else decides access. Later apps add their permissions here.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .errors import PermissionDenied


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("综合窗口人员")
    REVIEWER = "reviewer", _("审查人员")
    APPROVER = "approver", _("批准人员")
    HOTLINE_OPERATOR = "hotline_operator", _("12345 话务员")
    HANDLER = "handler", _("承办单位人员")
    GRID_WORKER = "grid_worker", _("网格员")
    SUPERVISOR = "supervisor", _("监察督办人员")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    ADMINISTRATOR = "administrator", _("系统管理员")
    SECURITY_ADMINISTRATOR = "security_administrator", _("安全管理员")
    AUDIT_ADMINISTRATOR = "audit_administrator", _("审计管理员")


class Perm(models.TextChoices):
    CONSOLE_ACCESS = "console.access", _("进入工作台")
    IDENTITY_VIEW_FULL = "identity.view_full", _("查看完整身份证号和电话")
    PERSONAL_DATA_AUDIT = "personal_data.audit", _("查询个人信息访问记录")
    CASE_ACCEPT = "case.accept", _("受理办件")
    CASE_REVIEW = "case.review", _("审查办件")
    CASE_APPROVE = "case.approve", _("批准办件")
    TICKET_CREATE = "ticket.create", _("登记工单")
    TICKET_DISPATCH = "ticket.dispatch", _("派发工单")
    TICKET_HANDLE = "ticket.handle", _("办理工单")
    TICKET_ARBITRATE = "ticket.arbitrate", _("审核退单和延期、指定承办单位")
    TICKET_CALLBACK = "ticket.callback", _("回访和重办工单")
    KNOWLEDGE_EDIT = "knowledge.edit", _("编写知识库条目")
    KNOWLEDGE_REVIEW = "knowledge.review", _("审核发布知识库条目")
    GRID_REPORT = "grid.report", _("上报网格事件")
    GRID_MANAGE = "grid.manage", _("管理网格、网格边界和网格员")
    SUPERVISION_VIEW = "supervision.view", _("查看电子监察")
    RECTIFICATION_HANDLE = "rectification.handle", _("办理差评整改（查看评价人联系方式须留痕）")
    RECTIFICATION_REVIEW = "rectification.review", _("审核差评整改、申诉复核")
    SUPERVISION_URGE = "supervision.urge", _("催办督办")
    LICENCE_ISSUE = "licence.issue", _("制发、换发和注销电子证照")
    LICENCE_VIEW = "licence.view", _("查阅电子证照（须有持证人授权）")
    LICENCE_MANAGE = "licence.manage", _("配置证照类型、印章和签名密钥")
    RULES_EDIT = "rules.edit", _("编写审批规则、数据连接器和政策")
    RULES_ACTIVATE = "rules.activate", _("回放并启用规则集")
    CONFIG_MANAGE = "config.manage", _("配置区划、部门、事项")
    CALENDAR_MANAGE = "calendar.manage", _("维护工作日历")
    STAFF_MANAGE = "staff.manage", _("创建和停用工作人员账号（角色由安全管理员授予）")
    HALL_CALL = "hall.call", _("大厅窗口签到、叫号和查看预约")
    HALL_MANAGE = "hall.manage", _("配置大厅窗口、分组和开放时间")
    LOCKER_MANAGE = "locker.manage", _("自助取件柜存件、取出和转邮寄")
    ROLE_ASSIGN = "security.roles", _("分配和撤销工作人员角色")
    TWO_FACTOR_RESET = "security.two_factor_reset", _("重置工作人员的双因素认证")
    SECURITY_SETTINGS_VIEW = "security.settings", _("查看密钥状态、限流和安全设置")
    AUDIT_VIEW = "audit.view", _("查阅和导出安全审计日志")


class Scope(models.TextChoices):
    """The data a staff member sees (数据范围): everything, their department, or their region."""

    ALL = "all", _("全部")
    DEPARTMENT = "department", _("本部门")
    REGION = "region", _("本辖区")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.WINDOW_CLERK: frozenset(
        {
            Perm.CONSOLE_ACCESS,
            Perm.IDENTITY_VIEW_FULL,
            Perm.CASE_ACCEPT,
            Perm.LICENCE_VIEW,
            Perm.LOCKER_MANAGE,
            Perm.HALL_CALL,
        }
    ),
    Role.REVIEWER: frozenset(
        {Perm.CONSOLE_ACCESS, Perm.IDENTITY_VIEW_FULL, Perm.CASE_REVIEW, Perm.LICENCE_VIEW}
    ),
    Role.APPROVER: frozenset(
        {
            Perm.CONSOLE_ACCESS,
            Perm.IDENTITY_VIEW_FULL,
            Perm.CASE_REVIEW,
            Perm.CASE_APPROVE,
            Perm.LICENCE_ISSUE,
            Perm.LICENCE_VIEW,
        }
    ),
    Role.HOTLINE_OPERATOR: frozenset(
        {
            Perm.CONSOLE_ACCESS,
            Perm.TICKET_CREATE,
            Perm.TICKET_DISPATCH,
            Perm.TICKET_ARBITRATE,
            Perm.TICKET_CALLBACK,
            Perm.KNOWLEDGE_EDIT,
            Perm.KNOWLEDGE_REVIEW,
        }
    ),
    Role.HANDLER: frozenset(
        {Perm.CONSOLE_ACCESS, Perm.TICKET_HANDLE, Perm.KNOWLEDGE_EDIT, Perm.RECTIFICATION_HANDLE}
    ),
    Role.GRID_WORKER: frozenset({Perm.CONSOLE_ACCESS, Perm.GRID_REPORT}),
    Role.SUPERVISOR: frozenset(
        {
            Perm.CONSOLE_ACCESS,
            Perm.SUPERVISION_VIEW,
            Perm.SUPERVISION_URGE,
            Perm.RECTIFICATION_REVIEW,
            Perm.PERSONAL_DATA_AUDIT,
        }
    ),
    Role.DEPARTMENT_HEAD: frozenset(
        {Perm.CONSOLE_ACCESS, Perm.SUPERVISION_VIEW, Perm.RECTIFICATION_HANDLE}
    ),
    Role.ADMINISTRATOR: frozenset(
        {
            Perm.CONSOLE_ACCESS,
            Perm.IDENTITY_VIEW_FULL,
            Perm.CONFIG_MANAGE,
            Perm.CALENDAR_MANAGE,
            Perm.LICENCE_MANAGE,
            Perm.RULES_EDIT,
            Perm.RULES_ACTIVATE,
            Perm.STAFF_MANAGE,
            Perm.HALL_MANAGE,
            Perm.GRID_MANAGE,
        }
    ),
    # 三权分立 (等保 level 3): the security and audit administrators do nothing but their own
    # work; no account holds two of the three administrator roles (core/security_roles.py).
    Role.SECURITY_ADMINISTRATOR: frozenset(
        {
            Perm.CONSOLE_ACCESS,
            Perm.ROLE_ASSIGN,
            Perm.TWO_FACTOR_RESET,
            Perm.SECURITY_SETTINGS_VIEW,
        }
    ),
    Role.AUDIT_ADMINISTRATOR: frozenset(
        {Perm.CONSOLE_ACCESS, Perm.AUDIT_VIEW, Perm.PERSONAL_DATA_AUDIT}
    ),
}

# Roles whose data scope is wider than their own department.
ROLE_SCOPES: dict[str, str] = {
    Role.SUPERVISOR: Scope.ALL,
    Role.ADMINISTRATOR: Scope.ALL,
    Role.HOTLINE_OPERATOR: Scope.ALL,
    Role.GRID_WORKER: Scope.REGION,
}
_SCOPE_ORDER = [Scope.DEPARTMENT, Scope.REGION, Scope.ALL]


def roles_of(user) -> frozenset[str]:
    """The role slugs of an active staff member (empty for applicants and anonymous users)."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_tongban_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(names & set(Role.values))
        user._tongban_roles = cached
    return cached


def permissions_of(user) -> frozenset[str]:
    perms: set[str] = set()
    for role in roles_of(user):
        perms |= ROLE_PERMISSIONS[role]
    return frozenset(perms)


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def has_perm(user, perm: str) -> bool:
    return perm in permissions_of(user)


def require_perm(user, perm: str) -> None:
    """Raise ``PermissionDenied`` unless the user holds the permission."""
    if not has_perm(user, perm):
        raise PermissionDenied()


def is_staff_member(user) -> bool:
    return has_perm(user, Perm.CONSOLE_ACCESS)


def scope_of(user) -> str:
    """The widest data scope among the user's roles (本部门 when none widens it)."""
    scopes = [ROLE_SCOPES.get(role, Scope.DEPARTMENT) for role in roles_of(user)]
    if not scopes:
        return Scope.DEPARTMENT
    return max(scopes, key=_SCOPE_ORDER.index)


def clear_cache(user) -> None:
    if hasattr(user, "_tongban_roles"):
        del user._tongban_roles
