"""Template helpers of personal data: the 「查看完整信息」 link to the logged reveal flow.

``{% reveal_link "ticket" ticket.ticket_no %}`` renders a link to
``/console/personal-data/reveal/<kind>/<ref>/`` (returning to the current page) for a user who
may reveal that kind of subject, and nothing for anyone else. Pages show numbers masked; the
full value is only ever shown by the reveal page, which records the view.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from ..masking import mask_id_number, mask_phone
from ..personal_data import may_reveal, subject_kind_label

register = template.Library()


@register.inclusion_tag("core/personal_data/reveal_link.html", takes_context=True)
def reveal_link(context, kind: str, ref, label: str = "") -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or ref in (None, "") or not may_reveal(user, kind):
        return {"url": ""}
    url = reverse("personal-data-console:reveal", args=[kind, str(ref)])
    url += "?" + urlencode({"next": request.get_full_path()})
    return {"url": url, "label": label}


@register.filter(name="subject_kind_label")
def subject_kind_label_filter(kind: str) -> str:
    """``{{ row.subject_kind|subject_kind_label }}``: 办件, 12345 工单, 漏接来电 …"""
    return subject_kind_label(kind)


@register.filter
def masked_phone(value) -> str:
    """``{{ number|masked_phone }}``: ``138****5678``."""
    return mask_phone(str(value or ""))


@register.filter
def masked_id_number(value) -> str:
    """``{{ number|masked_id_number }}``: ``4601**********1234``."""
    return mask_id_number(str(value or ""))
