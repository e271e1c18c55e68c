"""The SSRF guard of the HTTP JSON connector: internal addresses are refused however they are
written or reached (names, decimal and hex forms, IPv4-mapped IPv6, redirects, DNS rebinding)
unless an administrator allow-lists the host; the refusal is a clear error in the rule trace and
a security event."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tongban.core.models import SecurityEvent
from tongban.rules import connectors as sources
from tongban.rules.connectors import http as http_module
from tongban.rules.connectors.http import is_public
from tongban.rules.context import Subject
from tongban.rules.models import ConnectorCall
from tongban.rules.services import evaluate, rule_set_save

from .conftest import http_connector, person

TODAY = dt.date(2026, 3, 2)


class Handler(BaseHTTPRequestHandler):
    seen: list = []
    redirect_to = ""

    def do_GET(self):
        Handler.seen.append(self.path)
        if Handler.redirect_to:
            self.send_response(302)
            self.send_header("Location", Handler.redirect_to)
            self.end_headers()
            return
        body = b'{"data": {"paid": true, "amount": 12.5}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def port():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.seen, Handler.redirect_to = [], ""
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_allow_list(settings):
    settings.TONGBAN_CONNECTOR_ALLOWED_HOSTS = []


@pytest.fixture
def elder(db):
    return person(1, dt.date(1960, 5, 1), name="王大爷")


def fetch(url: str, elder):
    connector = http_connector(url, timeout=0.5, mapping={"paid": "data.paid"})
    return sources.fetch(
        connector, Subject.of_person(elder), ["paid"], log=sources.CallLog(purpose="test")
    )


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "::1",
        "169.254.169.254",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "100.64.0.1",
        "0.0.0.0",
        "::",
        "224.0.0.1",
        "ff02::1",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "2002:7f00:1::1",  # 6to4 around 127.0.0.1
        "192.0.2.1",
        "240.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address):
    assert is_public(address) is False


@pytest.mark.parametrize("address", ["8.8.8.8", "114.114.114.114", "2001:4860:4860::8888"])
def test_public_addresses_are(address):
    assert is_public(address) is True


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:{port}/tax/{{id_no}}", "127.0.0.1"),
        ("http://[::1]:{port}/tax/{{id_no}}", "::1"),
        ("http://169.254.169.254/latest/meta-data/{{id_no}}", "169.254.169.254"),
        ("http://10.0.0.1/tax/{{id_no}}", "10.0.0.1"),
        ("http://0x7f000001:{port}/tax/{{id_no}}", "127.0.0.1"),
        ("http://2130706433:{port}/tax/{{id_no}}", "127.0.0.1"),
        ("http://0177.0.0.1:{port}/tax/{{id_no}}", "127.0.0.1"),
        ("http://localhost:{port}/tax/{{id_no}}", None),
        ("http://[::ffff:127.0.0.1]:{port}/tax/{{id_no}}", "::ffff:127.0.0.1"),
    ],
)
def test_internal_targets_are_refused(port, elder, url, address):
    with pytest.raises(sources.SourceUnavailable) as caught:
        fetch(url.format(port=port), elder)
    assert caught.value.blocked is True
    assert Handler.seen == []  # nothing reached the server
    call = ConnectorCall.objects.get()
    assert call.ok is False
    assert call.error.startswith("BlockedAddress: blocked internal address ")
    event = SecurityEvent.objects.get(kind="connector_blocked")
    assert (event.target, event.success, event.actor_name) == ("connector:tax", False, "system")
    if address is not None:
        assert event.detail["address"] == address
    else:  # localhost: whatever loopback address it resolves to
        assert event.detail["address"] in ("127.0.0.1", "::1")


def test_an_allow_listed_host_is_reached(settings, port, elder):
    settings.TONGBAN_CONNECTOR_ALLOWED_HOSTS = ["127.0.0.1"]
    assert fetch(f"http://127.0.0.1:{port}/tax/{{id_no}}", elder) == {"paid": True}
    assert Handler.seen == [f"/tax/{elder.id_number}"]
    assert not SecurityEvent.objects.filter(kind="connector_blocked").exists()


def test_the_allow_list_names_hosts_not_addresses(settings, port, elder):
    settings.TONGBAN_CONNECTOR_ALLOWED_HOSTS = ["127.0.0.1"]
    with pytest.raises(sources.SourceUnavailable) as caught:
        fetch(f"http://localhost:{port}/tax/{{id_no}}", elder)
    assert caught.value.blocked is True


def test_redirects_are_not_followed(settings, port, elder):
    settings.TONGBAN_CONNECTOR_ALLOWED_HOSTS = ["127.0.0.1"]
    Handler.redirect_to = "http://169.254.169.254/latest/meta-data/"
    with pytest.raises(sources.SourceUnavailable) as caught:
        fetch(f"http://127.0.0.1:{port}/tax/{{id_no}}", elder)
    assert caught.value.blocked is False
    assert "redirect (302) not followed" in caught.value.detail
    assert Handler.seen == [f"/tax/{elder.id_number}"]


def test_dns_rebinding_cannot_swap_the_address(monkeypatch, port, elder):
    """The name is resolved once: the connection goes to the address that was checked, so a
    second answer (127.0.0.1) is never used."""
    real = socket.getaddrinfo
    answers = iter(["192.0.2.10", "127.0.0.1", "127.0.0.1"])
    calls = []

    def rebinding(host, port_, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port_, *args, **kwargs)
        calls.append(host)
        address = next(answers)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port_))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    with pytest.raises(sources.SourceUnavailable) as caught:
        fetch(f"http://rebind.test:{port}/tax/{{id_no}}", elder)
    # 192.0.2.10 (documentation range) is itself refused; a public first answer would be
    # connected to directly — either way the loopback answer is never asked for.
    assert caught.value.blocked is True
    assert calls == ["rebind.test"]
    assert Handler.seen == []


def test_the_peer_address_is_checked_after_connecting(monkeypatch, port, elder):
    """Even if resolution were fooled, the address actually connected to is checked."""
    monkeypatch.setattr(
        http_module,
        "check_host",
        lambda host, port_: socket.getaddrinfo("127.0.0.1", port_, type=socket.SOCK_STREAM),
    )
    with pytest.raises(sources.SourceUnavailable) as caught:
        fetch(f"http://127.0.0.1:{port}/tax/{{id_no}}", elder)
    assert caught.value.blocked is True
    assert Handler.seen == []


def test_the_rule_trace_says_why(port, elder, code):
    http_connector(f"http://127.0.0.1:{port}/tax/{{id_no}}", mapping={"paid": "data.paid"})
    rule_set = rule_set_save(
        rule_set=None,
        item_code=code,
        name="规则",
        mode="instant",
        rules=[
            {
                "name": "已缴税",
                "expression": "tax.paid",
                "message": "未缴税",
                "severity": "blocking",
            }
        ],
        actor=None,
    )
    ev = evaluate(
        rule_set=rule_set, subject=Subject.of_person(elder), form={}, answers={}, today=TODAY
    )
    assert ev.outcome == "needs_review"
    assert ev.trace[0]["result"] == "error"
    assert ev.trace[0]["reason"] == (
        "数据来源“税务信息”的地址指向内部网络，已被安全策略拦截；"
        "如确需访问，请系统管理员将该主机加入允许名单。"
    )
    assert Handler.seen == []
