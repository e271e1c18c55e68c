"""ID and phone numbers: shown masked to everyone but the roles that need them, never logged."""

from __future__ import annotations

import contextlib
import io
import logging
import sys

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.test import override_settings
from django.utils.module_loading import import_string

from tongban.core.masking import (
    PersonalDataFilter,
    mask_id_number,
    mask_name,
    mask_phone,
    redact_text,
)
from tongban.core.permissions import Role
from tongban.core.selectors import shown_id_number, shown_phone

ID = "330106198807150031"
ID_MASKED = "3301**********0031"
MOBILE = "13905710001"
MOBILE_MASKED = "139****0001"


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("460102199001011234", "4601**********1234"),
        ("33010619880715003X", "3301**********003X"),
        ("12345678", "********"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("13812345678", "138****5678"),
        ("0571-87654321", "0571-****4321"),
        ("057187654321", "057*****4321"),
        ("4008001234", "400***1234"),
        ("12345", "*2345"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_keeps_the_length_and_hides_the_middle(number, masked):
    assert mask_phone(number) == masked


def test_mask_name():
    assert (mask_name("张三"), mask_name("欧阳小明"), mask_name("")) == ("张*", "欧***", "")


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        (f"身份证{ID}已登记", f"身份证{ID_MASKED}已登记"),
        ("id=33010619880715003x&m=13905710001", "id=3301**********003x&m=139****0001"),
        (
            f"电话 {MOBILE}，{MOBILE[:3]} {MOBILE[3:7]} {MOBILE[7:]}",
            "电话 139****0001，139****0001",
        ),
        ("+86 13905710001 / 0086-139-0571-0001", "+86 139****0001 / 0086-139****0001"),
        # Not personal data: longer digit runs, dates, times, amounts and service numbers.
        ("订单 20260926139057100011 号", "订单 20260926139057100011 号"),
        ("2026-09-26 13:05:17 金额 12345.00 元，拨打 12345", None),
        ("", ""),
    ],
)
def test_redact_text(text, redacted):
    assert redact_text(text) == (text if redacted is None else redacted)


def _record(msg, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("tongban.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_filter_masks_the_formatted_message_and_the_traceback():
    try:
        raise ValueError(f"bad person {ID}")
    except ValueError:
        record = _record("申请人 %s 手机 %s", ID, MOBILE, exc_info=sys.exc_info())
    assert PersonalDataFilter().filter(record) is True
    text = logging.Formatter("%(message)s").format(record)
    assert text.startswith(f"申请人 {ID_MASKED} 手机 {MOBILE_MASKED}\nTraceback")
    assert f"ValueError: bad person {ID_MASKED}" in text
    assert ID not in text
    assert MOBILE not in text


# --- the logging the settings configure ------------------------------------------------------


def test_settings_attach_the_filter_to_the_handler_the_root_logger_uses():
    config = settings.LOGGING
    assert import_string(config["filters"]["personal_data"]["()"]) is PersonalDataFilter
    assert config["root"]["handlers"] == ["console"]
    assert config["handlers"]["console"]["filters"] == ["personal_data"]
    live = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, PersonalDataFilter) for f in h.filters)
    ]
    assert len(live) == 1
    assert type(live[0]) is logging.StreamHandler


def _is_pytests(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")


@contextlib.contextmanager
def captured(logger_name: str):
    """Everything the configured stream handlers on ``logger_name``'s path write, as a string.

    pytest's ``caplog`` is no use here: its own handler bypasses the filters of the configured
    handlers, so it would show what reaches a logger, not what reaches the log.
    """
    out = io.StringIO()
    logger, swapped = logging.getLogger(logger_name), []
    while logger is not None:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and not _is_pytests(handler):
                swapped.append((handler, handler.stream))
                handler.stream = out
        logger = logger.parent if logger.propagate else None
    try:
        yield out
    finally:
        for handler, stream in swapped:
            handler.stream = stream


@pytest.mark.parametrize("name", ["tongban.cases", "django.request", "axes"])
def test_configured_logging_never_writes_an_id_or_mobile_number(name):
    with captured(name) as out:
        logging.getLogger(name).warning("申请人 %s 手机 %s 提交了申请", ID, MOBILE)
        logging.getLogger(name).error(f"直接拼接：{ID}/{MOBILE}")
    text = out.getvalue()
    assert f"WARNING {name} 申请人 {ID_MASKED} 手机 {MOBILE_MASKED} 提交了申请\n" in text
    assert f"ERROR {name} 直接拼接：{ID_MASKED}/{MOBILE_MASKED}\n" in text
    assert ID not in text
    assert MOBILE not in text


@pytest.mark.django_db
def test_a_request_for_a_missing_page_logs_its_path_masked(anonymous_client):
    with captured("django.request") as out:
        response = anonymous_client.get(f"/api/v1/people/{ID}/{MOBILE}")
    assert response.status_code == 404
    text = out.getvalue()
    assert f"/api/v1/people/{ID_MASKED}/{MOBILE_MASKED}" in text
    assert ID not in text


@pytest.mark.parametrize("name", ["django.server", "django"])
def test_django_default_handlers_mask_too(name):
    with override_settings(DEBUG=True), captured(name) as out:
        logging.getLogger(name).warning('"GET /api/v1/x?id=%s HTTP/1.1" 200 12', ID)
    assert ID_MASKED in out.getvalue()
    assert ID not in out.getvalue()


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_staff_see_numbers_masked_whatever_their_role(role, staff_factory, applicant_a):
    """Masked by default for every role, identity.view_full included: the whole number only
    through the reveal flow, which records the view (docs/personal-data.md)."""
    person = applicant_a.person
    viewer = staff_factory(role)
    assert shown_id_number(person, viewer) == mask_id_number(person.id_number)
    assert shown_phone(person.phone, viewer) == mask_phone(person.phone)


@pytest.mark.django_db
def test_applicants_and_anonymous_see_masked_numbers(applicant_a, applicant_b):
    person = applicant_a.person
    masked = mask_id_number(person.id_number)
    assert masked == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    for viewer in (applicant_a, applicant_b, AnonymousUser()):
        assert shown_id_number(person, viewer) == masked
        assert shown_phone(person.phone, viewer) == mask_phone(person.phone)
    assert str(person) == f"{person.name}（{masked}）"


@pytest.mark.django_db
def test_portal_home_shows_the_applicant_only_the_masked_number(applicant_a, applicant_a_client):
    person = applicant_a.person
    html = applicant_a_client.get("/").content.decode()
    assert mask_id_number(person.id_number) in html
    assert mask_phone(person.phone) in html
    assert person.id_number not in html
    assert person.phone not in html
