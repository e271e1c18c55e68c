"""并单 (merging repeated tickets): suggestions on intake and in a periodic sweep, the
operator's confirmation, the shared reply, and split.

Rules (docs/hotline.md, "并单"):

- a *candidate pair* is a newer ticket and an earlier **open** ticket (已登记, 待签收, 退单待审核,
  办理中; not itself merged) received at most ``TONGBAN_HOTLINE_MERGE_WINDOW_HOURS`` before it,
  that either have the same street and the same subject (rule ``place``) or whose texts are
  similar — cosine of the dispatch classifier's text features ≥
  ``TONGBAN_HOTLINE_MERGE_TEXT_THRESHOLD`` (rule ``text``; compared within one street, or with
  tickets whose street is not known);
- a suggestion is only a suggestion: an operator confirms the merge (``merge_confirm``) — with an
  explicit override when the two streets differ — or dismisses it;
- the merged ticket (已并单) points at the group's primary ticket, which alone is handled; when
  the primary is replied, every merged ticket gets the same reply and its own callback (each
  caller hears the answer);
- a merged ticket can be split off again (``merge_split``): it goes back to 已登记 to be
  dispatched on its own.

Interface the grid app's benchmark calls: ``merge_sweep(*, since, until, now=None) -> int`` and
``merge_candidates_for(ticket) -> list[MergeCandidate]``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tongban.core import workdays
from tongban.core.errors import NotFound, ValidationFailed
from tongban.core.models import Person
from tongban.core.notifications import notify
from tongban.core.permissions import Perm

from .. import access
from ..classifier import registry
from ..classifier import text as textprep
from ..errors import TicketErrorCode
from ..models import (
    AssignmentStatus,
    Callback,
    CallbackStatus,
    FoundBy,
    MergeRule,
    MergeSuggestion,
    SuggestionStatus,
    Ticket,
)
from ..states import TicketAction as A
from ..states import TicketStatus as S
from .common import (
    StaleTicket,
    TicketRefused,
    append,
    last_handled,
    transition,
)
from .common import (
    now as now_,
)

# The tickets another may be merged into (open, not yet replied).
TARGET_STATES = (S.RECEIVED, S.DISPATCHED, S.RETURN_REQUESTED, S.HANDLING)
# The tickets that may be merged into another (the MERGE edges of the state machine).
MERGEABLE_STATES = (S.RECEIVED, S.DISPATCHED, S.HANDLING)
MAX_PER_TICKET = 3  # suggestions kept per new ticket, best first
PAGE_POOL = 500  # the most recent open tickets the ticket page's check compares texts with
INTAKE_POOL = 100  # … and the check at intake, within the subject (the sweep compares all)


@dataclass(frozen=True)
class MergeCandidate:
    """One open ticket a newer ticket may repeat, and why (``rule``: ``place`` or ``text``;
    ``score``: the text similarity, 0–1)."""

    ticket_id: int
    ticket_no: str
    rule: str
    score: float


def window() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "TONGBAN_HOTLINE_MERGE_WINDOW_HOURS", 72)))


def text_threshold() -> float:
    return float(getattr(settings, "TONGBAN_HOTLINE_MERGE_TEXT_THRESHOLD", 0.8))


# --------------------------------------------------------------------------- text features


def text_features(titles: Sequence[str], texts: Sequence[str]) -> sp.csr_matrix:
    """Unit-length rows of the dispatch classifier's text features ([D]): the active model's
    own vectorisers when one is active, otherwise the same three views
    (``classifier.text.prepare``: title characters, title + body characters, rjieba words)
    weighted by TF-IDF fitted on the texts at hand."""
    # scikit-learn is imported here, not at module level: about 0.7 s that every process start
    # (web workers, each management command) would otherwise pay.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    model = registry.active()
    if model is not None:
        X = _model_rows(model, list(titles), list(texts))
    else:
        views = textprep.prepare(titles, texts)
        blocks = []
        for name, kwargs in (
            ("title", {"analyzer": "char", "ngram_range": (1, 1)}),
            ("full", {"analyzer": "char", "ngram_range": (2, 2)}),
            ("words", {"analyzer": "word", "token_pattern": r"\S+", "ngram_range": (1, 1)}),
        ):
            vec = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **kwargs)
            try:
                blocks.append(vec.fit_transform(views[name]))
            except ValueError:  # an empty vocabulary: nothing but punctuation
                blocks.append(sp.csr_matrix((len(views[name]), 0), dtype=np.float32))
        X = sp.hstack(blocks, format="csr", dtype=np.float32)
    return normalize(X, norm="l2", copy=False)


# Each process keeps the model's feature rows of the texts it has seen: an intake compares the new
# ticket with the same recent open tickets as the intake before it, so featurising the pool again
# (word segmentation, n-gram hashing) was most of its cost (docs/performance.md, "Profiles").
ROW_CACHE_SIZE = 1024
_rows_lock = threading.Lock()
_row_cache: OrderedDict[tuple[str, str], sp.csr_matrix] = OrderedDict()
_row_model: list = [None]  # the model the cached rows belong to


def _model_rows(model, titles: list[str], texts: list[str]) -> sp.csr_matrix:
    """``model.features`` of the texts, each (title, text) featurised once per process and model
    (a row depends on its own text only)."""
    keys = list(zip(titles, texts, strict=True))
    if not keys:
        return model.features(titles, texts)
    with _rows_lock:
        if _row_model[0] is not model:
            _row_cache.clear()
            _row_model[0] = model
        missing = list(dict.fromkeys(k for k in keys if k not in _row_cache))
    if missing:
        fresh = model.features([k[0] for k in missing], [k[1] for k in missing])
        with _rows_lock:
            for i, key in enumerate(missing):
                _row_cache[key] = fresh[i]
            while len(_row_cache) > ROW_CACHE_SIZE:
                _row_cache.popitem(last=False)
    found = {}
    with _rows_lock:
        for key in keys:
            row = _row_cache.get(key)
            if row is None:  # pushed out meanwhile by another thread: featurise it again
                row = model.features([key[0]], [key[1]])
            else:
                _row_cache.move_to_end(key)
            found[key] = row
    return sp.vstack([found[k] for k in keys], format="csr", dtype=np.float32)


def forget_rows() -> None:
    """Drop the cached feature rows (tests)."""
    with _rows_lock:
        _row_cache.clear()
        _row_model[0] = None


# --------------------------------------------------------------------------- finding pairs

_FIELDS = ("id", "ticket_no", "created_at", "street_id", "subject_id", "title", "content")


def _open_pool(since: dt.datetime, until: dt.datetime):
    return Ticket.objects.filter(
        status__in=TARGET_STATES,
        merged_into__isnull=True,
        created_at__gte=since,
        created_at__lt=until,
    )


def _pairs(
    new: list[dict], pool: list[dict], *, threshold: float, span: dt.timedelta
) -> dict[int, list[MergeCandidate]]:
    """The candidates of each new ticket (by id) among ``pool``, best first: compared within
    one street (and with the tickets of unknown street), a block of new tickets at a time
    against that street's pool, ranked in numpy (place before text, then similarity)."""
    rows: dict[int, dict] = {r["id"]: r for r in pool}
    for r in new:
        rows.setdefault(r["id"], r)
    ids = np.fromiter(rows, dtype=np.int64, count=len(rows))
    index = {int(pk): i for i, pk in enumerate(ids)}
    values = list(rows.values())
    X = text_features([r["title"] for r in values], [r["content"] for r in values])
    created = np.array([r["created_at"].timestamp() for r in values])
    subject = np.array([r["subject_id"] or -1 for r in values], dtype=np.int64)
    street = np.array([r["street_id"] or -1 for r in values], dtype=np.int64)
    span_s = span.total_seconds()

    pool_by_street: dict[int, list[int]] = defaultdict(list)
    for r in pool:
        pool_by_street[r["street_id"] or -1].append(index[r["id"]])
    unknown = pool_by_street.get(-1, [])
    everyone = [index[r["id"]] for r in pool]
    new_by_street: dict[int, list[int]] = defaultdict(list)
    for r in sorted(new, key=lambda r: r["created_at"]):
        new_by_street[r["street_id"] or -1].append(index[r["id"]])

    out: dict[int, list[MergeCandidate]] = {}
    k = MAX_PER_TICKET
    for street_id, new_idx in new_by_street.items():
        cols = everyone if street_id == -1 else pool_by_street.get(street_id, []) + unknown
        if not cols:
            continue
        by_time = np.array(cols)[np.argsort(created[cols], kind="stable")]
        col_times = created[by_time]
        X_cols = X[by_time]
        for start in range(0, len(new_idx), 256):
            chunk = np.array(new_idx[start : start + 256])
            # only the pool within the window of this block of (time-sorted) new tickets
            lo = int(np.searchsorted(col_times, created[chunk].min() - span_s, side="left"))
            hi = int(np.searchsorted(col_times, created[chunk].max(), side="right"))
            if lo >= hi:
                continue
            cols_a = by_time[lo:hi]
            sims = (X[chunk] @ X_cols[lo:hi].T).toarray()
            # only earlier tickets within the window (ties broken by id)
            dt_s = created[chunk][:, None] - created[cols_a][None, :]
            earlier = (dt_s > 0) | ((dt_s == 0) & (ids[cols_a][None, :] < ids[chunk][:, None]))
            in_window = earlier & (dt_s <= span_s)
            place = (
                (subject[chunk][:, None] == subject[cols_a][None, :])
                & (subject[chunk][:, None] >= 0)
                & (street[chunk][:, None] == street[cols_a][None, :])
                & (street[chunk][:, None] >= 0)
            )
            hit = in_window & (place | (sims >= threshold))
            rank = np.where(hit, sims + 2.0 * place, -np.inf)
            if rank.shape[1] > k:
                top = np.argpartition(-rank, k - 1, axis=1)[:, :k]
            else:
                top = np.tile(np.arange(rank.shape[1]), (len(chunk), 1))
            for a in np.nonzero(hit.any(axis=1))[0]:
                best = sorted(
                    (b for b in top[a] if hit[a, b]),
                    key=lambda b, a=a: (-rank[a, b], int(ids[cols_a[b]])),
                )
                me = int(ids[chunk[a]])
                out[me] = [
                    MergeCandidate(
                        int(ids[cols_a[b]]),
                        values[cols_a[b]]["ticket_no"],
                        str(MergeRule.PLACE if place[a, b] else MergeRule.TEXT),
                        round(float(sims[a, b]), 4),
                    )
                    for b in best
                ]
    return out


