"""Recording ratings from every channel (web, SMS link, window device, hotline callback, the
optional default) — one rating per service event plus one follow-up, never edited, hidden or
deleted; staff can never rate for the applicant; bursts are flagged, never dropped."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.permissions import is_staff_member

from .. import policy, service_events
from ..errors import RatingErrorCode, RatingForbidden, RatingRefused
from ..models import (
    BAD_LEVELS,
    Level,
    QuestionSet,
    Rating,
    RatingChannel,
    ServiceKind,
)
from ..service_events import ServiceEvent
from .rectifications import rectification_open

COMMENT_MAX = 500

ONLINE_QUESTIONS = [
    {"code": "efficiency", "label": "办事效率"},
    {"code": "guide_accuracy", "label": "办事指南精确度"},
    {"code": "convenience", "label": "办事便捷度"},
    {"code": "usability", "label": "平台操作性"},
]
OFFLINE_QUESTIONS = [
    {"code": "efficiency", "label": "服务效率"},
    {"code": "service_level", "label": "服务水平"},
    {"code": "attitude", "label": "服务态度"},
]
DEFAULT_REASONS = {
    "online": {
        "bad": ["办理时间长", "指南不准确", "材料要求多", "系统操作复杂", "多次提交"],
        "good": ["办理快", "指南清楚", "材料少", "操作方便"],
    },
    "offline": {
        "bad": ["等候时间长", "一次告知不清", "多次跑动", "态度不好", "业务不熟练"],
        "good": ["办理快", "一次办成", "解答耐心", "态度热情"],
    },
}


def question_set_for(scope: str) -> QuestionSet:
    """The active question set of ``online`` or ``offline`` (version 1 is created from the
    national content the first time it is needed; later versions are data)."""
    found = QuestionSet.objects.filter(scope=scope, is_active=True).order_by("-version").first()
    if found is not None:
        return found
    questions = ONLINE_QUESTIONS if scope == "online" else OFFLINE_QUESTIONS
    found, _created = QuestionSet.objects.get_or_create(
        scope=scope,
        version=1,
        defaults={"questions": questions, "reasons": DEFAULT_REASONS[scope]},
    )
    return found


def scope_of_event(event: ServiceEvent, channel: str) -> str:
    """一事一评 online (a case applied online, rated on the web or by SMS) or 一次一评 offline
    (the counter device, the hotline, a case handled at the window)."""
    if event.kind == ServiceKind.CASE and event.online and channel != RatingChannel.DEVICE:
        return "online"
    return "offline"


def address_digest(address: str) -> str:
    """A keyed digest of the client address: bursts can be found, the address is not kept."""
    if not address:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- input


def _invalid(message, field: str) -> ValidationFailed:
    return ValidationFailed(RatingErrorCode.INVALID_INPUT, message, field=field)


def clean_level(value: Any, *, field: str = "level", label: str | None = None) -> int:
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ValidationFailed(
            RatingErrorCode.INVALID_LEVEL,
            _("%(label)s：请选择满意程度。"),
            field=field,
            label=str(label or _("整体满意度")),
        )
    return level


def clean_input(
    question_set: QuestionSet,
    *,
    level: Any,
    answers: dict | None,
    reasons: list | None,
    comment: str,
) -> tuple[int, dict, list, str]:
    level = clean_level(level)
    clean_answers: dict[str, int] = {}
    for question in question_set.questions:
        value = (answers or {}).get(question["code"])
        if value in (None, ""):
            continue
        clean_answers[question["code"]] = clean_level(
            value, field=f"q_{question['code']}", label=question["label"]
        )
    offered = set()
    for band in (question_set.reasons or {}).values():
        offered.update(band)
    clean_reasons = []
    for reason in reasons or []:
        if reason not in offered:
            raise _invalid(_("原因：请从列出的原因中选择。"), "reasons")
        if reason not in clean_reasons:
            clean_reasons.append(reason)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise _invalid(
            _("评价内容：请不超过 %(n)s 个字（现有 %(len)s 个）。")
            % {"n": COMMENT_MAX, "len": len(comment)},
            "comment",
        )
    return level, clean_answers, clean_reasons, comment


# ---------------------------------------------------------------- the one writer


def _flags(
    *, event: ServiceEvent, channel: str, device: str, address_hash: str, at: dt.datetime
) -> list[str]:
    """Why this rating looks like a burst (empty when it does not)."""
    reasons: list[str] = []
    since = at - dt.timedelta(seconds=policy.burst_window_seconds())
    limit = policy.burst_count()
    minutes = max(1, policy.burst_window_seconds() // 60)
    if device:
        n = Rating.objects.filter(device=device, rated_at__gt=since).count() + 1
        if n >= limit:
            reasons.append(_g("同一设备 %(m)s 分钟内 %(n)s 条评价") % {"m": minutes, "n": n})
    if address_hash:
        n = Rating.objects.filter(address_hash=address_hash, rated_at__gt=since).count() + 1
        if n >= limit:
            reasons.append(_g("同一网络地址 %(m)s 分钟内 %(n)s 条评价") % {"m": minutes, "n": n})
    if channel == RatingChannel.DEVICE and event.concluded_at is not None:
        seconds = (at - event.concluded_at).total_seconds()
        if seconds <= policy.quick_seconds():
            reasons.append(_g("服务结束后 %(s)s 秒即在窗口评价器评价") % {"s": int(seconds)})
    return reasons


def _first_of(event: ServiceEvent) -> Rating | None:
    return Rating.objects.filter(
        service_kind=event.kind, service_ref=event.ref, follow_up_of__isnull=True
    ).first()


def _already_rated() -> RatingRefused:
    return RatingRefused(
        RatingErrorCode.ALREADY_RATED,
        _("这次服务已经评价过了，每次服务只能评价一次（可在“我的办件”中追加一次追评）。"),
    )


def _record(
    *,
    event: ServiceEvent,
    channel: str,
    level: Any,
    answers: dict | None = None,
    reasons: list | None = None,
    comment: str = "",
    person_id: int | None = None,
    real_name: bool = True,
    device: str = "",
    address: str = "",
    follow_up: bool | None = False,
    at: dt.datetime | None = None,
) -> Rating:
    """Store one rating of ``event`` (in the caller's transaction) and open a rectification for
    a 差评. ``follow_up``: False = must be the first rating, True = must be the follow-up,
    None = whichever is due."""
    if not event.concluded or event.department_id is None:
        raise RatingRefused(RatingErrorCode.NOT_RATEABLE, _("这项服务尚未办结，暂时不能评价。"))
    at = at or timezone.now()
    question_set = question_set_for(scope_of_event(event, channel))
    level, answers, reasons, comment = clean_input(
        question_set, level=level, answers=answers, reasons=reasons, comment=comment
    )
    first = _first_of(event)
    if follow_up is None:
        follow_up = first is not None
    if follow_up:
        if first is None:
            raise RatingRefused(
                RatingErrorCode.NOTHING_TO_FOLLOW, _("这次服务还没有评价，请先评价。")
            )
        if Rating.objects.filter(follow_up_of=first).exists():
            raise RatingRefused(
                RatingErrorCode.FOLLOW_UP_EXISTS,
                _("这次服务已经评价并追评过了，不能再次评价。"),
            )
    elif first is not None:
        raise _already_rated()
    address_hash = address_digest(address)
    flags = _flags(event=event, channel=channel, device=device, address_hash=address_hash, at=at)
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                service_kind=event.kind,
                service_ref=event.ref,
                department_id=event.department_id,
                region_id=event.region_id,
                staff_id=event.staff_id,
                item_code=event.item_code,
                channel=channel,
                question_set=question_set,
                level=level,
                answers=answers,
                reasons=reasons,
                comment=comment,
                follow_up_of=first if follow_up else None,
                person_id=person_id,
                real_name=bool(real_name and person_id),
                device=device[:64],
                address_hash=address_hash,
                concluded_at=event.concluded_at,
                rated_at=at,
                flagged=bool(flags),
                flag_reason="；".join(flags)[:256],
            )
    except IntegrityError:  # a concurrent rating of the same event won
        raise _already_rated() from None
    if level in BAD_LEVELS:
        rectification_open(rating=rating, region_code=event.region_code)
    return rating


def _refuse_staff(user) -> None:
    if user is not None and is_staff_member(user):
        raise RatingForbidden(
            RatingErrorCode.STAFF_MAY_NOT_RATE,
            _(
                "工作人员账号不能评价：评价只能由办事群众本人作出。"
                "请退出工作人员账号后，由申请人本人登录或使用短信评价链接。"
            ),
        )


# ---------------------------------------------------------------- channels


def rating_submit_web(
    *,
    user,
    kind: str,
    ref: str,
    level: Any,
    answers: dict | None = None,
    reasons: list | None = None,
    comment: str = "",
    address: str = "",
) -> Rating:
    """The applicant rates their own concluded case (or the ticket they filed) in their
    session: the first rating, or later the one follow-up."""
    _refuse_staff(user)
    event = service_events.resolve(kind, ref)
    uid = getattr(user, "pk", None)
    if event is None or uid is None or uid not in event.applicant_user_ids:
        raise RatingRefused(RatingErrorCode.NOT_RATEABLE, _("没有找到您可以评价的这项服务。"))
    person_id = getattr(getattr(user, "person", None), "pk", None) or event.person_id
    with transaction.atomic():
        return _record(
            event=event,
            channel=RatingChannel.WEB,
            level=level,
            answers=answers,
            reasons=reasons,
            comment=comment,
            person_id=person_id,
            address=address,
            follow_up=None,
        )


def rating_record_callback(
    *,
    actor,
    ticket_no: str,
    level: Any,
    comment: str = "",
    reasons: list | None = None,
) -> Rating | None:
    """热线回访: the callback operator records the citizen's own words (channel ``callback``).
    The first rating of the ticket, or its follow-up after a reopening; ``None`` when the ticket
    has both already (the callback itself stands)."""
    event = service_events.ticket_event(ticket_no)
    if event is None:
        return None
    with transaction.atomic():
        first = _first_of(event)
        if first is not None and Rating.objects.filter(follow_up_of=first).exists():
            return None
        return _record(
            event=event,
            channel=RatingChannel.CALLBACK,
            level=level,
            reasons=reasons,
            comment=comment,
            person_id=None,
            real_name=False,
            follow_up=first is not None,
        )


SATISFACTION_LEVELS = {"satisfied": Level.SATISFIED, "basic": Level.BASIC, "dissatisfied": 2}


def on_ticket_callback(*, ticket_no: str, actor, satisfaction: str, note: str) -> None:
    """The hotline's callback hook: a reached caller's satisfaction becomes the ticket's
    rating (满意 → 满意, 基本满意 → 基本满意, 不满意 → 不满意)."""
    level = SATISFACTION_LEVELS.get(satisfaction)
    if level is None:
        return
    try:
        rating_record_callback(actor=actor, ticket_no=ticket_no, level=level, comment=note[:500])
    except RatingRefused:
        return


def rating_record_default(*, kind: str, ref: str, at: dt.datetime | None = None) -> Rating | None:
    """The optional regional rule: 基本满意 recorded for an event left unrated for N natural
    days (channel ``default``). ``None`` when it was rated meanwhile."""
    event = service_events.resolve(kind, ref)
    if event is None:
        return None
    with transaction.atomic():
        if _first_of(event) is not None:
            return None
        try:
            return _record(
                event=event,
                channel=RatingChannel.DEFAULT,
                level=Level.BASIC,
                person_id=event.person_id,
                real_name=False,
                at=at,
            )
        except RatingRefused:
            return None


def unrated_cases_since(*, concluded_before: dt.datetime) -> list[str]:
    """Case numbers concluded before the moment and never rated (for the default rule)."""
    rated = Rating.objects.filter(service_kind=ServiceKind.CASE).values("service_ref")
    return list(
        service_events.Case.objects.filter(
            status__in=service_events.CONCLUDED_CASE, decided_at__lt=concluded_before
        )
        .exclude(case_no__in=rated)
        .values_list("case_no", flat=True)
    )


def unrated_tickets_since(*, concluded_before: dt.datetime) -> list[str]:
    rated = Rating.objects.filter(service_kind=ServiceKind.TICKET).values("service_ref")
    return list(
        service_events.Ticket.objects.filter(
            Q(status=service_events.TicketStatus.CLOSED),
            closed_at__lt=concluded_before,
            department__isnull=False,
        )
        .exclude(ticket_no__in=rated)
        .values_list("ticket_no", flat=True)
    )


def ratings_default_apply(*, now: dt.datetime | None = None) -> dict[str, int]:
    """`tongban ratings auto-default`: with ``TONGBAN_RATING_DEFAULT_DAYS`` = N > 0, record
    基本满意 (channel ``default``) for every case and ticket concluded more than N natural days
    ago and never rated. Off (0) by default: then nothing happens."""
    days = policy.default_days()
    if days <= 0:
        return {"case": 0, "ticket": 0, "enabled": 0}
    now = now or timezone.now()
    before = now - dt.timedelta(days=days)
    done = {"case": 0, "ticket": 0, "enabled": 1}
    for ref in unrated_cases_since(concluded_before=before):
        if rating_record_default(kind=ServiceKind.CASE, ref=ref, at=now):
            done["case"] += 1
    for ref in unrated_tickets_since(concluded_before=before):
        if rating_record_default(kind=ServiceKind.TICKET, ref=ref, at=now):
            done["ticket"] += 1
    return done
