"""How fast the supervision KPIs and the monthly report are on a large district.

    .venv/bin/python bench/kpis.py [--cases 1000000] [--ratings 300000]
    scripts/with-postgres.sh .venv/bin/python bench/kpis.py      # on PostgreSQL

Sets up Django itself (production settings, a throwaway data directory, migrations applied
quietly), then writes test data straight into the tables (historic cases are test data, not a
service path): 12 departments with 3 published items each, 20,000 applicants, ``--cases`` cases
spread over the 24 months before this one (accepted, concluded on time or late, some refused,
some still open or suspended, channels mixed) and ``--ratings`` ratings (mostly good, the bad
ones with rectifications). COPY on PostgreSQL, executemany on SQLite.

Measures (best of 3, warm): (a) the full monthly KPI set of last month for the district and for
every department (``kpis.figures`` + ``kpis.figures_by("department")``: 26 KPIs, ratings
included); targets ≤ 1.5 s on PostgreSQL and ≤ 3 s on SQLite; (b) ``tongban report monthly``
for last month (workbook with the case lists, PDF), target ≤ 30 s. Prints the figures and the
row counts; never fails on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import tempfile
import time

SH = dt.timezone(dt.timedelta(hours=8))
CHUNK = 20_000


def setup_django(data_dir: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "tongban.config.settings.production",
            "TONGBAN_DATA_DIR": data_dir,
            "TONGBAN_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40),
            "TONGBAN_SSL_REDIRECT": "false",
            "TONGBAN_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "TONGBAN_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def insert(model, columns: list[str], rows) -> int:
    """Write ``rows`` (tuples in ``columns`` order) into ``model``'s table; returns the count."""
    from django.db import connection

    table = model._meta.db_table
    n = 0
    batch: list[tuple] = []

    def flush():
        if not batch:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
                cursor.executemany(sql, batch)
        batch.clear()

    for row in rows:
        batch.append(row)
        n += 1
        if len(batch) >= CHUNK:
            flush()
    flush()
    return n