def merge_candidates_for(
    ticket: Ticket, *, pool_size: int = PAGE_POOL, same_subject: bool = False
) -> list[MergeCandidate]:
    """The open tickets ``ticket`` may repeat (used on intake and on the ticket page): earlier,
    within the window, same street and subject or similar text; best first. ``same_subject``
    (intake) compares with the tickets of the same subject only, read through the index on
    (subject, registration time): every ``place`` pair and the ``text`` pairs within the
    subject at once, in well under a millisecond however many tickets are open; the text pairs
    across subjects are left to the periodic sweep."""
    if ticket.merged_into_id or ticket.status not in MERGEABLE_STATES:
        return []
    span = window()
    pool_q = _open_pool(ticket.created_at - span, ticket.created_at + dt.timedelta(seconds=1))
    pool_q = pool_q.exclude(pk=ticket.pk)
    if same_subject and ticket.subject_id is not None:
        pool_q = pool_q.filter(subject_id=ticket.subject_id)
    if ticket.street_id is not None:
        pool_q = pool_q.filter(Q(street_id=ticket.street_id) | Q(street__isnull=True))
    pool = list(pool_q.order_by("-created_at").values(*_FIELDS)[:pool_size])
    if not pool:
        return []
    me = {f: getattr(ticket, f) for f in _FIELDS}
    return _pairs([me], pool, threshold=text_threshold(), span=span).get(ticket.pk, [])


