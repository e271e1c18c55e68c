"""The merge sweep (并单排查) over a day's new tickets.

    .venv/bin/python bench/hotline_merge.py                        # SQLite, 10,000 new tickets
    scripts/with-postgres.sh .venv/bin/python bench/hotline_merge.py   # PostgreSQL
    .venv/bin/python bench/hotline_merge.py --new 2000 --open 4000

Sets up Django (production settings, a throwaway data directory, migrations applied), the
district of bench/hotline_data.py (six streets, 12 departments, 60 subjects), then writes
``--open`` (20,000) open tickets over the three days before and ``--new`` (10,000) tickets of
one day, about one in ten repeating an earlier matter (same street, subject and place, in other
words) — test data written with bulk_create, not a service path. Then it times
``merge_sweep(since=day, until=day + 1)`` (target ≤ 30 s for 10,000 new tickets) and prints the
suggestions found by rule. Never fails on time.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
import hotline_data as data  # noqa: E402 - the bench's own test data, beside this file

TARGET_SECONDS = 30.0
SH = dt.timezone(dt.timedelta(hours=8))
ROADS = ["学府路", "望湖路", "湖滨路", "松林街", "运河路", "枫桥路", "锦绣路", "春晖巷", "茶园路"]
PLACES = ["小区门口", "路口", "公交站旁", "菜市场边", "学校东门", "商场后面", "桥下"]
OPENINGS = ["", "您好，", "我要反映，", "麻烦处理一下，", "市民来电反映："]
DETAILS = [
    "已经好几天了，一直没人管。",
    "影响居民正常生活，希望尽快处理。",
    "晚上尤其严重，老人小孩出行不便。",
    "之前反映过一次，还是没有解决。",
    "请相关部门派人到现场看看。",
]


def setup_django(data_dir: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
            "TONGBAN_DATA_DIR": data_dir,
            "TONGBAN_SECRET_KEY": secrets.token_urlsafe(40),
            "TONGBAN_SSL_REDIRECT": "false",
            "TONGBAN_ALLOWED_HOSTS": "localhost",
            "TONGBAN_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _text(rng: random.Random, word: str, road: str, number: int, place: str) -> tuple[str, str]:
    title = f"{road}{word}"
    content = (
        f"{rng.choice(OPENINGS)}{road}{number}号{place}{word}问题，{rng.choice(DETAILS)}"
        f"{rng.choice(DETAILS)}"
    )
    return title, content


def write_tickets(world: dict, *, new: int, open_: int, day: dt.date, seed: int = 7) -> None:
    from tongban.hotline.models import Ticket

    rng = random.Random(seed)
    streets = world["streets"]
    leaves = world["leaves"]
    start = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SH)
    matters = []  # (street, subject, word, road, number, place) of open tickets, to repeat
    rows = []
    n = 0

    def add(when, street, leaf, word, road, number, place, status):
        nonlocal n
        n += 1
        title, content = _text(rng, word, road, number, place)
        rows.append(
            Ticket(
                ticket_no=f"12345-{when:%Y%m%d}-B{n:07d}",
                source="phone",
                ticket_type="complaint",
                subject=leaf,
                title=title,
                content=content,
                address=f"云溪区{street.name}{road}{number}号",
                street=street,
                region=street,
                status=status,
                created_at=when,
            )
        )

    for _i in range(open_):
        when = start - dt.timedelta(seconds=rng.uniform(0, 3 * 86400))
        street = rng.choice(streets)
        leaf, _dept, word = rng.choice(leaves)
        matter = (street, leaf, word, rng.choice(ROADS), rng.randint(1, 300), rng.choice(PLACES))
        matters.append(matter)
        add(when, *matter, rng.choice(["received", "dispatched", "handling"]))
    for _i in range(new):
        when = start + dt.timedelta(seconds=rng.uniform(0, 86400 - 1))
        if matters and rng.random() < 0.1:
            matter = rng.choice(matters)
        else:
            street = rng.choice(streets)
            leaf, _dept, word = rng.choice(leaves)
            road, place = rng.choice(ROADS), rng.choice(PLACES)
            matter = (street, leaf, word, road, rng.randint(1, 300), place)
        add(when, *matter, rng.choice(["received", "received", "dispatched"]))
    Ticket.objects.bulk_create(rows, batch_size=2000)


def throwaway_keys() -> None:
    """Production settings refuse to start without personal-data keys: throwaway ones."""
    os.environ.setdefault(
        "TONGBAN_DATA_KEYS", "bench:" + base64.b64encode(secrets.token_bytes(32)).decode()
    )
    os.environ.setdefault(
        "TONGBAN_BLIND_INDEX_KEY", base64.b64encode(secrets.token_bytes(32)).decode()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--new", type=int, default=10_000, help="the day's new tickets")
    parser.add_argument("--open", type=int, default=20_000, help="open tickets before the day")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-merge-") as data_dir:
        throwaway_keys()
        setup_django(data_dir)
        from django.db import connection

        from tongban.hotline.models import MergeSuggestion
        from tongban.hotline.services.merging import merge_sweep, text_threshold, window

        print(f"database: {connection.vendor}")
        world = data.make_world()
        day = dt.date(2026, 6, 2)
        t0 = time.perf_counter()
        write_tickets(world, new=args.new, open_=args.open, day=day)
        print(
            f"wrote {args.new:,} new and {args.open:,} open tickets in {time.perf_counter() - t0:.1f} s"
        )
        since = dt.datetime.combine(day, dt.time(0, 0), tzinfo=SH)
        until = since + dt.timedelta(days=1)
        print(f"window {window()}, text threshold {text_threshold():.2f}")
        t0, c0 = time.perf_counter(), time.process_time()
        found = merge_sweep(since=since, until=until)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
        by_rule = {
            rule: MergeSuggestion.objects.filter(rule=rule).count() for rule in ("place", "text")
        }
        verdict = "OK" if seconds <= TARGET_SECONDS else "SLOWER THAN TARGET"
        print(
            f"merge sweep over {args.new:,} new tickets: {seconds:.1f} s "
            f"(CPU of this process {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}) "
            f"(target ≤ {TARGET_SECONDS:.0f} s: {verdict}); {found:,} suggestions "
            f"(place {by_rule['place']:,}, text {by_rule['text']:,})"
        )
        t0 = time.perf_counter()
        again = merge_sweep(since=since, until=until)
        print(f"second sweep (nothing new): {time.perf_counter() - t0:.1f} s, {again} suggestions")


if __name__ == "__main__":
    main()
