"""Word search of ticket titles (``q=`` of the ticket list API and of the console ticket queue),
exactly ``title__icontains`` and fast at tens of millions of tickets.

On PostgreSQL the gram index of hotline migration 0008 finds the titles holding every bigram of
the word (``hotline_title_grams(title) @> hotline_word_grams(word)``), and the ``icontains`` test
stays, so the result is always exactly the scan's. The index is what a rare word needs; for a
frequent one it is the slow way: a GIN index answers only with a bitmap of *every* match, so a
word in 10 % of the titles reads a tenth of the table before the newest twenty can be sorted out
(垃圾清运 at 400,000 tickets: 436 ms). Without the gram test, the planner — which estimates the
``icontains`` test well from the statistics on ``upper(title)`` (migration 0008) — walks the
``created_at`` index backwards and stops at the page (0.3 ms), or scans until a capped count is
reached. So the word's share of the titles, as the planner estimates it, decides:

- the page (sorted newest first) walks the titles in order when the word is in at least
  ``PAGE_WALK_SHARE`` of them (a first page then reads at most 20 / share rows);
- a capped count (``COUNT_CAP + 1`` rows) reads the titles in table order when that reads fewer
  rows than the index's bitmap would hold: ``cap / share`` rows against ``share × tickets`` index
  entries per bigram (an entry costs about ``ENTRY_COST`` of a title test, measured).

Both ways give the same tickets (tests/perf/test_ticket_search.py); only the speed differs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, F, Func, QuerySet, Value

from .models import Ticket

# A word in at least this share of the titles: its page walks created_at (≤ 20 / share rows).
PAGE_WALK_SHARE = 0.01
# One posting-list entry of the gram index costs about this much of one title's icontains test
# (measured on PostgreSQL 15 under load: 40,000 entries of one bigram in 13–26 ms, 100,000
# titles tested in 145–190 ms).
ENTRY_COST = 0.3


class _TitleHoldsGrams(Func):
    """PostgreSQL: the title's characters and bigrams (the GIN index of hotline migration 0008)
    hold every bigram of the word — or its one character (both upper-cased). A necessary
    condition for ``title__icontains``, which stays the exact test."""

    template = "hotline_title_grams(%(expressions)s)"
    arg_joiner = ") @> hotline_word_grams("
    output_field = BooleanField()


def title_search(qs: QuerySet[Ticket], q: str, *, index: bool = True) -> QuerySet[Ticket]:
    """Tickets whose title contains ``q`` (case-insensitive): the same tickets as the ILIKE scan,
    through the gram index on PostgreSQL when ``index`` (a rare word), without it otherwise."""
    qs = qs.filter(title__icontains=q)
    if index and connection.vendor == "postgresql":
        qs = qs.filter(_TitleHoldsGrams(F("title"), Value(q)))
    return qs


@dataclass(frozen=True)
class WordPlan:
    """Whether a word search reads the gram index for its page and for its capped counts."""

    page_index: bool = True
    count_index: bool = True


INDEXED = WordPlan()


def word_share(q: str) -> tuple[float, float]:
    """PostgreSQL: (the planner's estimate of the share of titles containing ``q``, of the
    number of tickets), from the statistics on ``upper(title)``: one EXPLAIN, nothing read."""
    table = Ticket._meta.db_table
    pattern = f"%{connection.ops.prep_for_like_query(q)}%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} "  # noqa: S608 - the model's table
            f"WHERE UPPER(title::text) LIKE UPPER(%s) UNION ALL SELECT 1 FROM {table}",
            [pattern],
        )
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # a driver that does not parse json
        plan = json.loads(plan)
    scans = plan[0]["Plan"].get("Plans", [])
    if len(scans) != 2:
        return 0.0, 0.0
    matches, total = (float(s.get("Plan Rows", 0)) for s in scans)
    return (matches / total if total else 0.0), total


def word_plan(q: str, *, cap: int) -> WordPlan:
    """How to search the titles for the word ``q`` (see the module's docstring); the gram index
    always on other databases (where the functions do not exist: the plain scan)."""
    if connection.vendor != "postgresql" or not q:
        return INDEXED
    share, total = word_share(q)
    if share <= 0:
        return INDEXED
    grams = max(1, len({q.upper()[i : i + 2] for i in range(len(q) - 1)}))
    scan_rows = (cap + 1) / share
    index_cost = ENTRY_COST * share * total * grams
    return WordPlan(page_index=share < PAGE_WALK_SHARE, count_index=scan_rows > index_cost)
