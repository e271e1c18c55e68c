"""The hotline part of the demo district 云溪区: the subject taxonomy and its dispatch catalogue,
the default handling limits, 100 knowledge articles, about 20,000 tickets over the past six
months in every state, and a missed-call list.

- **Setup** (before the six months start): 90 leaf subjects in three levels, each mapped in the
  published dispatch catalogue v1 to a demo department or to the street/community that owns the
  address (属地), about twenty dispatch rules, the default limits, and a handler for every unit
  that receives tickets, two more operators and a knowledge reviewer (``users()``).
- **Knowledge**: 100 articles written for the demo, each written by its department's handler
  and published by the reviewer at a past moment through the knowledge services (a few have
  expired since, a few wait for review); then the catalogue's guides (``articles_sync_from_catalog``).
- **Tickets**: a few hundred *templates* made by the ticket services, each call at the past
  moment it happened (``time_machine``): the events, their hash chain, the numbers and the clocks
  are what real use leaves. The rest are *clones* of them (``demo_data.clone``): new words,
  callers and addresses in the same community, moved by whole weeks (closed ones) and a few
  hours, events re-hashed into their own chains. ``TONGBAN_DEMO_TICKETS`` sets the total.
- **Dispatch model** ([D]): once the tickets are there, a classifier trained on them (subject
  codes as labels), evaluated on a held-out part and activated (``demo_model``), so that the
  intake page suggests subjects at once.

``load`` is idempotent (every ticket carries an idempotency key ``demo-ticket-NNNNN`` or
``demo-clone-NNNNNN``; an interrupted load resumes) and deterministic (seeded generators,
relative to today's date).
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import Counter
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from tongban.core import workdays
from tongban.core.models import Department, Region, User
from tongban.core.permissions import Role
from tongban.core.services import staff_create

from . import clocks, demo_joint, demo_model, dispatch
from .demo_data import clone
from .demo_data.articles_city import ARTICLES as CITY_ARTICLES
from .demo_data.articles_public import ARTICLES as PUBLIC_ARTICLES
from .demo_data.articles_social import ARTICLES as SOCIAL_ARTICLES
from .demo_data.paths import Paths
from .demo_data.planner import Plan
from .demo_data.rules import RULES
from .demo_data.runner import Runner
from .demo_data.scenarios import KINDS
from .demo_data.taxonomy import TAXONOMY, leaves
from .demo_data.writer import seeded
from .knowledge import services as knowledge
from .models import (
    Article,
    ArticleSource,
    CatalogueStatus,
    DispatchCatalogue,
    DispatchEntry,
    DispatchRule,
    MissedCall,
    OwnerLevel,
    Subject,
    Ticket,
    TicketEvent,
)

DEFAULT_COUNT = 20_000
SEED = 12345_2026
WINDOW_DAYS = 183
CHUNK = 40  # templates per transaction
ARTICLES = SOCIAL_ARTICLES + CITY_ARTICLES + PUBLIC_ARTICLES
TZ = workdays.BUSINESS_TZ

# (username, display name, department code, role) of the accounts this module adds.
STAFF = [
    ("operator_wu", "吴话务", "rx12345", Role.HOTLINE_OPERATOR),
    ("operator_zheng", "郑话务", "rx12345", Role.HOTLINE_OPERATOR),
    ("kb_reviewer", "许知识", "rx12345", Role.HOTLINE_OPERATOR),
    ("handler_zjj", "冯承办", "zjj", Role.HANDLER),
    ("handler_gaj", "蒋承办", "gaj", Role.HANDLER),
    ("handler_scjg", "沈承办", "scjg", Role.HANDLER),
    ("handler_rsj", "韩承办", "rsj", Role.HANDLER),
    ("handler_mzj", "杨承办", "mzj", Role.HANDLER),
    ("handler_wjw", "朱承办", "wjw", Role.HANDLER),
    ("handler_jyj", "秦承办", "jyj", Role.HANDLER),
    ("handler_jtj", "尤承办", "jtj", Role.HANDLER),
    ("handler_sthj", "施承办", "sthj", Role.HANDLER),
    ("handler_ybj", "孔承办", "ybj", Role.HANDLER),
    ("handler_zrzy", "曹承办", "zrzy", Role.HANDLER),
    ("handler_zwzx", "严承办", "zwzx", Role.HANDLER),
    ("handler_tyjr", "华承办", "tyjr", Role.HANDLER),
    ("handler_sjj", "金承办", "sjj", Role.HANDLER),
    ("handler_xzsp", "魏承办", "xzsp", Role.HANDLER),
    ("handler_dh", "陶承办", "yx-street-330199002", Role.HANDLER),
    ("handler_xl", "姜承办", "yx-street-330199003", Role.HANDLER),
    ("handler_nt", "戚承办", "yx-street-330199004", Role.HANDLER),
    ("handler_qs", "谢承办", "yx-street-330199100", Role.HANDLER),
    ("handler_bs", "邹承办", "yx-street-330199101", Role.HANDLER),
    ("handler_yxsq", "喻承办", "yx-station-330199001001", Role.HANDLER),
    ("handler_qscun", "柏承办", "yx-station-330199100200", Role.HANDLER),
]


def users() -> list[tuple[str, str]]:
    """(role, username) of every account this module adds."""
    return [(str(role), username) for username, _name, _dept, role in STAFF]


def _moment(day: dt.date, minute: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=TZ) + dt.timedelta(minutes=minute)


# ---------------------------------------------------------------------------------- setup


def _staff(created: Counter) -> None:
    departments = {d.code: d for d in Department.objects.all()}
    for username, name, dept, role in STAFF:
        if User.objects.filter(username=username).exists() or dept not in departments:
            continue
        staff_create(
            username=username,
            password=settings.TONGBAN_DEMO_PASSWORD,
            display_name=name,
            department=departments[dept],
            roles=[role],
        )
        created["staff"] += 1


def _taxonomy(created: Counter) -> dict[str, Subject]:
    """Every subject (code → row), creating the missing ones."""
    existing = {s.code: s for s in Subject.objects.all()}

    def get(code: str, name: str, level: int, parent, sort: int, **extra) -> Subject:
        subject = existing.get(code)
        if subject is None:
            subject = Subject.objects.create(
                code=code, name=name, level=level, parent=parent, sort=sort, **extra
            )
            existing[code] = subject
            created["subjects"] += 1
        return subject

    for i, (name1, branches) in enumerate(TAXONOMY, start=1):
        top = get(f"{i:02d}", name1, 1, None, i)
        for j, (name2, items) in enumerate(branches, start=1):
            middle = get(f"{i:02d}.{j:02d}", name2, 2, top, j)
            for k, item in enumerate(items, start=1):
                get(
                    f"{i:02d}.{j:02d}.{k:02d}",
                    item.name,
                    3,
                    middle,
                    k,
                    keywords=item.keywords,
                    description=item.basis,
                )
    return existing


def _catalogue(created: Counter, subjects: dict[str, Subject]) -> None:
    """Catalogue v1, published, one entry per leaf and the dispatch rules (when there is no
    catalogue yet: an administrator's own catalogue is never touched)."""
    if DispatchCatalogue.objects.exists():
        return
    departments = {d.code: d for d in Department.objects.all()}
    catalogue = DispatchCatalogue.objects.create(
        version=1,
        status=CatalogueStatus.PUBLISHED,
        basis="区级部门“三定”规定、权责清单，街道（镇）履职事项清单（2026 年版）",
        note="演示数据：云溪区 12345 派单目录首版。",
        published_at=timezone.now(),
    )
    by_name = {s.name: s for s in subjects.values() if s.level == 3}
    entries = []
    for code, item in leaves():
        level = item.owner if item.owner in ("street", "community") else "department"
        entries.append(
            DispatchEntry(
                catalogue=catalogue,
                subject=subjects[code],
                owner_level=OwnerLevel(level),
                department=departments.get(item.owner) if level == "department" else None,
                basis=item.basis[:256],
            )
        )
    DispatchEntry.objects.bulk_create(entries)
    regions = {r.code: r for r in Region.objects.filter(code__in=[r.region for r in RULES])}
    DispatchRule.objects.bulk_create(
        DispatchRule(
            catalogue=catalogue,
            position=position,
            name=rule.name,
            subject=by_name.get(rule.subject) if rule.subject else None,
            keywords=rule.keywords,
            region=regions.get(rule.region) if rule.region else None,
            ticket_type=rule.ticket_type,
            department=departments.get(rule.department) if rule.department else None,
            to_locality=rule.to_locality,
        )
        for position, rule in enumerate(RULES, start=1)
    )
    created["dispatch catalogues"] += 1
    created["catalogue entries"] += len(entries)
    created["dispatch rules"] += len(RULES)
    transaction.on_commit(dispatch.invalidate)
    dispatch.invalidate()


def _setup(created: Counter) -> None:
    with transaction.atomic():
        _staff(created)
        subjects = _taxonomy(created)
        _catalogue(created, subjects)
        limits = clocks.limits_install_defaults()
        if limits:
            created["handling limits"] += limits


# ------------------------------------------------------------------------------ knowledge


def _months(today: dt.date, months: int) -> dt.date:
    return today + dt.timedelta(days=round(months * 30.4))


def _articles(created: Counter, now: dt.datetime) -> None:
    """The demo articles, each written and reviewed at a past moment (idempotent by title)."""
    import time_machine

    have = set(Article.objects.filter(source=ArticleSource.MANUAL).values_list("title", flat=True))
    todo = [a for a in ARTICLES if a.title not in have]
    if not todo:
        return
    codes = {s.name: s.code for s in Subject.objects.filter(level=3)}
    editors = {}
    for user in User.objects.filter(staff__isnull=False, is_active=True).select_related("staff"):
        if user.groups.filter(name__in=[Role.HANDLER, Role.HOTLINE_OPERATOR]).exists():
            editors.setdefault(user.staff.department.code, user)
    reviewer = User.objects.filter(username="kb_reviewer").first()
    today = workdays.business_date(now)
    rng = seeded(f"{SEED}-articles")
    with transaction.atomic():
        for spec in todo:
            start = _months(today, spec.valid[0])
            until = _months(today, spec.valid[1]) if spec.valid[1] is not None else None
            # Written a few days before it took effect; reviewed an hour later.
            written = _moment(start - dt.timedelta(days=rng.randint(1, 6)), rng.randint(560, 990))
            editor = editors.get(spec.department)
            with time_machine.travel(written, tick=False) as traveller:
                article = knowledge.article_create(
                    actor=editor,
                    title=spec.title,
                    content=spec.content,
                    department_code=spec.department,
                    subject_code=codes.get(spec.subject),
                    keywords=spec.keywords,
                    valid_from=start,
                    valid_until=until,
                    submit=spec.state != "draft",
                )
                if spec.state == "published":
                    traveller.shift(dt.timedelta(minutes=rng.randint(20, 240)))
                    knowledge.article_review(
                        article.pk, actor=reviewer, publish=True, note="内容准确，同意发布。"
                    )
            created["knowledge articles"] += 1


# -------------------------------------------------------------------------------- tickets


def _count(value: int | None) -> int:
    if value is not None:
        return value
    return int(getattr(settings, "TONGBAN_DEMO_TICKETS", DEFAULT_COUNT))


def targets(count: int) -> list[tuple[str, int, int]]:
    """(kind, templates, tickets) for ``count`` tickets: every kind present, the closed path
    taking what the others leave."""
    rows = []
    for kind in KINDS:
        if kind.name == "closed":
            continue
        tickets = max(kind.min_templates, round(kind.share * count))
        templates = max(kind.min_templates, math.ceil(tickets / kind.per_template))
        rows.append((kind.name, min(templates, tickets), tickets))
    closed = next(k for k in KINDS if k.name == "closed")
    # A merged ticket brings along the first one, closed, cloned as often as it is.
    merged = sum(t for k, _n, t in rows if k == "merged")
    rest = max(closed.min_templates, count - sum(t for _k, _n, t in rows) - merged)
    templates = max(closed.min_templates, math.ceil(rest / closed.per_template))
    rows.insert(0, ("closed", min(templates, rest), rest))
    return rows


def load(out: Callable[[str], None] = print, count: int | None = None) -> dict[str, int]:
    """Create the hotline demo (``count`` tickets, default 20,000 or ``TONGBAN_DEMO_TICKETS``)."""
    try:
        import time_machine  # a dev dependency, which `make demo` installs
    except ImportError:
        out("hotline: skipped: the demo needs the time-machine package (tongban[dev])")
        return {}
    count = _count(count)
    started = time.perf_counter()
    created: Counter = Counter()
    now = timezone.now()
    before = _moment(workdays.business_date(now) - dt.timedelta(days=WINDOW_DAYS + 40), 540)
    # DEBUG (on in local settings) would keep every SQL statement: off while loading.
    with override_settings(DEBUG=False):
        with time_machine.travel(before, tick=False):
            _setup(created)
        _articles(created, now)
        sync = knowledge.articles_sync_from_catalog()
        if sync.created:
            created["catalogue guide articles"] += sync.created
        timings = {"setup": time.perf_counter() - started}
        _tickets(out, count, now, created, timings)
        started = time.perf_counter()
        _missed_calls(created, now, count)
        timings["missed calls"] = time.perf_counter() - started
        started = time.perf_counter()
        demo_model.train_and_activate(out, created, now=now)
        timings["dispatch model"] = time.perf_counter() - started
        created.update(demo_joint.load(out))  # [G] joint tickets and merged groups (g1)
    if created:
        out(
            "hotline: "
            + ", ".join(f"{n} {what}" for what, n in created.items())
            + f" in {sum(timings.values()):.0f} s ("
            + ", ".join(f"{what} {t:.1f} s" for what, t in timings.items())
            + ")"
        )
        out("hotline: " + summary())
    else:
        out("hotline: nothing to do (already loaded)")
    return dict(created)


def _tickets(out, count: int, now: dt.datetime, created: Counter, timings: dict) -> None:
    import time_machine

    started = time.perf_counter()
    planner = Paths(now=now, seed=SEED, window_days=WINDOW_DAYS)
    plans: list[Plan] = planner.plan_all(targets(count))
    keys = [p.key for p in plans]
    done = set(
        Ticket.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
    )
    todo = [p for p in plans if p.key not in done]
    todo.sort(key=lambda p: (p.steps[0].at, p.key))
    timings["planning"] = time.perf_counter() - started
    if todo:
        started = time.perf_counter()
        runner = Runner(planner)
        # A merged repeat runs with the ticket it is merged into (并单 needs that one open).
        repeats = {p.key: p for p in todo if p.merge_into}
        todo = [p for p in todo if not (p.merge_into and p.merge_into not in done)]
        with time_machine.travel(todo[0].steps[0].at, tick=False) as traveller:
            for start in range(0, len(todo), CHUNK):
                with transaction.atomic():
                    for plan in todo[start : start + CHUNK]:
                        try:
                            runner.run(plan, traveller, repeats.get(plan.partner))
                        except Exception as exc:
                            raise RuntimeError(
                                f"demo ticket {plan.key} ({plan.kind}/{plan.variant}, "
                                f"{plan.leaf}): {exc}"
                            ) from exc
        created["tickets (through the services)"] += len(todo) + len(repeats)
        timings["services"] = time.perf_counter() - started
    started = time.perf_counter()
    made = clone.clone_all(plans, now=now, seed=SEED, window_days=WINDOW_DAYS)
    if made:
        created["tickets (cloned)"] += made
        timings["clones"] = time.perf_counter() - started


def _missed_calls(created: Counter, now: dt.datetime, count: int) -> None:
    """Missed calls of the last three weeks: called back (an unanswered call-back is tried
    again a few hours later), and last night's still waiting (漏接回拨)."""
    import time_machine

    from .services import missed_call_record, missed_call_resolve

    rng = seeded(f"{SEED}-missed")
    total = max(12, count // 50)
    calls = []
    for i in range(total):
        age = rng.uniform(0.02, 21) if i >= total // 10 else rng.uniform(0.02, 0.7)
        calls.append((now - dt.timedelta(days=age), clone.caller_phone(rng)))
    if MissedCall.objects.filter(phone__in=[p for _t, p in calls]).exists():
        return
    operators = list(User.objects.filter(groups__name=Role.HOTLINE_OPERATOR).order_by("pk"))
    if not operators:
        return
    reached = [
        "已回拨，来电人咨询的问题已当场解答",
        "已回拨，来电人称问题已解决",
        "已回拨，已登记工单",
    ]
    calls.sort()
    with transaction.atomic():
        for at, phone in calls:
            with time_machine.travel(at, tick=False) as traveller:
                call = missed_call_record(phone=phone, called_at=at)
                created["missed calls"] += 1
                back = at + dt.timedelta(minutes=rng.randint(8, 90))
                for attempt in range(2):
                    if back > now - dt.timedelta(hours=14):
                        break  # still on the list
                    traveller.move_to(back)
                    answered = rng.random() < (0.85 if attempt else 0.8)
                    missed_call_resolve(
                        call.pk,
                        actor=rng.choice(operators),
                        outcome="called_back" if answered else "unreachable",
                        note=rng.choice(reached) if answered else "回拨无人接听",
                    )
                    if answered:
                        break
                    back += dt.timedelta(hours=rng.randint(2, 8))


def summary() -> str:
    """Tickets per state and per triage outcome, cards of the open ones, sources."""
    rows = Ticket.objects.filter(idempotency_key__startswith="demo-")
    statuses = Counter(rows.values_list("status", flat=True))
    triage = Counter(rows.exclude(triage="").values_list("triage", flat=True))
    cards: Counter = Counter()
    now = timezone.now()
    for ticket in rows.filter(status__in=["dispatched", "handling", "return_requested"]):
        cards[clocks.compute(ticket, now=now).card or "none"] += 1
    events = TicketEvent.objects.filter(ticket__in=rows).count()
    return (
        ", ".join(f"{s} {n}" for s, n in statuses.most_common())
        + "; at intake "
        + ", ".join(f"{t} {n}" for t, n in triage.most_common())
        + "; open cards "
        + ", ".join(f"{c} {n}" for c, n in sorted(cards.items()))
        + f"; {events} events"
    )
