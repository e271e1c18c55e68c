from .approvals import SignerStatus, StepMode, StepOutcome, StepSigner, Vote

# [B] bundles, 容缺受理, 告知承诺制 (b1)
from .bundles import BundleCase, BundleEvent, BundleMaterial, BundleMember, BundlePolicy
from .case import ApplicantBar, Case, CaseNumberCounter, Channel, DeliveryMethod
from .commitments import (
    AcceptancePolicy,
    Commitment,
    CommitmentBar,
    Deferral,
    PostCheck,
    PostCheckStatus,
)
from .events import CaseEvent
from .materials import CaseMaterial, MaterialStatus
from .procedure import ItemProcedure, ReviewTask, TaskStatus

__all__ = [
    "AcceptancePolicy",
    "ApplicantBar",
    "BundleCase",
    "BundleEvent",
    "BundleMaterial",
    "BundleMember",
    "BundlePolicy",
    "Case",
    "CaseEvent",
    "CaseMaterial",
    "CaseNumberCounter",
    "Channel",
    "Commitment",
    "CommitmentBar",
    "Deferral",
    "DeliveryMethod",
    "ItemProcedure",
    "MaterialStatus",
    "PostCheck",
    "PostCheckStatus",
    "ReviewTask",
    "TaskStatus",
]
# Approval operations (会签/或签/票签/依次审批, 加签 …): models/approvals.py
__all__ += ["SignerStatus", "StepMode", "StepOutcome", "StepSigner", "Vote"]
