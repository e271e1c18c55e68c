"""OpenSSL 3 interoperability, both directions, with the exact commands of docs/licences.md."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.licences.factories import LicenceTypeFactory, issue
from tongban.licences import crypto
from tongban.licences.offline import OPENSSL_COMMAND

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl here")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "licences.md"


def _run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=60)


@pytest.mark.django_db
def test_exported_licence_verifies_with_openssl(tmp_path):
    licence = issue(LicenceTypeFactory())
    call_command("licences", "export", licence.identifier, "--out", str(tmp_path))
    result = _run(OPENSSL_COMMAND, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Signature Verified Successfully" in result.stdout
    # one byte changed: OpenSSL refuses too
    payload = (tmp_path / "payload.json").read_bytes()
    (tmp_path / "payload.json").write_bytes(payload.replace(b'"version":1', b'"version":2'))
    assert _run(OPENSSL_COMMAND, tmp_path).returncode != 0


def test_openssl_signature_verifies_with_ours(tmp_path):
    message = '{"名称":"通办"}'.encode()
    (tmp_path / "payload.json").write_bytes(message)
    steps = [
        "openssl genpkey -algorithm SM2 -out private.pem",
        "openssl pkey -in private.pem -pubout -out public.pem",
        "openssl pkeyutl -sign -inkey private.pem -rawin -in payload.json -digest sm3 "
        "-pkeyopt distid:1234567812345678 -out signature.der",
    ]
    for step in steps:
        result = _run(step, tmp_path)
        assert result.returncode == 0, result.stderr
    public = crypto.PublicKey.from_pem((tmp_path / "public.pem").read_text())
    signature = (tmp_path / "signature.der").read_bytes()
    assert crypto.verify(message, signature, public)
    assert not crypto.verify(message + b" ", signature, public)


def test_our_pem_is_read_by_openssl(tmp_path):
    _, public = crypto.generate_keypair()
    (tmp_path / "public.pem").write_text(public.to_pem())
    result = _run("openssl pkey -pubin -in public.pem -noout -text", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "SM2" in result.stdout or "sm2" in result.stdout


def test_docs_show_the_exact_command():
    assert OPENSSL_COMMAND in DOCS.read_text()
