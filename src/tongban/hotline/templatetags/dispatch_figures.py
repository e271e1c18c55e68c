"""How the dispatch-quality page writes its shares."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def percent(value) -> str:
    """0.9234 → "92.3%"; no value (nothing to measure) → "—"."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def short_hash(value) -> str:
    text = str(value or "")
    return text[:12] if text else "—"


@register.filter
def plain(value) -> str:
    """A threshold as written: 0.9 → "0.9", 0.93 → "0.93"."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "—"


@register.filter
def iso_datetime(value):
    """A manifest's ISO timestamp as an aware local datetime (for ``|date``); the text itself
    when it is not one."""
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        return value or "—"
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, dt.UTC)
    return timezone.localtime(parsed)
