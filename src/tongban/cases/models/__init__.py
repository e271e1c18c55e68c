from .case import ApplicantBar, Case, CaseNumberCounter, Channel, DeliveryMethod
from .events import CaseEvent
from .materials import CaseMaterial, MaterialStatus
from .procedure import ItemProcedure, ReviewTask, TaskStatus

__all__ = [
    "ApplicantBar",
    "Case",
    "CaseEvent",
    "CaseMaterial",
    "CaseNumberCounter",
    "Channel",
    "DeliveryMethod",
    "ItemProcedure",
    "MaterialStatus",
    "ReviewTask",
    "TaskStatus",
]
