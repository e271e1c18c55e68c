from .keys import KeyStatus, Seal, SigningKey
from .licences import (
    AccessChannel,
    Authorisation,
    GranteeKind,
    Licence,
    LicenceAccess,
    LicenceEvent,
    LicenceSerialCounter,
    LicenceStatus,
    Reminder,
    ReminderKind,
)
from .types import HolderKind, LicenceType, ValidityKind

__all__ = [
    "AccessChannel",
    "Authorisation",
    "GranteeKind",
    "HolderKind",
    "KeyStatus",
    "Licence",
    "LicenceAccess",
    "LicenceEvent",
    "LicenceSerialCounter",
    "LicenceStatus",
    "LicenceType",
    "Reminder",
    "ReminderKind",
    "Seal",
    "SigningKey",
    "ValidityKind",
]
