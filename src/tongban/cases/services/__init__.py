"""Every change to a case."""

from .common import case_for_change
from .drafts import case_form_save, case_material_remove
from .lifecycle import (
    case_accept,
    case_create,
    case_create_or_replay,
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
    "case_create_or_replay",
    "case_decide",
    "case_deliver",
    "case_extend",
    "case_for_change",
    "case_form_save",
    "case_issue",
    "case_material_add",
    "case_material_remove",
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