def _record(found: dict[int, list[MergeCandidate]], *, by: str, at: dt.datetime) -> int:
    """New suggestions (a pair suggested before, in any state, is not suggested again)."""
    if not found:
        return 0
    known = set(
        MergeSuggestion.objects.filter(ticket_id__in=list(found)).values_list(
            "ticket_id", "target_id"
        )
    )
    # a pair the other way round (A→B known, B→A found) is the same matter
    known |= {
        (b, a)
        for a, b in MergeSuggestion.objects.filter(target_id__in=list(found)).values_list(
            "ticket_id", "target_id"
        )
    }
    rows = [
        MergeSuggestion(
            ticket_id=me,
            target_id=c.ticket_id,
            rule=c.rule,
            score=c.score,
            found_by=by,
            found_at=at,
        )
        for me, candidates in found.items()
        for c in candidates
        if (me, c.ticket_id) not in known
    ]
    MergeSuggestion.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def merge_suggest_on_intake(ticket: Ticket) -> int:
    """Record the suggestions for a newly registered ticket (intake calls it once the ticket is
    committed, unless ``TONGBAN_HOTLINE_MERGE_ON_INTAKE`` is off)."""
    found = merge_candidates_for(ticket, pool_size=INTAKE_POOL, same_subject=True)
    return _record({ticket.pk: found} if found else {}, by=FoundBy.INTAKE, at=now_())


