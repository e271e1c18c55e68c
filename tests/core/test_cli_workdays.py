"""`tongban workdays`: add, between, import-year and show."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tongban.core.models import AuditEvent, CalendarOverride, CalendarYear

from .holiday_schedules import (
    SCHEDULE_2027,
    SCHEDULE_2027_HOLIDAY_COUNT,
    SCHEDULE_2027_MAKEUP,
    SOURCE_2027,
    days_of,
    holidays,
    makeup_days,
)

pytestmark = pytest.mark.django_db

MISSING_2027 = (
    "工作日历没有 2027 年的节假日安排，无法计算期限。"
    "请管理员先录入国务院办公厅公布的 2027 年放假安排。"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("workdays", *args, stdout=out)
    return out.getvalue()


def test_add():
    assert run("add", "2026-09-30", "5") == "2026-10-13\n"
    assert run("add", "2026-09-26", "20") == "2026-10-29\n"
    assert run("add", "2026-10-08", "-1") == "2026-09-30\n"


def test_between():
    assert run("between", "2026-09-30", "2026-10-12") == "4\n"
    assert run("between", "2026-10-12", "2026-09-30") == "-4\n"


@pytest.mark.parametrize(
    ("args", "label", "value"),
    [
        (("add", "2026-13-01", "5"), "开始日期", "2026-13-01"),
        (("add", "abc", "5"), "开始日期", "abc"),
        (("add", "2026-02-29", "5"), "开始日期", "2026-02-29"),
        (("between", "2026-9-30", "2026-10-12"), "开始日期", "2026-9-30"),
        (("between", "2026-09-30", "abc"), "结束日期", "abc"),
    ],
)
def test_bad_date_names_the_field(args, label, value):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == (
        f"{label}：“{value}”不是有效的日期，请按 YYYY-MM-DD 填写（如 2026-09-30）。"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("add", "2027-01-04", "1"),
        ("add", "2026-12-31", "1"),  # the answer would be in 2027
        ("between", "2026-12-31", "2027-01-08"),
        ("show", "2027"),
    ],
)
def test_missing_year_is_reported(args):
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert str(caught.value) == MISSING_2027


def test_show_lists_the_days_that_differ_from_monday_to_friday():
    expected = []
    off, makeup = holidays(2026), makeup_days(2026)
    for day in days_of(2026):
        if day in off and day.weekday() < 5:
            expected.append(f"{day.isoformat()}\t放假\t{off[day][0]}")
        elif day in makeup:
            expected.append(f"{day.isoformat()}\t上班\t{makeup[day][0]}")
    assert run("show", "2026").splitlines() == expected
    assert expected[:3] == [
        "2026-01-01\t放假\t元旦",
        "2026-01-02\t放假\t元旦",
        "2026-01-04\t上班\t元旦",
    ]


def test_import_year_from_a_file(tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "2027.txt"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        output = run("import-year", "2027", "--source", SOURCE_2027, "--file", str(path))
    total = SCHEDULE_2027_HOLIDAY_COUNT + len(SCHEDULE_2027_MAKEUP)
    assert output == f"2027: {total} dates entered ({SOURCE_2027})\n"
    assert CalendarOverride.objects.filter(calendar_year_id=2027).count() == total
    event = AuditEvent.objects.get(stream="calendar:2027")
    assert (event.action, event.actor_id, event.actor_label) == ("year_imported", None, "system")
    assert run("add", "2026-12-31", "1") == "2027-01-04\n"
    assert run("between", "2027-09-30", "2027-10-09") == "2\n"
    assert run("show", "2027").splitlines()[:2] == [
        "2027-01-01\t放假\t元旦",
        "2027-02-08\t放假\t春节",
    ]


def test_import_year_from_standard_input(monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(sys, "stdin", io.StringIO("元旦：放假 2027-01-01\n"))
    with django_capture_on_commit_callbacks(execute=True):
        output = run("import-year", "2027", "--source", SOURCE_2027, "--file", "-")
    assert output == f"2027: 1 dates entered ({SOURCE_2027})\n"
    assert run("add", "2026-12-31", "1") == "2027-01-04\n"


def test_import_year_with_a_bad_schedule_changes_nothing(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("春节：放假 2027-02-06；上班 2027-02-08\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import-year", "2027", "--source", SOURCE_2027, "--file", str(path))
    assert str(caught.value) == "第 1 行：2027-02-08 是周一至周五，本就是工作日，不需要调休上班。"
    assert (CalendarYear.objects.count(), CalendarOverride.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, os.strerror(errno.ENOENT)), ("元旦：放假".encode("gbk"), "不是 UTF-8 编码")],
)
def test_import_year_with_an_unreadable_file(tmp_path, content, reason):
    path = tmp_path / "2027.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError) as caught:
        run("import-year", "2027", "--source", SOURCE_2027, "--file", str(path))
    assert str(caught.value) == f"放假安排文件：无法读取 {path}（{reason}）。"
    assert CalendarYear.objects.count() == 0


def test_the_installed_command(tmp_path):
    """The real `tongban` entry point, in a fresh process with its own data directory."""
    tongban = Path(sys.executable).with_name("tongban")
    if not tongban.exists():
        pytest.skip("the tongban entry point is not installed next to this Python")
    env = {**os.environ, "TONGBAN_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def cli(*args):
        return subprocess.run(
            [str(tongban), "workdays", *args], capture_output=True, text=True, env=env, check=False
        )

    migrate = subprocess.run(
        [str(tongban), "migrate", "-v", "0"], capture_output=True, text=True, env=env, check=False
    )
    assert migrate.returncode == 0, migrate.stderr
    ok = cli("add", "2026-09-30", "5")
    assert (ok.returncode, ok.stdout) == (0, "2026-10-13\n"), ok.stderr
    bad = cli("between", "2026-09-30", "2026-13-01")
    assert bad.returncode == 1
    assert "结束日期：“2026-13-01”不是有效的日期" in bad.stderr
