"""The hotline's entries in the console navigation, by what the signed-in person may do."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from tongban.core.permissions import Perm, has_perm

register = template.Library()

# (url name, label, any of these permissions, url names that count as "here")
ENTRIES = [
    ("intake", _("接听登记"), (Perm.TICKET_CREATE,), ("intake",)),
    (
        "home",
        _("工单"),
        (
            Perm.TICKET_DISPATCH,
            Perm.TICKET_HANDLE,
            Perm.TICKET_ARBITRATE,
            Perm.TICKET_CALLBACK,
            Perm.SUPERVISION_VIEW,
        ),
        ("home", "ticket"),
    ),
    ("missed-calls", _("漏接回拨"), (Perm.TICKET_CREATE,), ("missed-calls",)),
    (
        "dispatch-quality",
        _("派单质量"),
        (Perm.TICKET_DISPATCH, Perm.SUPERVISION_VIEW),
        ("dispatch-quality",),
    ),
    # [G] g1: joint tickets and merge suggestions
    (
        "joint",
        _("联动工单"),
        (Perm.TICKET_DISPATCH, Perm.TICKET_ARBITRATE, Perm.TICKET_HANDLE, Perm.SUPERVISION_VIEW),
        ("joint",),
    ),
    ("merging", _("并单建议"), (Perm.TICKET_DISPATCH,), ("merging",)),
    ("reports", _("统计报表"), (Perm.TICKET_DISPATCH, Perm.SUPERVISION_VIEW), ("reports",)),
]
KNOWLEDGE_PERMS = (Perm.TICKET_CREATE, Perm.KNOWLEDGE_EDIT, Perm.KNOWLEDGE_REVIEW)


def _allowed(user, perms) -> bool:
    return any(has_perm(user, perm) for perm in perms)


@register.filter
def works_with_tickets(user) -> bool:
    """Whether the console's main navigation shows the 12345 entry to this person."""
    return _allowed(user, [p for entry in ENTRIES for p in entry[2]] + list(KNOWLEDGE_PERMS))


@register.simple_tag(takes_context=True)
def hotline_links(context) -> list[dict]:
    """The hotline's own navigation: the pages this person may open, the current one marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    here = match.url_name if match and match.namespace == "hotline-console" else ""
    links = []
    for name, label, perms, current in ENTRIES:
        if _allowed(user, perms):
            links.append(
                {
                    "url": reverse(f"hotline-console:{name}"),
                    "label": label,
                    "current": here in current,
                }
            )
    if _allowed(user, KNOWLEDGE_PERMS):
        try:
            url = reverse("hotline-console:knowledge:home")
        except NoReverseMatch:  # the knowledge pages are not mounted
            url = ""
        if url:
            links.append(
                {
                    "url": url,
                    "label": _("知识库"),
                    "current": bool(match and "knowledge" in match.namespaces),
                }
            )
    return links
