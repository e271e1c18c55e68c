"""A generic HTTP JSON connector for another department's system.

``config``: ``url`` (a template: ``{id_no}`` and ``{kind}`` are replaced, URL-quoted),
``auth_header`` and ``auth_env`` (the header's value is read from that environment variable, so
the secret never sits in the database), ``timeout`` (seconds, default 2, at most 30) and
``mapping`` (``{field: "dotted.json.path"}``; a field without a mapping is read at the top
level). The answer must be a JSON object; anything else is malformed, i.e. the source is
unavailable.
"""

from __future__ import annotations

import json
import os
import urllib.request
from typing import Any
from urllib.parse import quote, urlsplit

MAX_BYTES = 1_000_000


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


def build_request(config: dict, subject) -> tuple[urllib.request.Request, float]:
    template = str(config.get("url") or "")
    url = template.replace("{id_no}", quote(subject.id_no, safe="")).replace(
        "{kind}", quote(subject.kind, safe="")
    )
    if urlsplit(url).scheme not in ("http", "https"):
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
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only
        body = response.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise ValueError("response too large")
    document = json.loads(body.decode("utf-8"))
    if not isinstance(document, dict):
        raise ValueError("malformed response: not an object")
    mapping = config.get("mapping") or {}
    return {name: _dig(document, str(mapping.get(name) or name)) for name in fields}
