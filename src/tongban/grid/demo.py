"""The grid part of the demo district 云溪区: 10 grids (two per urban street, one per town, each a
list of communities and a square boundary), a grid worker for each (the core demo's ``grid``
serves the first), and about 3,000 grid events over the past six months:

- the hotline demo's tickets with source ``grid`` (those went through dispatch) are recorded
  with the grid of their community;
- the rest are events the workers solved on the spot (自行处置), written in bulk — the ticket,
  its two hash-chained events (登记工单 → 自行处置) and the chain head, numbered from the day's
  counter — as ``grid_event_report`` would have left them;
- a few of today's events go through the real services (some closed on the spot, some left to
  dispatch);
- the home visits (门边办) of marked cases become tasks (``visit_tasks_sync``).

Idempotent: grids and workers by code and username, bulk events by their idempotency key
``demo-grid-NNNNN``; a second run creates nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tongban.core import workdays
from tongban.core.events import GENESIS_HASH, event_digest
from tongban.core.models import Department, EventChainHead, Region, User
from tongban.core.permissions import Role
from tongban.core.services import staff_create
from tongban.hotline.demo_data.places import COMMUNITIES
from tongban.hotline.models import Subject, Ticket, TicketEvent, TicketNumberCounter

from .models import EventResolution, Grid, GridAssignment, GridEvent
from .services import grid_create, grid_event_report, grid_worker_assign, visit_tasks_sync

TARGET_EVENTS = 3_000
WINDOW_DAYS = 183
SEED = 2026_10
KEY = "demo-grid-{n:05d}"
TZ = workdays.BUSINESS_TZ
BATCH = 500

# (code, name, street code, community codes, worker username, worker name)
GRIDS = [
    ("yx-01", "云溪第一网格", "330199001", ["001", "002"], "grid", "高网格"),
    ("yx-02", "云溪第二网格", "330199001", ["003", "004"], "grid_yx2", "许网格"),
    ("dh-01", "东湖第一网格", "330199002", ["001", "002"], "grid_dh1", "冯网格"),
    ("dh-02", "东湖第二网格", "330199002", ["003", "004"], "grid_dh2", "沈网格"),
    ("xl-01", "西岭第一网格", "330199003", ["001", "002"], "grid_xl1", "韩网格"),
    ("xl-02", "西岭第二网格", "330199003", ["003", "004"], "grid_xl2", "杨网格"),
    ("nt-01", "南塘第一网格", "330199004", ["001", "002"], "grid_nt1", "朱网格"),
    ("nt-02", "南塘第二网格", "330199004", ["003", "004"], "grid_nt2", "秦网格"),
    ("qs-01", "青石镇网格", "330199100", ["200", "201", "202", "203"], "grid_qs", "尤网格"),
    ("bs-01", "白沙镇网格", "330199101", ["200", "201", "202", "203"], "grid_bs", "施网格"),
]
SIZE = 0.02  # degrees of a grid's square

# What grid workers find and solve on the spot: (subject name, type, what, what was done)
ON_SPOT = [
    ("占道经营", "complaint", "{p}门口有流动摊贩占用人行道经营", "已劝离摊贩，人行道恢复通行"),
    ("乱贴小广告", "complaint", "{p}附近电线杆和墙面被贴满小广告", "已清除小广告并拍照留存"),
    ("垃圾清运不及时", "complaint", "{p}垃圾桶满溢，周边有散落垃圾", "已通知保洁员清运并清扫"),
    ("井盖缺失破损", "help", "{p}人行道上井盖松动", "已设置警示标志并联系养护单位当日更换"),
    ("路灯不亮", "help", "{p}一段路灯不亮", "已报修，维修人员当晚修复"),
    ("", "help", "{p}楼道堆放杂物堵塞消防通道", "已联系住户当场清理，通道恢复畅通"),
    ("", "help", "{p}共享单车乱停放堵塞出入口", "已整理摆放并通知运营企业加强调度"),
    ("", "complaint", "{p}有居民在公共绿地晾晒衣物", "已劝导住户收回，绿地恢复原样"),
    ("", "help", "{p}独居老人家中水龙头漏水求助", "已上门关闭阀门并联系物业维修"),
    ("", "complaint", "{p}店铺外摆桌椅占道", "已劝导店主收回桌椅"),
]
DISPATCH_TODAY = [
    ("{p}路面塌陷出现大坑，车辆经过危险", False, ""),
    ("{p}窨井盖缺失，行人容易踩空", False, ""),
    ("{p}小区门口垃圾堆积无人清运", True, "已联系保洁公司当场清运"),
    ("{p}楼道堆放杂物", True, "已劝导住户清理"),
]


def users() -> list[tuple[str, str]]:
    """The grid workers this module adds (the core demo lists ``grid``)."""
    return [
        (str(Role.GRID_WORKER), username) for *_rest, username, _name in GRIDS if username != "grid"
    ]


def _ring(index: int) -> list[list[float]]:
    lon = 120.00 + (index % 5) * SIZE
    lat = 30.00 + (index // 5) * SIZE
    return [[lon, lat], [lon + SIZE, lat], [lon + SIZE, lat + SIZE], [lon, lat + SIZE]]


def _grids(created: Counter) -> list[Grid]:
    password = settings.TONGBAN_DEMO_PASSWORD
    grids = []
    for index, (code, name, street_code, suffixes, username, person) in enumerate(GRIDS):
        grid = Grid.objects.filter(code=code).first()
        if grid is None:
            street = Region.objects.get(code=street_code)
            communities = list(Region.objects.filter(code__in=[street_code + s for s in suffixes]))
            grid = grid_create(
                code=code, name=name, street=street, communities=communities, boundary=_ring(index)
            )
            created["grids"] += 1
        worker = User.objects.filter(username=username).first()
        if worker is None:
            worker = staff_create(
                username=username,
                password=password,
                display_name=person,
                department=Department.objects.get(code=f"yx-street-{street_code}"),
                roles=[Role.GRID_WORKER],
            )
            created["grid workers"] += 1
        if not GridAssignment.objects.filter(grid=grid, worker=worker).exists():
            grid_worker_assign(grid=grid, worker=worker)
        grids.append(grid)
    return grids


class _Map:
    """Community → (grid, worker) of the demo grids."""

    def __init__(self, grids: list[Grid]):
        self.by_community: dict[int, tuple[Grid, User]] = {}
        self.by_street: dict[int, tuple[Grid, User]] = {}
        for grid in grids:
            worker = grid.assignments.select_related("worker").first().worker
            for community in grid.communities.all():
                self.by_community[community.pk] = (grid, worker)
            self.by_street.setdefault(grid.street_id, (grid, worker))

    def of(self, region_id, street_id):
        return self.by_community.get(region_id) or self.by_street.get(street_id)


def _link_hotline(where: _Map, created: Counter) -> None:
    """The hotline demo's grid tickets, recorded with the grid of their community."""
    rows = []
    tickets = Ticket.objects.filter(source="grid", grid_event__isnull=True).values_list(
        "pk", "region_id", "street_id", "created_at", "dispatched_at", "status"
    )
    for pk, region_id, street_id, created_at, dispatched_at, status in tickets.iterator():
        found = where.of(region_id, street_id)
        if found is None:
            continue
        grid, worker = found
        on_spot = dispatched_at is None and status == "closed"
        rows.append(
            GridEvent(
                ticket_id=pk,
                grid=grid,
                reporter=worker,
                resolution=EventResolution.ON_SPOT if on_spot else EventResolution.DISPATCHED,
                reported_at=created_at,
            )
        )
    if rows:
        GridEvent.objects.bulk_create(rows, batch_size=BATCH)
        created["grid events (hotline tickets)"] += len(rows)


