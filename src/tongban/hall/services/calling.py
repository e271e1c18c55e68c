"""Calling (叫号) at a window: sign in, call next, recall, skip, transfer, serve and finish.

Every transition: one transaction → lock the window row (one clerk action at a time per
window) → guard → conditional update of the number (``status`` in the WHERE clause, so two
windows never get the same number) → one event. Finishing asks the window's rating device
(评价器) to show the rating page for exactly that service (``rating_ref`` on the number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.core.permissions import Perm, has_perm
from tongban.ratings.services import device_request_push

from ..errors import HallErrorCode, HallRefused
from ..models import NumberStatus, QueueNumber, Window, WindowGroup
from ..selectors import TIER_TRANSFERRED, waiting_in_order
from .common import now_or, number_event

CURRENT = (NumberStatus.CALLED, NumberStatus.SERVING)


def _require_caller(actor) -> None:
    if not has_perm(actor, Perm.HALL_CALL):
        raise PermissionDenied(_("只有大厅窗口工作人员可以叫号。"))


def _locked_window(window: Window | int) -> Window:
    pk = window.pk if isinstance(window, Window) else window
    locked = Window.objects.select_for_update().filter(pk=pk).select_related("hall").first()
    if locked is None:
        raise NotFound(_("没有找到该窗口。"))
    return locked


def _require_signed_in(window: Window, actor) -> None:
    if window.clerk_id != getattr(actor, "pk", None):
        raise HallRefused(
            HallErrorCode.WINDOW_NOT_SIGNED_IN,
            _("您没有在%(window)s签到，请先签到再叫号。"),
            window=window.label,
        )


def current_number(window: Window) -> QueueNumber | None:
    return (
        QueueNumber.objects.filter(window=window, status__in=CURRENT)
        .select_related("group")
        .order_by("-called_at")
        .first()
    )


def _require_current(window: Window) -> QueueNumber:
    number = current_number(window)
    if number is None:
        raise HallRefused(HallErrorCode.NO_CURRENT_NUMBER, _("这个窗口当前没有正在叫的号。"))
    return number


@contextmanager
def _at_window(window: Window | int, actor) -> Iterator[Window]:
    """The shell every operation at a window shares: the caller may call numbers, one
    transaction, the window row locked (one clerk action at a time per window), the clerk
    signed in there. Yields the locked window."""
    _require_caller(actor)
    with transaction.atomic():
        locked = _locked_window(window)
        _require_signed_in(locked, actor)
        yield locked


def _require_idle(window: Window) -> None:
    busy = current_number(window)
    if busy is not None:
        raise HallRefused(
            HallErrorCode.WINDOW_BUSY,
            _("请先办结、过号或转组当前的 %(number)s，再叫下一位。"),
            number=busy.number,
        )


def _move_current(
    *, window: Window, actor, to: str, allowed: tuple[str, ...], action: str, fields, now
) -> QueueNumber:
    """Recall, start, skip: the window's current number moves on (one event)."""
    with _at_window(window, actor) as locked:
        return _move(
            _require_current(locked),
            to,
            allowed=allowed,
            fields=fields,
            actor=actor,
            action=action,
            at=now,
        )


def _move(
    number: QueueNumber,
    to: str,
    *,
    allowed: tuple[str, ...],
    fields: dict,
    actor,
    action: str,
    at: dt.datetime,
    payload: dict | None = None,
    reason: str = "",
) -> QueueNumber:
    """The one place a number's status changes after it was taken."""
    if number.status not in allowed:
        raise HallRefused(
            HallErrorCode.TRANSITION_NOT_ALLOWED,
            _("号码 %(number)s 当前%(status)s，不能这样操作。"),
            number=number.number,
            status=number.get_status_display(),
        )
    changed = QueueNumber.objects.filter(
        pk=number.pk, status=number.status, version=number.version
    ).update(status=to, version=F("version") + 1, **fields)
    if not changed:
        raise HallRefused(
            HallErrorCode.STALE,
            _("号码 %(number)s 刚被其他窗口处理，请刷新。"),
            number=number.number,
        )
    before = number.status
    number.refresh_from_db()
    number_event(
        number,
        action=action,
        actor=actor,
        from_state=before,
        to_state=to,
        reason=reason,
        payload={"window": number.window.number if number.window_id else None, **(payload or {})},
        at=at,
    )
    return number


# ---------------------------------------------------------------- sign in / out


