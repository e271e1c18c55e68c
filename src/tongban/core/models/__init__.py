from .calendar import CalendarOverride, CalendarYear
from .events import AuditEvent, ChainedEvent, EventChainHead
from .notifications import Notification, StaffNotice
from .people import Enterprise, EnterpriseAuthorisation, Person
from .regions import Department, Region
from .scheduling import RunStatus, ScheduledRun
from .staff import StaffProfile, User
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditEvent",
    "CalendarOverride",
    "CalendarYear",
    "ChainedEvent",
    "Department",
    "Enterprise",
    "EnterpriseAuthorisation",
    "EventChainHead",
    "Notification",
    "Person",
    "Region",
    "RunStatus",
    "ScheduledRun",
    "StaffNotice",
    "StaffProfile",
    "User",
]
