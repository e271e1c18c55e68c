"""Kiosk identification (自助终端身份核验): ID number plus an SMS code sent through the
notifications service; codes are rate-limited, single-use and expire."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.cases.selectors import registered_person
from tongban.cases.services import case_create, case_submit
from tongban.core.errors import DomainError, ValidationFailed
from tongban.core.identifiers import validate_id_number
from tongban.core.models import Person
from tongban.core.notifications import notify

from ..errors import RateLimited, SelfserviceError
from ..errors import SelfserviceErrorCode as E
from ..models import Kiosk, KioskCode

CODE_DIGITS = 6
ATTEMPTS_PER_CODE = 5
RESEND_SECONDS = 60


def _digest(code_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"kiosk:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _person(id_number: str) -> Person:
    id_number = validate_id_number(id_number)
    person = registered_person(id_number=id_number)
    if person is None:
        raise ValidationFailed(
            E.ID_NUMBER_UNKNOWN,
            _("身份证号码：本平台没有该身份证号码的登记信息，请到窗口办理。"),
            field="id_number",
        )
    return person


def kiosk_code_send(*, kiosk: Kiosk, id_number: str, now: dt.datetime | None = None) -> KioskCode:
    """Send a 6-digit code by SMS to the phone the person registered. At most one a minute and
    ``TONGBAN_KIOSK_CODES_PER_HOUR`` an hour per person."""
    if not kiosk.is_active:
        raise SelfserviceError(E.KIOSK_INACTIVE, _("本终端已停用。"))
    person = _person(id_number)
    if not person.phone:
        raise ValidationFailed(
            E.NO_PHONE,
            _("身份证号码：登记信息中没有手机号码，无法发送验证码，请到窗口办理。"),
            field="id_number",
        )
    now = now or timezone.now()
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()  # one sender at a time
        recent = KioskCode.objects.filter(person=person, created_at__gt=now - dt.timedelta(hours=1))
        last = recent.order_by("-created_at").first()
        if last is not None and (now - last.created_at).total_seconds() < RESEND_SECONDS:
            wait = RESEND_SECONDS - int((now - last.created_at).total_seconds())
            raise RateLimited(
                E.CODE_RATE_LIMITED,
                _("验证码已发送，请 %(s)s 秒后再重新获取。"),
                field="id_number",
                s=wait,
            )
        if recent.count() >= settings.TONGBAN_KIOSK_CODES_PER_HOUR:
            raise RateLimited(
                E.CODE_RATE_LIMITED,
                _("验证码获取过于频繁，请一小时后再试或到窗口办理。"),
                field="id_number",
            )
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row = KioskCode.objects.create(
            person=person,
            kiosk=kiosk,
            digest="",
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.TONGBAN_KIOSK_CODE_MINUTES),
        )
        row.digest = _digest(row.pk, code)
        row.save(update_fields=["digest"])
        notify(
            person=person,
            title=str(_("自助终端验证码")),
            body=str(_("您正在%(k)s核验身份，验证码 %(c)s，%(m)s 分钟内有效。如非本人操作请忽略。"))
            % {"k": kiosk.name, "c": code, "m": settings.TONGBAN_KIOSK_CODE_MINUTES},
        )
    row.plain_code = code  # for the simulated SMS in tests and the demo; never stored
    return row


def kiosk_code_verify(
    *, kiosk: Kiosk, id_number: str, code: str, now: dt.datetime | None = None
) -> Person:
    """The person, when ``code`` is the newest unexpired code sent to them at this kiosk.

    A wrong code counts an attempt (committed even though the identification is refused); the
    code is spent after ``ATTEMPTS_PER_CODE`` wrong tries and on success."""
    person = _person(id_number)
    code = (code or "").strip()
    now = now or timezone.now()
    wrong = ValidationFailed(
        E.CODE_INVALID, _("验证码：验证码不正确或已过期，请重新获取。"), field="code"
    )
    with transaction.atomic():
        row = (
            KioskCode.objects.select_for_update()
            .filter(person=person, kiosk=kiosk, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None or row.attempts >= ATTEMPTS_PER_CODE:
            raise wrong
        if not hmac.compare_digest(row.digest, _digest(row.pk, code)):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            failed = True
        else:
            row.used_at = now
            row.save(update_fields=["used_at"])
            failed = False
    if failed:
        raise wrong
    return person


def kiosk_apply(*, person: Person, item_code: str):
    """Create and submit a case for an item marked for kiosks, all or nothing: when submission
    is refused (materials the terminal cannot take), the draft is not kept either."""
    if person.user is None:
        raise SelfserviceError(
            E.NO_ACCOUNT,
            _("您还没有本平台的申请人账号，请先在网上注册或到窗口办理。"),
        )
    try:
        with transaction.atomic():
            case = case_create(
                actor=person.user,
                item_code=item_code,
                applicant=person,
                channel="kiosk",
                # what the platform already knows is not asked again (the form keeps its own)
                form_data={"address": person.address, "phone": person.phone},
            )
            return case_submit(actor=person.user, case=case)
    except DomainError as exc:
        raise SelfserviceError(
            E.NOT_ON_KIOSK,
            _("该事项不能在终端上直接提交（%(why)s），请取号到窗口办理。"),
            why=exc.message,
        ) from exc