def window_sign_in(*, window: Window, actor, now: dt.datetime | None = None) -> Window:
    """The clerk signs in at a window (leaving any other window they were signed in at)."""
    _require_caller(actor)
    now = now_or(now)
    with transaction.atomic():
        locked = _locked_window(window)
        if not locked.is_active:
            raise HallRefused(HallErrorCode.INVALID_INPUT, _("该窗口已停用。"))
        if locked.clerk_id and locked.clerk_id != actor.pk:
            raise HallRefused(
                HallErrorCode.WINDOW_BUSY,
                _("%(window)s已有工作人员 %(name)s 签到，请对方先签退。"),
                window=locked.label,
                name=str(locked.clerk),
            )
        for other in Window.objects.select_for_update().filter(clerk=actor).exclude(pk=locked.pk):
            if current_number(other) is not None:
                raise HallRefused(
                    HallErrorCode.WINDOW_BUSY,
                    _("您在%(window)s还有正在办理的号，请先办结、过号或转组。"),
                    window=other.label,
                )
            Window.objects.filter(pk=other.pk).update(clerk=None, signed_in_at=None)
        Window.objects.filter(pk=locked.pk).update(clerk=actor, signed_in_at=now)
        locked.clerk, locked.signed_in_at = actor, now
        return locked


def window_sign_out(*, window: Window, actor) -> Window:
    with _at_window(window, actor) as locked:
        if current_number(locked) is not None:
            raise HallRefused(
                HallErrorCode.WINDOW_BUSY,
                _("%(window)s还有正在办理的号，请先办结、过号或转组。"),
                window=locked.label,
            )
        Window.objects.filter(pk=locked.pk).update(clerk=None, signed_in_at=None)
        locked.clerk, locked.signed_in_at = None, None
        return locked


# ---------------------------------------------------------------- calling


def _serves(window: Window, group_id: int) -> bool:
    return window.groups.filter(pk=group_id).exists()


def number_call_next(
    *, window: Window, actor, group_code: str | None = None, now: dt.datetime | None = None
) -> QueueNumber:
    """Call the next number of the window's groups (or of one of them)."""
    now = now_or(now)
    with _at_window(window, actor) as locked:
        _require_idle(locked)
        groups = list(locked.groups.values_list("pk", "code"))
        if group_code:
            code = group_code.strip().upper()
            groups = [(pk, c) for pk, c in groups if c == code]
            if not groups:
                raise HallRefused(
                    HallErrorCode.WINDOW_NOT_SERVING_GROUP,
                    _("%(window)s不办理 %(ref)s 类业务，不能叫这一类的号。"),
                    window=locked.label,
                    ref=code[:2],
                )
        for candidate in waiting_in_order([pk for pk, _c in groups], now=now)[:8]:
            changed = QueueNumber.objects.filter(
                pk=candidate.pk, status=NumberStatus.WAITING
            ).update(
                status=NumberStatus.CALLED,
                window=locked,
                clerk=actor,
                called_at=now,
                call_count=1,
                version=F("version") + 1,
            )
            if changed:
                candidate.refresh_from_db()
                number_event(
                    candidate,
                    action="call",
                    actor=actor,
                    from_state=NumberStatus.WAITING,
                    to_state=NumberStatus.CALLED,
                    payload={"window": locked.number},
                    at=now,
                )
                return candidate
        raise HallRefused(HallErrorCode.NOTHING_WAITING, _("当前没有等候的号。"))


def number_call(
    *, window: Window, actor, number_id: int, now: dt.datetime | None = None
) -> QueueNumber:
    """Call one particular number: a waiting one, or a skipped one whose visitor came back."""
    now = now_or(now)
    with _at_window(window, actor) as locked:
        number = QueueNumber.objects.filter(pk=number_id, hall_id=locked.hall_id).first()
        if number is None:
            raise NotFound(_("没有找到该号码。"))
        if not _serves(locked, number.group_id):
            raise HallRefused(
                HallErrorCode.WINDOW_NOT_SERVING_GROUP,
                _("%(window)s不办理 %(ref)s 类业务，不能叫号码 %(number)s。"),
                window=locked.label,
                ref=number.group.code,
                number=number.number,
            )
        _require_idle(locked)
        return _move(
            number,
            NumberStatus.CALLED,
            allowed=(NumberStatus.WAITING, NumberStatus.SKIPPED),
            fields={
                "window": locked,
                "clerk": actor,
                "called_at": now,
                "call_count": F("call_count") + 1,
                "finished_at": None,
            },
            actor=actor,
            action="call",
            at=now,
        )


