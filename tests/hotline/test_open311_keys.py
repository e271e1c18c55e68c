"""Open311 api_keys: `tongban open311 key create|list|revoke`, stored as SHA-256 only."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from tongban.core.models import AuditEvent
from tongban.hotline.models import Open311Key
from tongban.hotline.open311.keys import (
    open311_key_create,
    open311_key_revoke,
    open311_key_verify,
)

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("open311", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_key_create_prints_only_the_new_key_on_stdout():
    out, err = run("key", "create", "城市通 App")
    lines = out.splitlines()
    assert len(lines) == 1
    plain = lines[0]
    key = Open311Key.objects.get()
    assert plain.startswith(f"o311_{key.prefix}_")
    assert len(key.prefix) == 8
    assert key.name == "城市通 App"
    assert key.created_by is None and key.revoked_at is None and key.last_used_at is None
    assert "shown only now" in err
    assert open311_key_verify(plain) == key


def test_only_the_hash_is_stored_and_the_plain_key_is_nowhere_in_the_database():
    out, _err = run("key", "create", "城市通 App")
    plain = out.strip()
    key = Open311Key.objects.get()
    assert key.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    secret = plain.rsplit("_", 1)[1]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump = repr(cursor.fetchall())
            assert plain not in dump, table
            assert secret not in dump, table
    event = AuditEvent.objects.get(action="open311_key_created")
    assert event.stream == f"open311_key:{key.prefix}"
    assert event.payload == {"prefix": key.prefix, "name": "城市通 App"}


def test_key_list_and_revoke():
    first, _ = run("key", "create", "城市通 App")
    run("key", "create", "市民随手拍")
    keys = {k.name: k for k in Open311Key.objects.all()}
    out, _ = run("key", "list")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{keys['市民随手拍'].prefix}\t市民随手拍\tcreated ")
    assert lines[0].endswith("\tlast used never\tactive")
    open311_key_verify(first.strip())
    out, _ = run("key", "revoke", keys["城市通 App"].prefix)
    assert out.strip() == f"revoked {keys['城市通 App'].prefix} (城市通 App)"
    assert open311_key_verify(first.strip()) is None
    out, _ = run("key", "list")
    revoked = next(line for line in out.splitlines() if "城市通 App" in line)
    assert "\tlast used 20" in revoked
    assert revoked.endswith(f"\trevoked {timezone.localtime():%Y-%m-%d}")
    # Revoking again changes nothing and records nothing more.
    run("key", "revoke", keys["城市通 App"].prefix)
    assert AuditEvent.objects.filter(action="open311_key_revoked").count() == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("key", "revoke", "ffffffff"), "密钥：没有前缀为 ffffffff 的 Open311 密钥。"),
        (("key", "create", "  "), "应用名称：不能为空。"),
        (("key", "create", "名" * 65), "应用名称：不能超过 64 个字符。"),
    ],
)
def test_bad_commands_say_why_and_change_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert Open311Key.objects.count() == 0
    assert AuditEvent.objects.filter(stream__startswith="open311_key:").count() == 0


def test_the_command_needs_a_group_and_an_action():
    with pytest.raises(CommandError):
        run()
    with pytest.raises(CommandError):
        run("key")


@pytest.mark.parametrize(
    "candidate",
    ["", "o311_", "tb_12345678_abc", "o311_" + "a" * 200, "o311_deadbeef_wrong"],
)
def test_malformed_or_unknown_keys_do_not_verify(candidate):
    open311_key_create(name="城市通 App")
    assert open311_key_verify(candidate) is None


def test_last_used_is_written_at_most_once_a_minute():
    key, plain = open311_key_create(name="城市通 App")
    start = dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        open311_key_verify(plain)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        open311_key_verify(plain)
    key.refresh_from_db()
    assert key.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        open311_key_verify(plain)
    key.refresh_from_db()
    assert key.last_used_at == start + dt.timedelta(seconds=61)


def test_revoking_by_service_records_the_actor(staff_factory):
    admin = staff_factory("administrator", username="keyadmin")
    key, _plain = open311_key_create(name="城市通 App", actor=admin)
    assert key.created_by == admin
    open311_key_revoke(prefix=key.prefix, actor=admin)
    event = AuditEvent.objects.get(action="open311_key_revoked")
    assert event.actor == admin
