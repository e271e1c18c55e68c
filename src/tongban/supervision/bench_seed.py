"""Bulk test data for the data-scale benchmark (``tongban bench seed``): a year of cases and
tickets on top of the demo district, generated fast and deterministically.

Rows are written the way the services leave them — the case or ticket, its review tasks or
assignments and callbacks, and its hash-chained events with the stream's chain head (so
``verify_chain`` accepts them) — but in bulk: COPY text built here in large buffers on
PostgreSQL (one ``COPY … FROM STDIN`` per table and chunk, foreign-key triggers off for a
superuser, ``synchronous_commit`` off, the event tables' monthly partitions created first),
executemany on SQLite, in chunks of one transaction each. Times are whole UTC epoch seconds
formatted from tables; the canonical JSON of each event's hash is assembled from pieces encoded
once per (action, actor, states, reason) — ``_digest`` is the reference it must equal, and the
tests check it. Distributions:

- cases: items by popularity (Zipf over the published items, s = 1.1), the item's department,
  created on working days only (09:00–17:30, weekday volume), a third at the window and the rest
  online; states by age (older cases are mostly archived or delivered, recent ones submitted,
  in correction or in review); clocks from the working-day calendar; 5–10 events per case;
- tickets: every day of the year (weekends at 60 %), 07:00–23:00 with a daytime peak; subjects
  by popularity, the subject's owner from the published dispatch catalogue (else the street of
  the address), source phone 70 % / web 12 % / app 8 % / grid 7 % / Open311 3 %, types weighted
  as a city hotline's (complaint and help first); states by age; 2–5 events per ticket.

Cases and tickets are written in alternating chunks in proportion to the sizes asked for, so a
run stopped early (Ctrl-C: the current chunk is finished, then counters, sequences and
statistics are brought up to date) leaves a smaller data set of the same shape.

Test data, not domain behaviour: this module writes rows without the services on purpose
(millions of rows in minutes), and only ever into a database it is told to fill.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import signal
import threading
from pathlib import Path
from time import monotonic

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction

from tongban.cases.models import Case, CaseNumberCounter
from tongban.catalog.models import ServiceItemVersion
from tongban.core import partitioning, workdays
from tongban.core.models import Department, Person, Region, User
from tongban.hotline.models import DispatchEntry, Subject, Ticket, TicketNumberCounter

from .bench_rows import CHUNK, MODELS, SH, Generator, World, _tables, _zipf

DEMO_SIZE = 100_000  # more cases or tickets than this: the database was seeded before


class SeedRefused(Exception):
    pass


# ---------------------------------------------------------------- the world the rows refer to


def load_world(rng: random.Random) -> World:
    district = Region.objects.filter(level="district").order_by("code").first()
    versions = list(
        ServiceItemVersion.objects.filter(status="published")
        .order_by("item_id")
        .values_list("pk", "item__department_id", "legal_limit_days", "promised_limit_days")
    )
    persons = list(Person.objects.order_by("pk").values_list("pk", "user_id")[:5000])
    subjects = list(
        Subject.objects.filter(children__isnull=True).order_by("code").values_list("pk", "name")
    )
    if district is None or not versions or not persons or not subjects:
        raise SeedRefused(
            "the demo district is missing (regions, published items, people, hotline subjects): "
            "run `tongban demo load` first"
        )
    owners = dict(
        DispatchEntry.objects.filter(catalogue__status="published").values_list(
            "subject_id", "department_id"
        )
    )
    staff = [
        (
            user.pk,
            str(user),
            user.staff.department_id,
            set(user.groups.values_list("name", flat=True)),
        )
        for user in User.objects.filter(is_active=True, staff__isnull=False)
        .select_related("staff")
        .order_by("pk")
    ]
    if not staff:
        raise SeedRefused("no staff accounts: run `tongban demo load` first")

    def first(role: str, department_id=None):
        for pk, label, dept, roles in staff:
            if role in roles and (department_id is None or dept == department_id):
                return pk, label
        return None

    admin = (staff[0][0], staff[0][1])
    clerk = first("window_clerk") or admin
    reviewers, approvers, handlers = {}, {}, {}
    for _v, dept, _l, _p in versions:
        reviewers[dept] = first("reviewer", dept) or first("reviewer") or admin
        approvers[dept] = first("approver", dept) or first("approver") or admin
    streets = []
    street_units = {}
    offices = {d.code: d.pk for d in Department.objects.all()}
    for street in Region.objects.filter(parent=district).order_by("code"):
        communities = [
            (c.pk, c.name) for c in Region.objects.filter(parent=street).order_by("code")
        ]
        streets.append((street.pk, street.name, communities or [(street.pk, street.name)]))
        unit = offices.get(f"yx-street-{street.code}")
        if unit:
            street_units[street.pk] = unit
    units = set(owners.values()) | set(street_units.values())
    for unit in units:
        if unit:
            handlers[unit] = first("handler", unit) or first("handler") or admin
    operator = first("hotline_operator") or admin
    rng.shuffle(subjects)
    subject_rows = [(pk, owners.get(pk), name) for pk, name in subjects]
    rng.shuffle(versions)
    return World(
        region_code=district.code,
        versions=_zipf(versions),
        persons=persons,
        clerk=clerk,
        reviewers=reviewers,
        approvers=approvers,
        subjects=_zipf(subject_rows, 0.9),
        streets=streets,
        street_units=street_units,
        operator=operator,
        handlers=handlers,
        phones=_phones(rng, 5000),
    )


def _phones(rng: random.Random, count: int) -> list[tuple[str, str | None]]:
    """Caller phones as the model's fields store them (encrypted, with their blind index, where
    the model has them): a pool that repeat callers share."""
    fields = {f.attname: f for f in Ticket._meta.concrete_fields}
    phone_field, index_field = fields["caller_phone"], fields.get("caller_phone_index")
    out = []
    for _ in range(count):
        plain = f"13{rng.randrange(10**9):09d}"
        probe = Ticket(caller_phone=plain)
        index = index_field.pre_save(probe, add=True) if index_field is not None else None
        out.append((phone_field.get_db_prep_save(plain, connection), index))
    return out


# ---------------------------------------------------------------- secondary indexes


def _pending_file() -> Path:
    return Path(settings.DATA_DIR) / "bench-seed-indexes.sql"


def _indexes_restore() -> int:
    """Recreate the indexes a bulk load dropped (listed in the data directory's
    bench-seed-indexes.sql, written before they were dropped); the number recreated."""
    path = _pending_file()
    if not path.exists():
        return 0
    statements = [line for line in path.read_text().splitlines() if line.strip()]
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # deferred foreign-key checks pending block CREATE INDEX
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for sql in statements:
            cursor.execute(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
    path.unlink()
    return len(statements)


def _indexes_drop() -> int:
    """PostgreSQL: drop the non-unique secondary indexes of the tables the seed fills (the
    unique ones stay: they hold the data's invariants), after writing their definitions to the
    data directory, so that a load interrupted in any way gets them back on the next run."""
    tables = [model._meta.db_table for model in MODELS.values()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT x.indisunique AND NOT x.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
            "ORDER BY i.relname",
            [tables],
        )
        found = cursor.fetchall()
        # a partitioned table's index is defined ON ONLY the parent; recreated on all of it
        definitions = [sql.replace(" ON ONLY ", " ON ", 1) + ";" for _name, sql in found]
        path = _pending_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(definitions) + "\n")
        for name, _sql in found:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    return len(found)


# ---------------------------------------------------------------- the run


def _session_for_bulk(on: bool) -> bool:
    """PostgreSQL: no commit waits for the WAL flush, and — for a superuser — no row-by-row
    foreign-key triggers (the rows are consistent by construction). True when the triggers are
    off."""
    from django.db import DatabaseError

    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SET synchronous_commit = {'DEFAULT' if on else 'off'}")
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SET session_replication_role = {'DEFAULT' if on else 'replica'}")
    except DatabaseError:
        return False
    return True


def _year_of_partitions(today: dt.date) -> None:
    """The event tables' monthly partitions for the whole year the seed covers (rows of months
    without one would all land in the DEFAULT partition)."""
    if connection.vendor != "postgresql":
        return
    since = dt.datetime.combine(today - dt.timedelta(days=370), dt.time(), SH)
    with transaction.atomic(), connection.cursor() as cursor:
        for table in partitioning.PARTITIONED_TABLES:
            if partitioning.is_partitioned(cursor, table):
                partitioning._create_months(cursor, table, table, since, months_ahead=3)


def existing_rows() -> tuple[int, int]:
    return Case.objects.count(), Ticket.objects.count()


def seed(
    *,
    cases: int,
    tickets: int,
    seed: int,
    append: bool,
    progress,
    minutes: float | None = None,
    defer_indexes: bool = False,
    say=print,
) -> dict[str, int]:
    """Generate and write; ``progress(kind, n)`` is told of every written chunk. Rows written,
    by table. Stopped by KeyboardInterrupt (Ctrl-C, or SIGINT/SIGTERM: see ``_stoppable``), the
    chunk in hand is rolled back and what was committed is finished (counters, sequences,
    statistics): a smaller set, same shape.
    ``minutes``: start no chunk after that long (the same early stop, on time).
    ``defer_indexes`` (PostgreSQL): drop the tables' non-unique secondary indexes for the load
    and build them again at the end (several times cheaper than keeping them row by row)."""
    have_cases, have_tickets = existing_rows()
    if (have_cases > DEMO_SIZE or have_tickets > DEMO_SIZE) and not append:
        raise SeedRefused(
            f"the database already holds {have_cases:,} cases and {have_tickets:,} tickets: "
            "add --append to add more"
        )
    world = load_world(random.Random(seed))  # noqa: S311 - test data
    today = workdays.business_date(dt.datetime.now(SH))
    tables = _tables()
    gen = Generator(world, seed + 1, today, tables)
    _year_of_partitions(today)
    if restored := _indexes_restore():
        say(f"recreated {restored} indexes an earlier interrupted load had dropped")
    deferred = _indexes_drop() if defer_indexes and connection.vendor == "postgresql" else 0
    if deferred:
        say(f"dropped {deferred} secondary indexes for the load (listed in {_pending_file()})")
    _session_for_bulk(False)
    done = {"case": 0, "ticket": 0}
    total = {"case": cases, "ticket": tickets}
    make = {"case": gen.case, "ticket": gen.ticket}
    deadline = monotonic() + minutes * 60 if minutes else None
    with _stoppable():
        try:
            while done["case"] < cases or done["ticket"] < tickets:
                if deadline is not None and monotonic() > deadline:
                    break
                # the kind furthest behind its share goes next: a stopped run keeps the proportions
                kind = min(
                    (k for k in total if done[k] < total[k]), key=lambda k: done[k] / total[k]
                )
                count = min(CHUNK, total[kind] - done[kind])
                step = make[kind]
                for _ in range(count):
                    step()
                with transaction.atomic():
                    sizes = [(table, table.write()) for table in tables.values()]
                for table, size in sizes:  # counted once committed
                    table.written += size
                done[kind] += count
                progress(kind, count)
        except KeyboardInterrupt:
            pass  # the chunk in hand was rolled back; what was committed stays, and is finished
        finally:
            _session_for_bulk(True)
    if deferred:
        started = monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
        say(f"rebuilt {_indexes_restore()} indexes in {monotonic() - started:,.0f} s")
    _finish(gen)
    return {name: table.written for name, table in tables.items()}


@contextlib.contextmanager
def _stoppable():
    """During the load, SIGINT and SIGTERM raise KeyboardInterrupt (the early stop above), also
    in a process started in the background, which inherits SIGINT ignored (`nohup … &`, a
    service): `kill <pid>` then stops a long run with a finished smaller set."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    saved = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _finish(gen: Generator) -> None:
    """Number counters, sequences and planner statistics as if the rows came one by one."""
    with transaction.atomic():
        for day, last in gen.case_counters.items():
            CaseNumberCounter.objects.update_or_create(
                region_code=gen.w.region_code, day=day, defaults={"last": last}
            )
        for day, last in gen.ticket_counters.items():
            TicketNumberCounter.objects.update_or_create(day=day, defaults={"last": last})
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(MODELS.values())):
            cursor.execute(sql)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # what autovacuum does to rows this old: the visibility map set (index-only scans
            # stay index-only: the queue's status counts are 2× faster) and the statistics
            cursor.execute("VACUUM (ANALYZE)")
        else:
            cursor.execute("ANALYZE")


__all__ = ["SeedRefused", "existing_rows", "seed"]
