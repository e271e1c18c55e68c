from .calendar import CalendarOverride, CalendarYear
from .events import AuditEvent, ChainedEvent, EventChainHead
from .notifications import Notification, StaffNotice
from .people import Enterprise, EnterpriseAuthorisation, Person
from .personal_data import FIELD_LABELS, AccessPurpose, AccessSubject, PersonalDataAccess
from .regions import Department, Region
from .scheduling import RunStatus, ScheduledRun
from .security import RecoveryCode, SecurityEvent, SecurityEventKind
from .staff import StaffProfile, User
from .tokens import ApiToken

__all__ = [
    "FIELD_LABELS",
    "AccessPurpose",
    "AccessSubject",
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
    "PersonalDataAccess",
    "RecoveryCode",
    "Region",
    "RunStatus",
    "ScheduledRun",
    "SecurityEvent",
    "SecurityEventKind",
    "StaffNotice",
    "StaffProfile",
    "User",
]
