"""`make demo` prints one line counting the licences not issued at approval, not a warning each."""

from __future__ import annotations

import logging

from tongban.cases import demo_licences
from tongban.cases.services import licensing


def test_the_refusals_are_counted_and_other_warnings_pass(caplog):
    lines: list[str] = []
    with caplog.at_level(logging.WARNING, logger="tongban.cases"):
        with demo_licences.approval_refusals_counted(lines.append):
            for case_no in ("C1", "C2", "C3"):
                licensing.logger.warning(licensing.NOT_ISSUED_AT_APPROVAL, case_no, "invalid_data")
            licensing.logger.warning("something else")
        licensing.logger.warning(licensing.NOT_ISSUED_AT_APPROVAL, "C4", "invalid_data")
    assert [r.getMessage() for r in caplog.records] == [
        "something else",
        "licence of case C4 not issued at approval: invalid_data",
    ]
    assert lines == [
        "licences: 3 not issued at approval (the demo forms do not ask every licence field): "
        "issued at the ISSUE step with the data completed"
    ]
