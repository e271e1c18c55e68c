"""How fast the hotline reports and the merge sweep are on a large hotline.

    .venv/bin/python bench/hotline_reports.py [--tickets 1000000] [--day 10000]
    scripts/with-postgres.sh .venv/bin/python bench/hotline_reports.py     # on PostgreSQL

Sets up Django itself (``bench/kpis.py``'s ``setup_django``: production settings, a throwaway
data directory, migrations), then writes test data straight into the tables (``insert``: COPY on
PostgreSQL, executemany on SQLite): the demo district's 6 streets and 24 communities, 20 units,
90 leaf subjects, and ``--tickets`` tickets over the six months before today with realistic
mixes — sources (phone most, grid about a tenth), types, subjects and addresses skewed (a few
hot spots get many calls), 5 % merged into another, 15 % closed at intake, the rest dispatched,
signed and replied mostly on time; returns on 3 %, extensions on 4 %, call-backs on 60 %
(mostly satisfied). Yesterday gets ``--day`` new tickets (for the sweep).

Measures (median and best of 3 warm runs, with the load average): (a) the monthly report of last month (``reports.build``: every
figure, breakdown and hot topic) and its Excel workbook — target ≤ 10 s on PostgreSQL; (b) the
merge sweep (``hotline.services.merging.merge_sweep``) over yesterday's tickets against the open
ones — target ≤ 30 s ("not available yet" while the sweep is not written). Prints the figures;
never fails on time.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import itertools
import os
import random
import secrets
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kpis import insert, setup_django  # bench/kpis.py: the same set-up and COPY

SH = dt.timezone(dt.timedelta(hours=8))
STREETS = ["云溪街道", "东湖街道", "西岭街道", "南塘街道", "青石镇", "白沙镇"]
ROADS = ["云溪路", "望湖路", "桂花路", "学府路", "东湖路", "湖滨路", "新塘路", "春晖街", "西岭路"]
SOURCES = [("phone", 55), ("web", 12), ("mobile", 10), ("mini", 8), ("grid", 12), ("open311", 3)]
TYPES = [
    ("complaint", 35),
    ("help", 30),
    ("consultation", 20),
    ("report", 5),
    ("suggestion", 8),
    ("praise", 2),
]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _row(model, values: dict) -> tuple:
    """A row for every concrete column: ``values`` first, else the field's default."""
    out = []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.attname in values:
            out.append(values[f.attname])
        elif f.has_default():
            out.append(f.get_default())
        elif f.null:
            out.append(None)
        else:
            out.append("")
    return tuple(out)


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def make_world(n_tickets: int, n_day: int) -> dict:
    from django.db import connection

    from tongban.core.models import Department, Region
    from tongban.core.models.regions import RegionLevel
    from tongban.hotline.models import (
        Callback,
        Subject,
        Ticket,
        TicketAssignment,
        TicketExtension,
        TicketReturn,
    )

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    rng = random.Random(12345)
    district = Region.objects.create(code="330199", name="云溪区", level=RegionLevel.DISTRICT)
    streets, communities = [], []
    for i, name in enumerate(STREETS):
        code = f"330199{i + 1:03d}" if i < 4 else f"330199{96 + i:03d}"
        street = Region.objects.create(
            code=code, name=name, level=RegionLevel.STREET, parent=district
        )
        streets.append(street)
        for j in range(4):
            communities.append(
                Region.objects.create(
                    code=f"{code}{j + 1:03d}",
                    name=f"{name[:2]}第{j + 1}社区",
                    level=RegionLevel.COMMUNITY,
                    parent=street,
                )
            )
    units = [
        Department.objects.create(code=f"u{i:02d}", name=f"云溪区第{i + 1}单位", region=district)
        for i in range(20)
    ]
    staff_user = _bench_user()
    subjects = []
    for a in range(6):
        top = Subject.objects.create(code=f"{a + 1:02d}", name=f"大类{a + 1}", level=1)
        for b in range(3):
            mid = Subject.objects.create(
                code=f"{a + 1:02d}.{b + 1:02d}", name=f"中类{a + 1}-{b + 1}", parent=top, level=2
            )
            for c in range(5):
                subjects.append(
                    Subject.objects.create(
                        code=f"{a + 1:02d}.{b + 1:02d}.{c + 1:02d}",
                        name=f"诉求{a + 1}-{b + 1}-{c + 1}",
                        parent=mid,
                        level=3,
                    )
                )
    # skewed choices: a few subjects, communities and addresses get most of the calls
    subject_w = [1 / (k + 1) ** 0.8 for k in range(len(subjects))]
    address_pool = [
        (community, f"云溪区{community.parent.name}{rng.choice(ROADS)}{n}号")
        for community in communities
        for n in range(1, 201)
    ]
    address_w = [1 / (k + 1) ** 0.9 for k in range(len(address_pool))]
    rng.shuffle(address_w)
    # cumulative weights once (``choices`` would add up 4,800 weights on every draw; the draws
    # are the same either way)
    subject_cw = list(itertools.accumulate(subject_w))
    address_cw = list(itertools.accumulate(address_w))
    today = dt.datetime.now(SH).date()
    first = today - dt.timedelta(days=183)
    yesterday = today - dt.timedelta(days=1)
    meta: list[tuple[str, dt.datetime, int, str]] = []  # (ticket_no, replied, unit, status)

    def tickets():
        for k in range(n_tickets):
            day = yesterday if k < n_day else first + dt.timedelta(days=rng.randrange(182))
            created = dt.datetime.combine(day, dt.time(0), tzinfo=SH) + dt.timedelta(
                minutes=rng.randrange(24 * 60)
            )
            subject = rng.choices(subjects, cum_weights=subject_cw, k=1)[0]
            community, address = rng.choices(address_pool, cum_weights=address_cw, k=1)[0]
            unit = units[subject.pk % len(units)]
            roll = rng.random()
            values = {
                "ticket_no": f"12345-{day:%Y%m%d}-B{k:08d}",
                "source": _weighted(rng, SOURCES),
                "ticket_type": _weighted(rng, TYPES),
                "subject_id": subject.pk,
                "title": f"{address}{subject.name}",
                "content": f"{address}反映{subject.name}问题，请尽快处理。",
                "address": address,
                "region_id": community.pk,
                "street_id": community.parent_id,
                "created_at": created,
                "status": "received",
                "version": 1,
            }
            recent = (today - day).days < 10
            if roll < 0.05:
                values.update(status="merged")
            elif roll < 0.20:
                values.update(status="closed", closed_at=created + dt.timedelta(minutes=8))
            else:
                sign_due = created + dt.timedelta(hours=rng.choice([1, 24]))
                handle_due = created + dt.timedelta(days=rng.choice([3, 5, 10]))
                signed = created + dt.timedelta(
                    minutes=rng.randrange(5, 90 if rng.random() < 0.93 else 3000)
                )
                late = rng.random() < 0.08
                replied = (
                    handle_due + dt.timedelta(days=rng.randrange(1, 4))
                    if late
                    else (created + (handle_due - created) * rng.random())
                )
                values.update(
                    department_id=unit.pk,
                    dispatched_at=created + dt.timedelta(minutes=5),
                    sign_due=sign_due,
                    signed_at=signed,
                    handle_due=handle_due,
                    dispatch_count=1,
                )
                if recent and rng.random() < 0.5:
                    values.update(status="handling")
                else:
                    values.update(status="closed", replied_at=replied, closed_at=replied)
                    meta.append((values["ticket_no"], replied, unit.pk, "closed"))
            yield _row(Ticket, values)

    t0 = time.perf_counter()
    counts = {"tickets": insert(Ticket, _columns(Ticket), tickets())}
    ids = dict(
        Ticket.objects.filter(status="closed", dispatched_at__isnull=False)
        .values_list("ticket_no", "pk")
        .iterator(chunk_size=50_000)
    )
    chosen = [(ids[no], replied, unit) for no, replied, unit, _s in meta if no in ids]

    def assignments():
        for pk, replied, unit in chosen:
            if rng.random() < 0.07:
                at = replied - dt.timedelta(days=2)
                yield _row(
                    TicketAssignment,
                    {
                        "ticket_id": pk,
                        "department_id": unit,
                        "role": "lead",
                        "status": "replied",
                        "round": 1,
                        "dispatched_at": at,
                        "sign_due": at,
                        "return_due": at,
                        "handle_due": replied,
                        "replied_at": replied,
                    },
                )

    counts["assignments"] = insert(TicketAssignment, _columns(TicketAssignment), assignments())
    assignment_rows = list(TicketAssignment.objects.values_list("pk", "replied_at"))

    def returns():
        for pk, replied in assignment_rows[: len(assignment_rows) * 3 // 7]:
            yield _row(
                TicketReturn,
                {
                    "assignment_id": pk,
                    "reason": "not_our_duty",
                    "explanation": "不属于本单位职责",
                    "requested_at": replied - dt.timedelta(days=1),
                    "requested_by_id": staff_user.pk,
                    "decision": rng.choice(["approved", "refused", "refused"]),
                },
            )

    def extensions():
        for pk, replied in assignment_rows[len(assignment_rows) * 3 // 7 :]:
            yield _row(
                TicketExtension,
                {
                    "assignment_id": pk,
                    "reason": "需协调",
                    "requested_due": replied + dt.timedelta(days=5),
                    "requested_at": replied - dt.timedelta(days=1),
                    "requested_by_id": staff_user.pk,
                    "decision": rng.choice(["approved", "approved", "refused"]),
                },
            )

    counts["returns"] = insert(TicketReturn, _columns(TicketReturn), returns())
    counts["extensions"] = insert(TicketExtension, _columns(TicketExtension), extensions())

    def callbacks():
        for pk, replied, _unit in chosen:
            if rng.random() < 0.75:
                yield _row(
                    Callback,
                    {
                        "ticket_id": pk,
                        "due": replied + dt.timedelta(days=2),
                        "status": "done",
                        "attempts": 1,
                        "satisfaction": _weighted(
                            rng, [("satisfied", 80), ("basic", 13), ("dissatisfied", 7)]
                        ),
                        "solved": rng.random() < 0.9,
                        "done_at": replied + dt.timedelta(hours=rng.randrange(2, 40)),
                    },
                )

    counts["callbacks"] = insert(Callback, _columns(Callback), callbacks())
    if connection.vendor == "postgresql":
        # what autovacuum does to a live database (statistics and the visibility map, so that
        # the reports' index-only scans are possible); right after COPY neither exists yet
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    counts["load seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def _bench_user():
    from tongban.core.models import User

    return User.objects.create(username="bench", display_name="基准测试")


def best_of(fn, runs: int = 3) -> tuple[float, list[float], object]:
    times, result = [], None
    for _i in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), times, result


def throwaway_keys() -> None:
    """Production settings refuse to start without personal-data keys: throwaway ones."""
    os.environ.setdefault(
        "TONGBAN_DATA_KEYS", "bench:" + base64.b64encode(secrets.token_bytes(32)).decode()
    )
    os.environ.setdefault(
        "TONGBAN_BLIND_INDEX_KEY", base64.b64encode(secrets.token_bytes(32)).decode()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--day", type=int, default=10_000)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    with tempfile.TemporaryDirectory(prefix="tongban-bench-hotline-reports-") as data_dir:
        throwaway_keys()
        setup_django(data_dir)
        from django.db import connection
        from django.utils import translation

        from tongban.hotline import reports

        translation.activate("zh-hans")
        counts = make_world(args.tickets, args.day)
        print(f"database: {connection.vendor}; rows: {counts}")
        today = dt.datetime.now(SH).date()
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        period = reports.period_of("month", month)
        reports.build(period)  # warm
        best, times, report = best_of(lambda: reports.build(period))
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"monthly report {month:%Y-%m} ({report.volume} tickets in the month): median "
            f"{statistics.median(times):.2f} s, best {best:.2f} s, runs "
            f"{', '.join(f'{x:.2f}' for x in times)} (target ≤ 10 s); load average {load}"
        )
        for label, value in reports.summary_rows(report):
            print(f"  {label}: {value}")
        print(
            "  hot subjects: " + ", ".join(f"{r.label} +{r.rise}" for r in report.hot_subjects[:3])
        )
        best_x, _t, data = best_of(lambda: reports.workbook(report))
        print(f"Excel workbook: {best_x:.2f} s, {len(data) // 1024} KiB")
        day = reports.period_of("day", today - dt.timedelta(days=1))
        best_d, _t, _r = best_of(lambda: reports.build(day))
        print(f"daily report of yesterday ({args.day} tickets): best {best_d:.2f} s")
        sweep(today, args.day)


def sweep(today: dt.date, n_day: int) -> None:
    try:
        from tongban.hotline.services.merging import merge_sweep
    except ImportError:
        print("merge sweep: not available yet")
        return
    start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(0), tzinfo=SH)
    t = time.perf_counter()
    try:
        found = merge_sweep(since=start, until=start + dt.timedelta(days=1))
    except NotImplementedError:
        print("merge sweep: not available yet")
        return
    seconds = time.perf_counter() - t
    print(
        f"merge sweep over a day's {n_day} new tickets: {seconds:.1f} s, {found} new "
        f"suggestions (target ≤ 30 s)"
    )


if __name__ == "__main__":
    main()
