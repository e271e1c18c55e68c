"""`tongban keys status|rotate|reindex`: rotation to a new current key and re-keying the index."""

from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import EnterpriseFactory, PersonFactory, make_id_number
from tongban.core.crypto import blind_index, key_id_of
from tongban.core.models import Enterprise, Person
from tongban.core.personal_data_keys import keys_rotate, keys_status
from tongban.hotline.models import MissedCall

pytestmark = pytest.mark.django_db

KEY_A = "a:" + base64.b64encode(b"a" * 32).decode()
KEY_B = "b:" + base64.b64encode(b"b" * 32).decode()
INDEX_1 = base64.b64encode(b"1" * 32).decode()
INDEX_2 = base64.b64encode(b"2" * 32).decode()


def raw_values(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT "{column}" FROM "{table}" ORDER BY id')
        return [row[0] for row in cursor.fetchall()]


def keys(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def data(settings):
    settings.TONGBAN_DATA_KEYS = KEY_A
    settings.TONGBAN_BLIND_INDEX_KEY = INDEX_1
    people = [PersonFactory(id_number=make_id_number(40 + n)) for n in range(5)]
    EnterpriseFactory(phone="0571-87654321")
    MissedCall.objects.create(phone="13812345678", called_at=timezone.now())
    return people


def test_rotate_moves_every_value_to_the_new_key(settings, data):
    assert keys_status()["core.Person.id_number"] == {"a": 5}
    settings.TONGBAN_DATA_KEYS = f"{KEY_B},{KEY_A}"
    before = keys("status")
    assert "current key: b; known: b, a" in before
    assert "core.Person.id_number: a=5" in before
    assert "not under the current key: 12" in before  # 5 IDs, 5 phones, 2 other phones
    out = keys("rotate", "--batch", "2")
    assert "keys rotate: to key b, 2 rows a batch" in out
    assert "core.Person.id_number: 5" in out
    assert "hotline.MissedCall.phone: 1" in out
    assert "keys rotate: 12 values rewritten" in out
    assert {key_id_of(v) for v in raw_values("core_person", "id_number")} == {"b"}
    assert {key_id_of(v) for v in raw_values("core_person", "phone")} == {"b"}
    # still readable, and the look-ups still work, even once key A is gone
    settings.TONGBAN_DATA_KEYS = KEY_B
    assert [p.id_number for p in Person.objects.order_by("id")] == [
        make_id_number(40 + n) for n in range(5)
    ]
    assert Person.objects.get(id_number=make_id_number(42)) == data[2]
    assert Enterprise.objects.get(phone="0571-87654321").phone == "0571-87654321"
    assert MissedCall.objects.get(phone="13812345678").phone == "13812345678"
    assert "not under the current key: 0" in keys("status")
    # a second run has nothing left to do
    assert "keys rotate: 0 values rewritten" in keys("rotate")


def test_rotate_resumes_after_an_interruption(settings, data):
    settings.TONGBAN_DATA_KEYS = f"{KEY_B},{KEY_A}"
    calls = []

    def stop_in_the_id_numbers(progress):
        calls.append(progress)
        if progress.column == "core.Person.id_number":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        keys_rotate(batch=2, progress=stop_in_the_id_numbers)
    assert [(p.column, p.done) for p in calls] == [
        ("core.Enterprise.phone", 1),
        ("core.Person.id_number", 2),
    ]
    assert keys_status()["core.Person.id_number"] == {"a": 3, "b": 2}
    assert "core.Person.id_number: 3" in keys("rotate")  # picks up where it stopped
    assert all(set(c) <= {"b"} for c in keys_status().values())


def test_rotate_without_the_old_key_fails_clearly(settings, data):
    from django.core.management.base import CommandError

    settings.TONGBAN_DATA_KEYS = KEY_B
    with pytest.raises(CommandError, match="no key with id a"):
        keys("rotate")


def test_reindex_after_the_index_key_changes(settings, data):
    number = make_id_number(43)
    settings.TONGBAN_BLIND_INDEX_KEY = INDEX_2
    assert not Person.objects.filter(id_number=number).exists()  # old index: no match
    out = keys("reindex", "--batch", "3")
    assert "core.Person.id_number: 5" in out
    assert Person.objects.get(id_number=number) == data[3]
    assert Person.objects.get(pk=data[3].pk).id_number_index == blind_index("id_number", number)
    assert MissedCall.objects.filter(phone="13812345678").count() == 1
    assert "keys reindex: 0 values rewritten" not in keys("reindex")  # idempotent, rewrites


def test_generate_prints_a_fresh_key():
    first, second = keys("generate").strip(), keys("generate").strip()
    assert len(base64.b64decode(first)) == 32
    assert first != second