def make_world(n_cases: int, n_ratings: int) -> dict:
    from django.db import connection
    from stdnum.cn import uscc

    from tongban.cases.models import Case
    from tongban.catalog.services import item_save_spec
    from tongban.core.models import Department, Person, Region
    from tongban.core.models.regions import RegionLevel
    from tongban.ratings.models import Rating, Rectification

    if connection.vendor == "sqlite":  # a throwaway database: no fsync while loading
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
    rng = random.Random(2026)
    district = Region.objects.create(code="330199", name="云溪区", level=RegionLevel.DISTRICT)
    depts, versions = [], []
    for i in range(12):
        code = "11" + "330199" + f"MB{i:08d}"[:9]
        code = code[:17] + uscc.calc_check_digit(code[:17])
        d = Department.objects.create(
            code=f"d{i:02d}", name=f"云溪区第{i + 1}局", region=district, credit_code=code
        )
        depts.append(d)
        for j in range(3):
            v = item_save_spec(
                spec={
                    "department": d.code,
                    "basic_code": f"0001{i:02d}{j:02d}0000",
                    "exercise_level": "4",
                    "name": f"事项{i}-{j}",
                    "item_type": "07",
                    "legal_limit_days": 20,
                    "promised_limit_days": 5 + j * 2,
                    "online_depth": ["full", "preview", "offline"][j],
                    "materials": [{"seq": k + 1, "name": f"材料{k + 1}"} for k in range(2 + j)],
                },
                publish=True,
            )
            versions.append((v.pk, d.pk, v.promised_limit_days))
    people = [
        Person(name=f"申请人{k}", id_number=_ric(k), birth_date=dt.date(1980, 1, 1), gender="male")
        for k in range(20_000)
    ]
    Person.objects.bulk_create(people, batch_size=5000)
    person_ids = list(Person.objects.values_list("pk", flat=True))
    today = dt.date.today()
    first = (today.replace(day=1) - dt.timedelta(days=730)).replace(day=1)
    span = (today.replace(day=1) - first).days
    case_cols = [
        "case_no",
        "item_version_id",
        "department_id",
        "applicant_id",
        "channel",
        "answers",
        "form_data",
        "status",
        "version",
        "created_at",
        "accepted_on",
        "decided_at",
        "legal_due",
        "promised_due",
        "agent_authorisation",
        "delivery_method",
        "decision_reason",
        "received_at",
    ]
    channels = ["web", "web", "mobile", "window", "kiosk"]
    case_meta: list[tuple] = []

    def cases():
        for k in range(n_cases):
            vid, did, promised = versions[rng.randrange(len(versions))]
            accepted = first + dt.timedelta(days=rng.randrange(span))
            when = dt.datetime.combine(accepted, dt.time(9), tzinfo=SH)
            roll = rng.random()
            decided = None
            if roll < 0.03:
                status = "not_accepted"
                accepted_on = None
            elif roll < 0.06 and accepted > today - dt.timedelta(days=40):
                status, accepted_on = rng.choice(["in_review", "suspended"]), accepted
            else:
                status, accepted_on = "archived", accepted
                late = rng.random() < 0.06
                days = promised + rng.randrange(1, 8) if late else rng.randrange(0, promised + 1)
                decided = when + dt.timedelta(days=days * 7 / 5, hours=3)
            due = accepted + dt.timedelta(days=promised * 7 // 5) if accepted_on else None
            legal = accepted + dt.timedelta(days=28) if accepted_on else None
            if k < n_ratings and decided is not None:
                case_meta.append((f"B{k:09d}", did, vid, decided))
            yield (
                f"B{k:09d}",
                vid,
                did,
                person_ids[k % len(person_ids)],
                rng.choice(channels),
                "{}",
                "{}",
                status,
                1,
                when,
                accepted_on,
                decided,
                legal,
                due,
                "",
                "",
                "",
                when,
            )

    t0 = time.perf_counter()
    counts = {"cases": insert(Case, case_cols, cases())}
    codes = dict(
        (v.pk, v.item.implementation_code)
        for v in __import__(
            "tongban.catalog.models", fromlist=["x"]
        ).ServiceItemVersion.objects.select_related("item")
    )
    rating_cols = [
        "service_kind",
        "service_ref",
        "department_id",
        "item_code",
        "channel",
        "level",
        "answers",
        "reasons",
        "comment",
        "real_name",
        "device",
        "address_hash",
        "concluded_at",
        "rated_at",
        "flagged",
        "flag_reason",
        "appeal_result",
    ]
    levels = [5] * 80 + [4] * 12 + [3] * 5 + [2] * 2 + [1]
    bad: list[str] = []

    def ratings():
        for ref, did, vid, decided in case_meta[:n_ratings]:
            level = rng.choice(levels)
            if level <= 2:
                bad.append(ref)
            yield (
                "case",
                ref,
                did,
                codes[vid],
                rng.choice(["web", "sms", "device"]),
                level,
                "{}",
                "[]",
                "",
                True,
                "",
                "",
                decided,
                decided + dt.timedelta(hours=2),
                False,
                "",
                "",
            )

    counts["ratings"] = insert(Rating, rating_cols, ratings())
    rect_rows = Rating.objects.filter(level__lte=2).values_list("pk", "department_id", "rated_at")

    def rects():
        for pk, did, rated in rect_rows.iterator():
            closed = rng.random() < 0.9
            yield (
                pk,
                did,
                "closed" if closed else "rectifying",
                rated + dt.timedelta(days=1),
                rated + dt.timedelta(days=21),
                "immediate" if closed else "",
                rated + dt.timedelta(days=3) if closed else None,
                rated + dt.timedelta(days=5) if closed else None,
                "",
                1,
            )

    counts["rectifications"] = insert(
        Rectification,
        [
            "rating_id",
            "department_id",
            "status",
            "verify_due",
            "due",
            "outcome",
            "responded_at",
            "closed_at",
            "appeal_status",
            "version",
        ],
        rects(),
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["load_seconds"] = round(time.perf_counter() - t0, 1)
    return counts


def _ric(k: int) -> str:
    """A distinct valid resident identity number for each k (region + birth date + sequence)."""
    from stdnum.cn import ric

    born = dt.date(1970, 1, 1) + dt.timedelta(days=k // 1000)
    body = f"330199{born:%Y%m%d}{k % 1000:03d}"
    return body + ric.calc_check_digit(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--ratings", type=int, default=300_000)
    args = parser.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    with tempfile.TemporaryDirectory(prefix="tongban-bench-kpis-") as data_dir:
        setup_django(data_dir)
        from django.core.management import call_command
        from django.db import connection

        from tongban.supervision import kpis

        counts = make_world(args.cases, args.ratings)
        print(f"database: {connection.vendor}; rows: {counts}")
        today = dt.date.today()
        month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        period = kpis.month_period(month)
        times = []
        for _i in range(3):
            t = time.perf_counter()
            total = kpis.figures(period, today=today)
            by = kpis.figures_by("department", period, today=today)
            times.append(time.perf_counter() - t)
        target = 1.5 if connection.vendor == "postgresql" else 3.0
        print(
            f"monthly KPI set ({len(kpis.KPIS)} KPIs, district + {len(by)} departments): "
            f"best {min(times):.2f} s, runs {', '.join(f'{x:.2f}' for x in times)} "
            f"(target ≤ {target} s)"
        )
        for k in kpis.KPIS:
            print(f"  {k.key:28} {total.value(k.key)}")
        t = time.perf_counter()
        with open(os.devnull, "w") as devnull:
            call_command("report", "monthly", f"{month:%Y-%m}", stdout=devnull)
        seconds = time.perf_counter() - t
        print(f"report monthly {month:%Y-%m}: {seconds:.1f} s (target ≤ 30 s)")


if __name__ == "__main__":
    main()
