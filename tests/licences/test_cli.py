"""`tongban keys …`, `tongban licences …` and the licences demo."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import make_credit_code
from tests.licences.factories import IssuerFactory, LicenceTypeFactory, issue, signing_key
from tongban.licences.models import HolderKind, KeyStatus, Licence, SigningKey
from tongban.licences.services import licence_revoke

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_keys_create_rotate_list():
    department = IssuerFactory(code="jtj-x")
    text = _call("keys", "create", "jtj-x", "--seal", "行政审批专用章")
    key = SigningKey.objects.get(department=department)
    assert text.startswith(f"created {key.key_id} for jtj-x: 04")
    assert key.seal.name == "行政审批专用章" and key.seal.image.name.endswith(".png")
    with pytest.raises(CommandError, match="轮换"):
        _call("keys", "create", "jtj-x", "--seal", "行政审批专用章")
    _call("keys", "rotate", "jtj-x", "--seal", "行政审批专用章")
    assert SigningKey.objects.filter(department=department, status=KeyStatus.ACTIVE).count() == 1
    listing = _call("keys", "list").splitlines()
    assert len(listing) == 2 and {line.split("\t")[3] for line in listing} == {"active", "retired"}
    with pytest.raises(CommandError, match="no department"):
        _call("keys", "create", "nope")
    with pytest.raises(CommandError, match="no active seal"):
        _call("keys", "rotate", "jtj-x", "--seal", "不存在的章")


def test_licences_list_prints_identifiers_newest_first():
    licence_type = LicenceTypeFactory()
    _first, second, third = (issue(licence_type) for _ in range(3))
    assert _call("licences", "list", "--limit", "2").splitlines() == [
        third.identifier,
        second.identifier,
    ]
    assert _call("licences", "list", "--limit", "0") == ""


def test_export_and_offline_verify(tmp_path):
    licence = issue(LicenceTypeFactory())
    out = tmp_path / "export"
    _call("licences", "export", licence.identifier, "--out", str(out))
    assert sorted(p.name for p in out.iterdir()) == [
        "VERIFY.txt",
        "payload.json",
        "public.pem",
        "signature.der",
    ]
    assert (out / "payload.json").read_bytes() == bytes(licence.payload)
    assert "openssl pkeyutl -verify" in (out / "VERIFY.txt").read_text()
    text = _call("licences", "verify", str(out), "--today", "2026-03-03")
    assert text.strip() == f"valid: {licence.identifier} (SM2 signature verified)"
    with pytest.raises(CommandError, match="expired on 2031-03-01"):
        _call("licences", "verify", str(out), "--today", "2031-03-02")
    (out / "signature.der").write_bytes((out / "signature.der").read_bytes()[:-3])
    with pytest.raises(CommandError, match=r"not valid: signature\.der"):
        _call("licences", "verify", str(out), "--today", "2026-03-03")
    with pytest.raises(CommandError, match="no licence"):
        _call("licences", "export", "1.2.156.3005.2.X.Y.1.001.Z", "--out", str(out))


def test_offline_verify_detects_a_changed_payload(tmp_path):
    licence = issue(LicenceTypeFactory())
    _call("licences", "export", licence.number, "--out", str(tmp_path))
    payload = (tmp_path / "payload.json").read_bytes()
    (tmp_path / "payload.json").write_bytes(payload.replace("测试人".encode(), "李四人".encode()))
    with pytest.raises(CommandError, match="SM2 signature does not verify"):
        _call("licences", "verify", str(tmp_path), "--today", "2026-03-03")
    with pytest.raises(CommandError, match="missing or unreadable"):
        _call("licences", "verify", str(tmp_path / "nowhere"))


def test_remind_and_bad_dates():
    assert _call("licences", "remind", "--today", "2026-03-03").startswith("reminders sent: ")
    with pytest.raises(CommandError, match="not a date"):
        _call("licences", "remind", "--today", "03/03/2026")


def test_import_through_the_command(tmp_path):
    licence_type = LicenceTypeFactory(code="CLIYYZZ", holder_kind=HolderKind.ENTERPRISE)
    signing_key(licence_type.department)
    code = make_credit_code(91)
    path = tmp_path / "in.csv"
    path.write_text(
        "持证主体名称,统一社会信用代码,证照编号,发证日期,有效期至,经营场所,经营项目,从业人数\n"
        f"云溪导入测试有限公司,{code},CLI-0001,2024-03-01,,云溪区学府路 1 号,餐饮服务,3\n",
        encoding="utf-8",
    )
    text = _call("licences", "import", str(path), "--type", "CLIYYZZ", "--source", "旧系统")
    assert text.splitlines()[-1] == "imported 1, skipped 0, errors 0"
    licence = Licence.objects.get(number="CLI-0001")
    assert (licence.imported, licence.source_system) == (True, "旧系统")
    assert _call("licences", "list", "--limit", "1").splitlines() == [licence.identifier]
    with pytest.raises(CommandError):
        _call("licences", "import", str(path), "--type", "NOSUCHTYPE", "--source", "旧系统")


def test_demo_load_is_idempotent():
    from tongban.catalog import demo as catalog_demo
    from tongban.core import demo as core_demo
    from tongban.licences import demo

    core_demo.load(lambda s: None)
    catalog_demo.load(lambda s: None)
    created = demo.load(lambda s: None)
    assert created["licence types"] == 5 and created["signing keys"] == 4
    assert created["seals"] == 4 and created["imported business licences"] >= 1
    assert created["elderly licences"] >= 1
    assert demo.load(lambda s: None) == {}
    business = Licence.objects.filter(licence_type__code="YYZZ").first()
    assert business.imported and business.number == business.enterprise.credit_code
    from tongban.licences.models import LicenceType

    food = LicenceType.objects.get(code="SPJYXKZ")
    assert food.department.code == "scjg" and food.issuing_items
    from tongban.licences.selectors import verify_licence

    elderly = Licence.objects.filter(licence_type__code="YXLRYDZ").first()
    assert verify_licence(elderly.number).valid
    licence_revoke(licence=elderly, reason="演示")
    assert not verify_licence(elderly.number, today=dt.date(2026, 3, 3)).valid
