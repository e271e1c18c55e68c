"""Every state change of core's models. Views, admin, commands and other apps call these."""

from .calendar import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_delete,
    calendar_year_import,
)
from .organisation import department_create, region_create
from .people import (
    applicant_account_create,
    enterprise_authorise,
    enterprise_register,
    person_register,
)
from .staff import staff_create, staff_set_active
from .tokens import api_token_authenticate, api_token_create, api_token_revoke

__all__ = [
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "applicant_account_create",
    "calendar_override_delete",
    "calendar_override_set",
    "calendar_year_delete",
    "calendar_year_import",
    "department_create",
    "enterprise_authorise",
    "enterprise_register",
    "person_register",
    "region_create",
    "staff_create",
    "staff_set_active",
]
