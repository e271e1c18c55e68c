"""Every change to a case."""

from .lifecycle import (
    case_accept,
    case_create,
    case_extend,
    case_refuse,
    case_request_correction,
    case_resubmit,
    case_resume,
    case_submit,
    case_suspend,
    case_withdraw,
)
from .materials import case_material_add
from .review import (
    case_archive,
    case_decide,
    case_deliver,
    case_issue,
    task_claim,
    task_complete,
    task_release,
)

__all__ = [
    "case_accept",
    "case_archive",
    "case_create",
    "case_decide",
    "case_deliver",
    "case_extend",
    "case_issue",
    "case_material_add",
    "case_refuse",
    "case_request_correction",
    "case_resubmit",
    "case_resume",
    "case_submit",
    "case_suspend",
    "case_withdraw",
    "task_claim",
    "task_complete",
    "task_release",
]
