"""A generic HTTP JSON connector for another department's system.

``config``: ``url`` (a template: ``{id_no}`` and ``{kind}`` are replaced, URL-quoted),
``auth_header`` and ``auth_env`` (the header's value is read from that environment variable, so
the secret never sits in the database), ``timeout`` (seconds, default 2, at most 30) and
``mapping`` (``{field: "dotted.json.path"}``; a field without a mapping is read at the top
level). The answer must be a JSON object; anything else is malformed, i.e. the source is
unavailable.

SSRF guard (docs/security.md): the host is resolved here and every address it resolves to must
be a public one — loopback, private, link-local, unique-local, shared, multicast, reserved and
unspecified addresses (IPv4 and IPv6, IPv4-mapped and embedded forms, any way the IP is written:
the resolver reads decimal and hex forms) are refused unless an administrator allow-lists the
host (``TONGBAN_CONNECTOR_ALLOWED_HOSTS``). The connection goes to the checked address itself
(no second look-up for DNS rebinding to change), the peer address is checked again once
connected, no environment proxy is used, and redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

from django.conf import settings

MAX_BYTES = 1_000_000


class BlockedAddress(ValueError):
    """The connector's host is (or resolves to) an internal address that is not allow-listed."""

    def __init__(self, host: str, address: str):
        self.host = host
        self.address = address
        super().__init__(f"blocked internal address {address} for host {host}")


def _dig(document: Any, path: str) -> Any:
    node = document
    for part in path.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def is_public(address: str) -> bool:
    """True only for a globally routable unicast address (IPv4-mapped, 6to4 and Teredo IPv6
    forms are judged by the IPv4 address inside them)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if inner is not None and not is_public(str(inner)):
            return False
    return bool(ip.is_global and not ip.is_multicast and not ip.is_reserved)


def _host_key(host: str) -> str:
    return host.strip("[]").lower().rstrip(".")


def allow_listed(host: str) -> bool:
    allowed = {_host_key(h) for h in getattr(settings, "TONGBAN_CONNECTOR_ALLOWED_HOSTS", [])}
    return _host_key(host) in allowed


def check_host(host: str, port: int) -> list[tuple]:
    """Resolve ``host``; the address records to connect to, all public unless allow-listed.
    Raises BlockedAddress for an internal address, OSError when the name does not resolve."""
    records = socket.getaddrinfo(_host_key(host), port, type=socket.SOCK_STREAM)
    if not allow_listed(host):
        for _family, _type, _proto, _name, sockaddr in records:
            if not is_public(sockaddr[0]):
                raise BlockedAddress(host, sockaddr[0])
    return records


def _guarded_connection(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """``socket.create_connection`` that connects only to the addresses ``check_host`` passed,
    and checks the address it actually reached."""
    host, port = address
    error: OSError | None = None
    for family, type_, proto, _name, sockaddr in check_host(host, port):
        sock = socket.socket(family, type_, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            sock.connect(sockaddr)
            peer = sock.getpeername()[0]
            if not allow_listed(host) and not is_public(peer):
                raise BlockedAddress(host, peer)
            return sock
        except BlockedAddress:
            sock.close()
            raise
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"could not connect to {host}")


class _GuardedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = _guarded_connection


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_GuardedHTTPConnection, req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_GuardedHTTPSConnection, req, context=self._context)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise ValueError(f"redirect ({code}) not followed")


def opener() -> urllib.request.OpenerDirector:
    """An opener with the SSRF guard, no environment proxy and no redirects."""
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),
        _GuardedHTTPHandler(),
        _GuardedHTTPSHandler(),
        _NoRedirects(),
    )


def build_request(config: dict, subject) -> tuple[urllib.request.Request, float]:
    template = str(config.get("url") or "")
    url = template.replace("{id_no}", quote(subject.id_no, safe="")).replace(
        "{kind}", quote(subject.kind, safe="")
    )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("url must be http(s)")
    headers = {"Accept": "application/json"}
    header = str(config.get("auth_header") or "")
    if header:
        secret = os.environ.get(str(config.get("auth_env") or ""), "")
        if not secret:
            raise LookupError("secret environment variable not set")
        headers[header] = secret
    timeout = min(max(float(config.get("timeout") or 2.0), 0.05), 30.0)
    return urllib.request.Request(url, headers=headers, method="GET"), timeout  # noqa: S310 - http(s) checked above


def fetch(connector, subject, fields: list[str]) -> dict[str, Any]:
    config = connector.config or {}
    request, timeout = build_request(config, subject)
    try:
        response_cm = opener().open(request, timeout=timeout)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, BlockedAddress):
            raise exc.reason from None
        raise
    with response_cm as response:
        body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError("response too large")
    document = json.loads(body.decode("utf-8"))
    if not isinstance(document, dict):
        raise ValueError("malformed response: not an object")
    mapping = config.get("mapping") or {}
    return {name: _dig(document, str(mapping.get(name) or name)) for name in fields}