def number_recall(*, window: Window, actor, now: dt.datetime | None = None) -> QueueNumber:
    """Call the current number again (it shows again at the top of the hall screen)."""
    now = now_or(now)
    return _move_current(
        window=window,
        actor=actor,
        to=NumberStatus.CALLED,
        allowed=(NumberStatus.CALLED,),
        action="recall",
        fields={"called_at": now, "call_count": F("call_count") + 1},
        now=now,
    )


def number_start(*, window: Window, actor, now: dt.datetime | None = None) -> QueueNumber:
    """The visitor has come to the window: serving starts (the serving time is measured)."""
    now = now_or(now)
    return _move_current(
        window=window,
        actor=actor,
        to=NumberStatus.SERVING,
        allowed=(NumberStatus.CALLED,),
        action="start",
        fields={"serving_started_at": now},
        now=now,
    )


def number_skip(*, window: Window, actor, now: dt.datetime | None = None) -> QueueNumber:
    """The visitor did not come (过号): the number can be called again later by number."""
    now = now_or(now)
    return _move_current(
        window=window,
        actor=actor,
        to=NumberStatus.SKIPPED,
        allowed=(NumberStatus.CALLED,),
        action="skip",
        fields={"finished_at": now},
        now=now,
    )


def number_transfer(
    *, window: Window, actor, group_code: str, reason: str = "", now: dt.datetime | None = None
) -> QueueNumber:
    """Send the current visitor to another window group (转组): the number keeps its digits and
    goes to the front of that group's queue. Returns the new waiting number."""
    now = now_or(now)
    with _at_window(window, actor) as locked:
        number = _require_current(locked)
        target = WindowGroup.objects.filter(
            hall_id=locked.hall_id, code=(group_code or "").strip().upper()[:2]
        ).first()
        if target is None:
            raise ValidationFailed(
                HallErrorCode.UNKNOWN_GROUP,
                _("转往分组：请选择本大厅的另一个业务类别。"),
                field="group_code",
            )
        if target.pk == number.group_id:
            raise ValidationFailed(
                HallErrorCode.INVALID_INPUT,
                _("转往分组：号码已在 %(ref)s 类，请选择另一个业务类别。"),
                field="group_code",
                ref=target.code,
            )
        old = _move(
            number,
            NumberStatus.TRANSFERRED,
            allowed=CURRENT,
            fields={"finished_at": now},
            actor=actor,
            action="transfer",
            at=now,
            payload={"to_group": target.code},
            reason=(reason or "")[:500],
        )
        new = QueueNumber.objects.create(
            hall_id=old.hall_id,
            group=target,
            number=old.number,
            business_date=old.business_date,
            person_id=old.person_id,
            booking_id=old.booking_id,
            item_id=old.item_id,
            channel=old.channel,
            priority_tier=TIER_TRANSFERRED,
            priority_at=old.taken_at,
            taken_at=now,
            transferred_from=old,
            case_no=old.case_no,
        )
        number_event(
            new,
            action="take",
            actor=actor,
            to_state=NumberStatus.WAITING,
            payload={"number": new.number, "group": target.code, "from_group": old.group.code},
            at=now,
            new_stream=True,
        )
        return new


def number_finish(
    *, window: Window, actor, case_no: str = "", now: dt.datetime | None = None
) -> QueueNumber:
    """Serving ends (办结): the window's rating device is asked to show the rating page for
    this service; the rating binds to ``rating_ref``. A device that cannot take the request
    (busy, staff mode) does not stop the finish — the number simply has no device rating."""
    now = now_or(now)
    case_no = (case_no or "").strip()[:32]
    with _at_window(window, actor) as locked:
        number = _require_current(locked)
        fields = {"finished_at": now, "case_no": case_no or number.case_no}
        if number.serving_started_at is None:
            fields["serving_started_at"] = number.called_at or now
        number = _move(
            number,
            NumberStatus.DONE,
            allowed=CURRENT,
            fields=fields,
            actor=actor,
            action="finish",
            at=now,
            payload={"case_no": fields["case_no"]},
        )
        if locked.rating_device_id:
            rating_ref = _push_rating(locked, actor, fields["case_no"])
            if rating_ref:
                QueueNumber.objects.filter(pk=number.pk).update(rating_ref=rating_ref)
                number.rating_ref = rating_ref
        return number


def _push_rating(window: Window, actor, case_no: str) -> str:
    for attempt in [case_no, ""] if case_no else [""]:
        try:
            with transaction.atomic():
                request = device_request_push(
                    actor=actor, device_code=window.rating_device.code, case_no=attempt
                )
            return request.service_ref
        except ValidationFailed:  # an unknown case number: rate the visit itself
            continue
        except DomainError:  # busy or staff-mode device, or not the clerk's department
            return ""
    return ""