def merge_sweep(*, since: dt.datetime, until: dt.datetime, now: dt.datetime | None = None) -> int:
    """The periodic check (a plain function a scheduler can call; ``manage.py merge sweep``):
    candidate pairs of the mergeable tickets received in ``[since, until)`` against the open
    tickets received within the window before them; records new suggestions and answers how
    many were new."""
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("merge_sweep needs aware datetimes")
    at = now or now_()
    span = window()
    new = list(
        Ticket.objects.filter(
            status__in=MERGEABLE_STATES,
            merged_into__isnull=True,
            created_at__gte=since,
            created_at__lt=until,
        ).values(*_FIELDS)
    )
    if not new:
        return 0
    pool = list(_open_pool(since - span, until).values(*_FIELDS))
    found = _pairs(new, pool, threshold=text_threshold(), span=span)
    return _record(found, by=FoundBy.SWEEP, at=at)


# --------------------------------------------------------------------------- confirm and dismiss


def _require_operator(actor, what) -> None:
    access.require_any(actor, (Perm.TICKET_DISPATCH,), what)


def _lock_pair(a: str, b: str) -> dict[str, Ticket]:
    """Both rows locked in one order (by id), so two operators merging crosswise cannot
    deadlock."""
    rows = list(
        Ticket.objects.select_for_update(of=("self",), no_key=True)
        .filter(ticket_no__in=[a, b])
        .order_by("pk")
    )
    found = {t.ticket_no: t for t in rows}
    for no in (a, b):
        if no not in found:
            raise NotFound(_("没有找到工单 %(no)s。") % {"no": str(no)[:40]})
    return found


