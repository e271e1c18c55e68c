"""Who may act on a case: its applicant (or their agent), any window clerk for acceptance
(一窗受理), and staff of the implementing department for review and decision."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core import selectors as core_selectors
from tongban.core.errors import PermissionDenied
from tongban.core.permissions import Perm, has_perm

from .models import Case


def is_applicant_side(user, case: Case) -> bool:
    uid = getattr(user, "pk", None)
    return uid is not None and (case.applicant.user_id == uid or case.agent_id == uid)


def in_department(user, case: Case) -> bool:
    staff = core_selectors.staff_profile_of(user)
    return staff is not None and staff.department_id == case.department_id


def require_applicant_side(user, case: Case) -> None:
    if not (is_applicant_side(user, case) or has_perm(user, Perm.CASE_ACCEPT)):
        raise PermissionDenied(_("只有申请人、其授权的代办人或综合窗口人员可以办理此操作。"))


def require_clerk(user) -> None:
    if not has_perm(user, Perm.CASE_ACCEPT):
        raise PermissionDenied(_("只有综合窗口人员可以受理申请。"))


def require_department(user, case: Case, perm: str) -> None:
    if not (has_perm(user, perm) and in_department(user, case)):
        raise PermissionDenied(_("只有实施部门中有此权限的工作人员可以办理此操作。"))


def can_view(user, case: Case) -> bool:
    if is_applicant_side(user, case):
        return True
    if has_perm(user, Perm.CASE_ACCEPT) or has_perm(user, Perm.SUPERVISION_VIEW):
        return True
    return (
        has_perm(user, Perm.CASE_REVIEW) or has_perm(user, Perm.CASE_APPROVE)
    ) and in_department(user, case)
