"""Fixtures for the deployment tests: the case fixtures of tests/cases (an item of 民政局, an
applicant, a clerk and reviewers) and helpers to start local servers."""

from __future__ import annotations

import socket

from tests.cases.conftest import (  # noqa: F401
    applicant,
    approver,
    at,
    clerk,
    code,
    item,
    mzj,
    other_applicant,
    reviewer,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
