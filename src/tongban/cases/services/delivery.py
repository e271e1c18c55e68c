"""送达 by pickup locker (自助取件柜, issue [W]) as a delivery method the case records.

The lockers belong to ``tongban.selfservice``, which sits above cases: at start-up it registers
a ``LockerProvider`` here (``register_locker_provider``), so a case delivered "by locker" from
the case page or the API finds a free compartment without cases importing selfservice. Either
way the case records, through its one state machine:

- ``locker_placed`` when the result is in a compartment and the pickup code was sent (the
  delivery method, the locker, the deposit, when the code expires — never the code itself);
- ``deliver`` (method ``locker``) when the applicant opened the compartment with the code.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError

from ..errors import CaseErrorCode
from ..models import Case, DeliveryMethod
from ..states import CaseAction as A
from . import deferrals
from .common import transition
from .notices import tell_applicant


class LockerProvider(Protocol):
    def place(self, *, actor, case: Case) -> None:
        """Put the case's result into a free compartment, open its door and send the pickup
        code; records the placement through ``case_locker_placed``. Raises a DomainError
        (nothing changed) when no compartment is free."""


_provider: LockerProvider | None = None


def register_locker_provider(provider: LockerProvider | None) -> None:
    """Called by the app that runs the lockers at start-up (None unregisters, for tests)."""
    global _provider
    _provider = provider


def lockers_available() -> bool:
    return _provider is not None


def case_locker_place(*, actor, case: Case) -> Case:
    """送达方式“自助取件柜”: the result goes into a locker through the registered provider."""
    if _provider is None:
        raise DomainError(
            CaseErrorCode.LOCKER_UNAVAILABLE,
            _("送达方式：本大厅没有可用的自助取件柜，请选择其他送达方式。"),
            field="method",
        )
    deferrals.check_not_owed(case, stage="delivery")
    _provider.place(actor=actor, case=case)
    return Case.objects.get(pk=case.pk)


def case_locker_placed(
    *, actor, case: Case, locker: str, deposit: int, code_expires_at: dt.datetime
) -> Case:
    """The result is in compartment ``locker`` and the pickup code was sent by SMS: one
    ``locker_placed`` event; the case's delivery method becomes 自助取件柜. Called inside the
    placement's transaction, so a refused transition undoes the placement too."""
    return transition(
        case=case,
        actor=actor,
        action=A.LOCKER_PLACED,
        payload={
            "method": DeliveryMethod.LOCKER,
            "locker": locker,
            "deposit": deposit,
            "code_sent": True,
            "code_expires_at": timezone.localtime(code_expires_at).isoformat(),
        },
        check=lambda c: deferrals.check_not_owed(c, stage="delivery"),
        apply=lambda c: setattr(c, "delivery_method", DeliveryMethod.LOCKER),
    )


def case_locker_collected(
    *, case: Case, locker: str, deposit: int, collected_at: dt.datetime, actor_label: str
) -> Case:
    """送达: the applicant opened the compartment with the pickup code (no staff actor)."""

    def tell(c: Case) -> None:
        tell_applicant(
            c,
            gettext("办理结果已领取"),
            gettext("办理结果已于 %(t)s 从自助取件柜 %(c)s 取走。")
            % {"t": timezone.localtime(collected_at).strftime("%Y-%m-%d %H:%M"), "c": locker},
        )

    return transition(
        case=case,
        actor=None,
        actor_label=actor_label[:64],
        action=A.DELIVER,
        payload={"method": DeliveryMethod.LOCKER, "locker": locker, "deposit": deposit},
        check=lambda c: deferrals.check_not_owed(c, stage="delivery"),
        apply=lambda c: setattr(c, "delivery_method", DeliveryMethod.LOCKER),
        then=tell,
    )
