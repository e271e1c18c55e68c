"""How the demo's tickets end up: the share of each path, and how many tickets of a path one
template made through the services stands for (the rest are its clones).

A *closed* path happens anywhere in the past six months (its clones move by whole weeks); an
*open* one is anchored to today (its clones stay on the template's day, up to a few hours
apart).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    share: float  # of all tickets (``closed`` takes what the others leave)
    per_template: int  # tickets per template (the template and its clones)
    min_templates: int
    open: bool = False


KINDS = [
    # Handled and called back, along one of ``CLOSED_VARIANTS``.
    Kind("closed", 0.0, 90, 12),
    Kind("reopened_closed", 0.02, 40, 1),
    # Closed at intake (国办函〔2025〕66号 (二)).
    Kind("direct_answer", 0.13, 80, 2),
    Kind("emergency_transfer", 0.01, 40, 1),
    Kind("legal_route", 0.02, 40, 1),
    Kind("explain_close", 0.01, 40, 1),
    Kind("police_referral", 0.003, 40, 1),
    # A repeated request merged into the first one (并单); the first one is closed normally.
    Kind("merged", 0.015, 20, 1),
    # Open today.
    Kind("received", 0.006, 5, 3, open=True),
    Kind("dispatched", 0.009, 5, 2, open=True),
    Kind("return_requested", 0.004, 5, 2, open=True),
    Kind("handling", 0.04, 6, 10, open=True),
    Kind("replied", 0.014, 5, 2, open=True),
    Kind("reopened_open", 0.003, 5, 1, open=True),
    Kind("escalated_open", 0.003, 5, 2, open=True),
]

# Paths of the closed tickets, in a repeating pattern of 80 (the first 12 cover every path):
# about one in eleven closed tickets went through a return (退单).
CLOSED_VARIANTS = [
    "ok", "return_accepted", "extended", "late_reply", "return_rejected", "late_sign", "urged",
    "return_twice", "unsolved", "return_chain", "extension_refused", "centre_designated",
    *["ok"] * 20, "extended", "urged", "late_reply", "return_accepted", "late_sign",
    *["ok"] * 20, "extended", "unsolved", "late_reply", "extension_refused", "return_accepted",
    *["ok"] * 18,
]  # fmt: skip
# The callback of a closed ticket, in a repeating pattern of 20.
SATISFACTION = [
    "satisfied", "satisfied", "basic", "dissatisfied", "unreachable", "satisfied", "satisfied",
    "satisfied", "basic", "satisfied", "satisfied", "satisfied", "basic", "satisfied",
    "satisfied", "satisfied", "satisfied", "basic", "satisfied", "dissatisfied",
]  # fmt: skip
RECEIVED_VARIANTS = ["unresolved", "waiting", "consultation"]
DISPATCHED_VARIANTS = ["fresh", "sign_overdue", "fresh", "hazard"]
RETURN_VARIANTS = ["first", "second"]
HANDLING_VARIANTS = [
    "normal", "overdue", "extended", "extension_pending", "normal", "urged", "blue", "normal",
    "escalated", "extended_late",
]  # fmt: skip
REPLIED_VARIANTS = ["fresh", "attempted"]
ESCALATED_VARIANTS = ["reopened_thrice", "manual"]

# Where tickets come from (weights).
SOURCES = [
    ("phone", 62),
    ("web", 12),
    ("mobile", 10),
    ("mini", 6),
    ("grid", 5),
    ("open311", 3),
    ("imported", 2),
]
# The units an operator confuses a department's matters with (for the return paths).
CONFUSED = {
    "cgj": ["zjj", "sthj"],
    "zjj": ["cgj", "zrzy"],
    "sthj": ["cgj", "zjj"],
    "gaj": ["cgj", "jtj"],
    "rsj": ["ybj", "scjg"],
    "ybj": ["rsj", "wjw"],
    "wjw": ["ybj", "scjg"],
    "jyj": ["scjg", "rsj"],
    "jtj": ["gaj", "cgj"],
    "scjg": ["jyj", "cgj"],
    "mzj": ["rsj", "tyjr"],
    "zrzy": ["zjj", "cgj"],
    "zwzx": ["sjj", "xzsp"],
    "sjj": ["zwzx", "xzsp"],
    "tyjr": ["mzj", "rsj"],
}