def merge_confirm(
    *,
    actor,
    ticket_no: str,
    into_no: str,
    override_street: bool = False,
    reason: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """确认并单: ``ticket_no`` (the repeat) joins the group of ``into_no`` (the primary, still
    open). Refused, with nothing changed: without the dispatch permission, into itself, into a
    ticket that is merged itself or no longer open, a ticket that is not in a mergeable state
    (of two operators confirming at once one wins; the other is told who merged), and tickets of
    two different streets unless ``override_street`` confirms it on purpose."""
    _require_operator(actor, _("只有热线中心的派单人员可以确认并单。"))
    ticket_no, into_no = str(ticket_no).strip()[:32], str(into_no).strip()[:32]
    reason = (reason or "").strip()[:500]
    if ticket_no == into_no:
        raise ValidationFailed(
            TicketErrorCode.MERGE_SELF, _("并入工单：不能把工单并入它自己。"), field="into_no"
        )
    with transaction.atomic():
        pair = _lock_pair(ticket_no, into_no)
        dup, primary = pair[ticket_no], pair[into_no]
        if expected_version is not None and dup.version != expected_version:
            raise StaleTicket(
                TicketErrorCode.STALE,
                _("该工单已被其他人处理，请刷新后查看。%(last)s"),
                last=last_handled(dup),
            )
        if primary.merged_into_id is not None:
            root = Ticket.objects.only("ticket_no").get(pk=primary.merged_into_id)
            raise TicketRefused(
                TicketErrorCode.MERGE_TARGET,
                _("工单 %(no)s 已并入 %(root)s，请并入 %(root)s。"),
                field="into_no",
                no=primary.ticket_no,
                root=root.ticket_no,
            )
        if primary.status not in TARGET_STATES:
            raise TicketRefused(
                TicketErrorCode.MERGE_TARGET,
                _("工单 %(no)s 当前为“%(status)s”，只能并入尚未答复的在办工单。"),
                field="into_no",
                no=primary.ticket_no,
                status=S(primary.status).label,
            )
        if dup.status not in MERGEABLE_STATES or dup.merged_into_id is not None:
            raise TicketRefused(
                TicketErrorCode.TRANSITION_NOT_ALLOWED,
                _("工单 %(no)s 当前为“%(status)s”，不能并单。%(last)s"),
                no=dup.ticket_no,
                status=S(dup.status).label,
                last=last_handled(dup),
            )
        streets_differ = (
            dup.street_id is not None
            and primary.street_id is not None
            and dup.street_id != primary.street_id
        )
        if streets_differ and not override_street:
            raise ValidationFailed(
                TicketErrorCode.MERGE_STREET_OVERRIDE,
                _(
                    "两张工单属于不同街道（%(a)s、%(b)s）。确属同一事项的，"
                    "请勾选“确认跨街道并单”后再提交。"
                ),
                field="override_street",
                a=dup.street.name,
                b=primary.street.name,
            )
        at = now_()
        children = list(Ticket.objects.filter(merged_into=dup).values_list("ticket_no", flat=True))

        def apply_dup(t: Ticket) -> dict[str, Any]:
            t.merged_into = primary
            withdrawn = t.assignments.exclude(
                status__in=[
                    AssignmentStatus.RETURNED,
                    AssignmentStatus.WITHDRAWN,
                    AssignmentStatus.REPLIED,
                ]
            ).update(status=AssignmentStatus.WITHDRAWN)
            return {
                "into": primary.ticket_no,
                "override_street": bool(streets_differ),
                "withdrawn_assignments": withdrawn,
                "children": children,
            }

        transition(ticket_no, actor=actor, action=A.MERGE, reason=reason, apply=apply_dup)
        for child in children:  # the group follows its new primary
            Ticket.objects.filter(ticket_no=child).update(merged_into=primary)
            transition(
                child,
                actor=actor,
                action=A.NOTE,
                reason=str(_("所在并单组已并入 %(no)s") % {"no": primary.ticket_no}),
                apply=lambda t: {"merged_into": primary.ticket_no},
            )
        transition(
            into_no,
            actor=actor,
            action=A.MERGED_IN,
            reason=reason,
            apply=lambda t: {"ticket": ticket_no, "children": children},
        )
        MergeSuggestion.objects.filter(ticket=dup, target=primary).update(
            status=SuggestionStatus.CONFIRMED, decided_at=at, decided_by=actor
        )
        if not MergeSuggestion.objects.filter(ticket=dup, target=primary).exists():
            MergeSuggestion.objects.create(
                ticket=dup,
                target=primary,
                rule=MergeRule.PLACE
                if dup.street_id == primary.street_id and dup.subject_id == primary.subject_id
                else MergeRule.TEXT,
                score=0.0,
                found_by=FoundBy.INTAKE,
                found_at=at,
                status=SuggestionStatus.CONFIRMED,
                decided_at=at,
                decided_by=actor,
                note=str(_("人工并单")),
            )
        MergeSuggestion.objects.filter(
            Q(ticket=dup) | Q(target=dup), status=SuggestionStatus.PENDING
        ).update(status=SuggestionStatus.OBSOLETE, decided_at=at)
    return Ticket.objects.get(ticket_no=ticket_no)


def merge_dismiss(*, actor, suggestion_id: int, note: str = "") -> MergeSuggestion:
    """不是重复件: the suggestion is closed and not made again."""
    _require_operator(actor, _("只有热线中心的派单人员可以处理并单建议。"))
    with transaction.atomic():
        row = MergeSuggestion.objects.select_for_update().filter(pk=suggestion_id).first()
        if row is None:
            raise NotFound(_("没有找到该并单建议。"))
        if row.status != SuggestionStatus.PENDING:
            raise TicketRefused(
                TicketErrorCode.SUGGESTION_DECIDED,
                _("该并单建议已处理（%(status)s），请刷新后查看。"),
                status=SuggestionStatus(row.status).label,
            )
        row.status = SuggestionStatus.DISMISSED
        row.decided_at = now_()
        row.decided_by = actor
        row.note = (note or "").strip()[:500]
        row.save(update_fields=["status", "decided_at", "decided_by", "note"])
    return row


# --------------------------------------------------------------------------- split


def merge_split(
    *, actor, ticket_no: str, reason: str, expected_version: int | None = None
) -> Ticket:
    """拆分: a merged ticket leaves its group and goes back to 已登记, to be dispatched on its
    own (a reason is required; the primary's history records it too)."""
    _require_operator(actor, _("只有热线中心的派单人员可以拆分并单。"))
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ValidationFailed(
            TicketErrorCode.REASON_REQUIRED, _("拆分理由：请填写。"), field="reason"
        )
    with transaction.atomic():
        t = Ticket.objects.filter(ticket_no=str(ticket_no)[:32]).only("merged_into").first()
        if t is None:
            raise NotFound(_("没有找到工单 %(no)s。") % {"no": str(ticket_no)[:40]})
        if t.merged_into_id is None:
            raise TicketRefused(
                TicketErrorCode.NOT_MERGED, _("工单 %(no)s 没有并入其他工单。"), no=ticket_no
            )
        primary_no = Ticket.objects.only("ticket_no").get(pk=t.merged_into_id).ticket_no
        _lock_pair(ticket_no, primary_no)

        def check(cur: Ticket) -> None:
            if cur.merged_into_id is None:
                raise TicketRefused(
                    TicketErrorCode.NOT_MERGED, _("工单 %(no)s 没有并入其他工单。"), no=ticket_no
                )

        def apply(cur: Ticket) -> dict[str, Any]:
            cur.merged_into = None
            for name in ("dispatched_at", "sign_due", "signed_at", "handle_due", "extended_from"):
                setattr(cur, name, None)
            cur.replied_at = None
            cur.reply = ""
            cur.solved = None
            cur.department = None
            return {"from": primary_no}

        ticket = transition(
            ticket_no,
            actor=actor,
            action=A.SPLIT,
            expected_version=expected_version,
            reason=reason,
            check=check,
            apply=apply,
        )
        transition(
            primary_no,
            actor=actor,
            action=A.SPLIT_OFF,
            reason=reason,
            apply=lambda p: {"ticket": ticket_no},
        )
        MergeSuggestion.objects.filter(
            ticket=ticket, target__ticket_no=primary_no, status=SuggestionStatus.CONFIRMED
        ).update(status=SuggestionStatus.SPLIT, decided_at=now_(), decided_by=actor)
    return ticket


# --------------------------------------------------------------------------- the shared reply


def share_reply(primary: Ticket, *, at: dt.datetime) -> list[str]:
    """The primary was replied (``ticket_reply`` calls this in its transaction): every ticket
    merged into it gets the same reply and a callback of its own, due with the primary's."""
    merged = list(
        Ticket.objects.select_for_update(of=("self",), no_key=True)
        .filter(merged_into=primary, status=S.MERGED)
        .order_by("pk")
    )
    due = workdays.deadline(at, 1)
    for t in merged:
        t.reply = primary.reply
        t.solved = primary.solved
        t.replied_at = at
        t.version += 1
        t.save(update_fields=["reply", "solved", "replied_at", "version"])
        if not t.callbacks.filter(status=CallbackStatus.PENDING).exists():
            Callback.objects.create(ticket=t, due=due)
        person = (
            Person.objects.filter(user_id=t.caller_user_id).first() if t.caller_user_id else None
        )
        if person is not None:  # a caller with an account also reads it on the portal
            notify(
                person=person,
                title=str(_("您反映的问题已答复")),
                body=str(_("工单 %(no)s：%(reply)s") % {"no": t.ticket_no, "reply": primary.reply}),
                link=f"/hotline/tickets/{t.ticket_no}/",
            )
        append(
            t,
            actor=None,
            action=A.SHARED_REPLY,
            from_state=S.MERGED,
            to_state=S.MERGED,
            reason=primary.reply,
            payload={"primary": primary.ticket_no, "solved": primary.solved, "callback_due": due},
        )
    return [t.ticket_no for t in merged]


def merged_group(primary: Ticket) -> list[Ticket]:
    """The tickets merged into ``primary`` (oldest first)."""
    return list(Ticket.objects.filter(merged_into=primary).order_by("created_at", "pk"))


__all__ = [
    "MergeCandidate",
    "merge_candidates_for",
    "merge_confirm",
    "merge_dismiss",
    "merge_split",
    "merge_suggest_on_intake",
    "merge_sweep",
    "merged_group",
    "share_reply",
    "text_features",
    "window",
]