def _moment(rng: random.Random, today: dt.date) -> dt.datetime:
    day = today - dt.timedelta(days=rng.randint(1, WINDOW_DAYS))
    minute = rng.randint(7 * 60 + 30, 19 * 60)
    return dt.datetime.combine(day, dt.time(minute // 60, minute % 60), tzinfo=TZ)


class _Numbers:
    """Ticket numbers from the day's counter, raised once per day for the whole load."""

    def __init__(self):
        self.next: dict[dt.date, int] = {}

    def take(self, day: dt.date) -> str:
        if day not in self.next:
            counter, _ = TicketNumberCounter.objects.get_or_create(day=day)
            self.next[day] = counter.last
        self.next[day] += 1
        return f"12345-{day:%Y%m%d}-{self.next[day]:06d}"

    def save(self) -> None:
        for day, last in self.next.items():
            TicketNumberCounter.objects.filter(day=day, last__lt=last).update(last=last)


def _bulk_on_spot(grids: list[Grid], where: _Map, count: int, created: Counter) -> None:
    """Events solved on the spot, as ``grid_event_report`` leaves them, written in bulk."""
    if count <= 0:
        return
    rng = random.Random(SEED)  # noqa: S311 (demo data, not secrets)
    today = workdays.business_date(timezone.now())
    names = [name for name, *_rest in ON_SPOT if name]
    subjects = dict(Subject.objects.filter(name__in=names).values_list("name", "pk"))
    done = set(
        Ticket.objects.filter(idempotency_key__startswith="demo-grid-").values_list(
            "idempotency_key", flat=True
        )
    )
    places = []
    for index, grid in enumerate(grids):
        for community in grid.communities.all():
            roads = COMMUNITIES.get(community.code, (["中心路"], [], []))[0]
            places.append((index, grid, community, roads))
    numbers = _Numbers()
    pending: list[tuple[Ticket, GridEvent, list[TicketEvent]]] = []

    def flush():
        if not pending:
            return
        with transaction.atomic():
            numbers.save()
            Ticket.objects.bulk_create([t for t, _e, _v in pending], batch_size=BATCH)
            events, heads, grid_events = [], [], []
            for ticket, grid_event, chain in pending:
                grid_event.ticket_id = ticket.pk
                grid_events.append(grid_event)
                prev = GENESIS_HASH
                for event in chain:
                    event.ticket_id = ticket.pk
                    event.prev_hash = prev
                    event.hash = event_digest(event)
                    prev = event.hash
                    events.append(event)
                heads.append(
                    EventChainHead(
                        table=TicketEvent._meta.label_lower,
                        stream=chain[0].stream,
                        seq=len(chain),
                        hash=prev,
                    )
                )
            TicketEvent.objects.bulk_create(events, batch_size=BATCH)
            EventChainHead.objects.bulk_create(heads, batch_size=BATCH)
            GridEvent.objects.bulk_create(grid_events, batch_size=BATCH)
        created["grid events (solved on the spot)"] += len(pending)
        pending.clear()

    for n in range(1, count + 1):
        key = KEY.format(n=n)
        # draw every value, made or not, so that a resumed load makes the same events
        index, grid, community, roads = places[rng.randrange(len(places))]
        subject_name, ticket_type, what, did = ON_SPOT[rng.randrange(len(ON_SPOT))]
        road, number = rng.choice(roads), rng.randint(1, 199)
        at = _moment(rng, today)
        solved_after = dt.timedelta(minutes=rng.randint(5, 90))
        lon = _ring(index)[0][0] + rng.random() * SIZE
        lat = _ring(index)[0][1] + rng.random() * SIZE
        if key in done:
            continue
        worker = where.of(community.pk, grid.street_id)[1]
        place = f"{road}{number}号"
        content = what.format(p=place) + "。"
        closed = at + solved_after
        ticket = Ticket(
            ticket_no=numbers.take(at.date()),
            source="grid",
            ticket_type=ticket_type,
            subject_id=subjects.get(subject_name),
            title=content[:30],
            content=content,
            address=f"云溪区{grid.street.name}{community.name}{place}",
            region=community,
            street_id=grid.street_id,
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lon:.6f}"),
            status="closed",
            created_at=at,
            replied_at=closed,
            closed_at=closed,
            reply=did + "。",
            solved=True,
            idempotency_key=key,
            created_by=worker,
            version=2,
        )
        stream = f"ticket:{ticket.ticket_no}"
        label = str(worker)
        chain = [
            TicketEvent(
                stream=stream,
                seq=1,
                occurred_at=at,
                actor=worker,
                actor_label=label,
                action="create",
                from_state="",
                to_state="received",
                payload={"source": "grid", "type": ticket_type, "region": community.code},
            ),
            TicketEvent(
                stream=stream,
                seq=2,
                occurred_at=closed,
                actor=worker,
                actor_label=label,
                action="self_resolve",
                from_state="received",
                to_state="closed",
                reason=did + "。",
                payload={"on_spot": True},
            ),
        ]
        grid_event = GridEvent(
            grid=grid, reporter=worker, resolution=EventResolution.ON_SPOT, reported_at=at
        )
        pending.append((ticket, grid_event, chain))
        if len(pending) >= BATCH:
            flush()
    flush()


def _today(grids: list[Grid], where: _Map, created: Counter) -> None:
    """A few of today's events through the services: solved on the spot or left to dispatch."""
    for index, (what, on_spot, did) in enumerate(DISPATCH_TODAY):
        grid = grids[index % len(grids)]
        community = grid.communities.order_by("code").first()
        worker = where.of(community.pk, grid.street_id)[1]
        key = f"demo-grid-today-{index}"
        if Ticket.objects.filter(created_by=worker, idempotency_key=key).exists():
            continue
        road = COMMUNITIES.get(community.code, (["中心路"], [], []))[0][0]
        place = f"{road}{8 + index}号"
        grid_event_report(
            actor=worker,
            title="",
            content=what.format(p=place) + "。",
            address=f"云溪区{grid.street.name}{community.name}{place}",
            ticket_type="help",
            solved_on_spot=on_spot,
            resolution=did,
            idempotency_key=key,
        )
        created["grid events (today, through the services)"] += 1


def load(out: Callable[[str], None] = print, count: int | None = None) -> dict[str, int]:
    started = time.perf_counter()
    created: Counter = Counter()
    if not Region.objects.filter(code=GRIDS[0][2]).exists():
        out("grid: the core demo district is missing; nothing to do")
        return {}
    target = TARGET_EVENTS if count is None else count
    with transaction.atomic():
        grids = _grids(created)
    where = _Map(grids)
    _link_hotline(where, created)
    _today(grids, where, created)
    existing = (
        GridEvent.objects.filter(ticket__idempotency_key__startswith="demo-grid-")
        .exclude(ticket__idempotency_key__startswith="demo-grid-today-")
        .count()
    )
    linked = GridEvent.objects.count() - existing
    _bulk_on_spot(grids, where, max(0, target - linked), created)
    tasks, unrouted = visit_tasks_sync()
    if tasks:
        created["visit tasks"] += tasks
    if created:
        out(
            "grid: "
            + ", ".join(f"{n} {what}" for what, n in created.items())
            + f" ({time.perf_counter() - started:.1f} s)"
        )
    else:
        out("grid: nothing to do (already loaded)")
    if unrouted:
        out(f"grid: {unrouted} home-visit cases wait for a grid covering their community")
    return dict(created)
