"""What a py-spy profile of the load says: the share of the samples inside each view or API
function (inclusive), and the hottest tongban frames.

    .venv/bin/python bench/load/profile_report.py /tmp/tongban-profiles/profile-mix-sqlite.txt

The input is py-spy's ``raw`` format (collapsed stacks: ``frame;frame;… count``), which
bench/load/run.py ``--profile`` writes next to the flame graph.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

ENTRY_MARKERS = ("/views/", "/api.py", "/api_", "/open311/")
HOT_MARKERS = ("tongban/", "django/template", "sql/compiler", "sqlite3", "psycopg")


def _short(frame: str) -> str:
    name, _sep, where = frame.partition(" (")
    path = where.split(":")[0]
    if "site-packages/" in path:
        path = path.split("site-packages/")[1]
    elif "tongban/" in path:
        path = "tongban/" + path.split("tongban/", 1)[1]
    return f"{path}: {name}"


def summarise(path: Path, *, top: int = 12) -> list[str]:
    entries: Counter[str] = Counter()
    hot: Counter[str] = Counter()
    total = in_request = 0
    for line in path.read_text().splitlines():
        stack, _sep, count = line.rstrip().rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        if any("handle_request" in f or "get_response" in f for f in frames):
            in_request += n
        for frame in frames:
            if any(m in frame for m in ENTRY_MARKERS) and "tongban/" in frame:
                entries[_short(frame)] += n
                break
        for frame in {_short(f) for f in frames if any(m in f for m in HOT_MARKERS)}:
            hot[frame] += n
    if not total:
        return ["no samples"]
    out = [
        f"{total} samples, {100 * in_request / total:.1f} % inside a request",
        "entry views and API functions (inclusive share of all samples):",
    ]
    out += [f"  {100 * n / total:5.1f} %  {name}" for name, n in entries.most_common(top)]
    out.append("hottest tongban, template and database frames (inclusive):")
    out += [f"  {100 * n / total:5.1f} %  {name}" for name, n in hot.most_common(2 * top)]
    return out


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print("\n".join(summarise(Path(arg))))
