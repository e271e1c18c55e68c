"""Rating policy read from settings: rectification deadlines (per region), the burst
thresholds, the SMS link's lifetime and the optional default rating (Guangdong's 7 days).

Rectification deadlines are working days (``tongban.core.workdays``) counted from the rating:
``TONGBAN_RECTIFICATION_VERIFY_DAYS`` (回访核实, default 1) and ``TONGBAN_RECTIFICATION_DAYS``
(整改答复, default 15); ``TONGBAN_RECTIFICATION_REGION_DAYS`` overrides both for regions, as
``code=verify/rectify`` pairs separated by commas (``4403=1/5,110105=1/7``): the longest region
code prefix that matches the rated department's region wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Deadlines:
    verify_days: int
    rectify_days: int


def _setting(name: str, default):
    return getattr(settings, name, default)


def parse_region_days(text: str) -> dict[str, Deadlines]:
    """``"4403=1/5,110105=2/7"`` → {"4403": Deadlines(1, 5), …}; raises ValueError on bad text."""
    table: dict[str, Deadlines] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        code, _sep, days = part.partition("=")
        verify, _sep2, rectify = days.partition("/")
        if not code.strip().isdigit():
            raise ValueError(f"bad region code in {part!r}")
        table[code.strip()] = Deadlines(int(verify), int(rectify))
    return table


def deadlines_for(region_code: str | None) -> Deadlines:
    default = Deadlines(
        int(_setting("TONGBAN_RECTIFICATION_VERIFY_DAYS", 1)),
        int(_setting("TONGBAN_RECTIFICATION_DAYS", 15)),
    )
    table = parse_region_days(_setting("TONGBAN_RECTIFICATION_REGION_DAYS", ""))
    code = region_code or ""
    best = ""
    for prefix in table:
        if code.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return table[best] if best else default


def link_days() -> int:
    return int(_setting("TONGBAN_RATING_LINK_DAYS", 7))


def default_days() -> int:
    """0 (the default) turns the default rating off."""
    return int(_setting("TONGBAN_RATING_DEFAULT_DAYS", 0))


def burst_window_seconds() -> int:
    return int(_setting("TONGBAN_RATING_BURST_WINDOW_SECONDS", 300))


def burst_count() -> int:
    """This many ratings (including the new one) from one device or address within the window
    flag the newest for review."""
    return int(_setting("TONGBAN_RATING_BURST_COUNT", 5))


def quick_seconds() -> int:
    """A rating on a counter device this many seconds or fewer after the service is flagged."""
    return int(_setting("TONGBAN_RATING_QUICK_SECONDS", 5))


def device_request_minutes() -> int:
    """A device's pending request lapses after this many minutes without a rating."""
    return int(_setting("TONGBAN_RATING_DEVICE_REQUEST_MINUTES", 10))
