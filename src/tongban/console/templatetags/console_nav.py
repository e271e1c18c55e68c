"""What the console navigation shows to whom."""

from django import template

from tongban.core.permissions import has_perm

register = template.Library()


@register.filter
def may(user, perms: str) -> bool:
    """True when the user holds any of the comma-separated permission codes."""
    if not getattr(user, "is_authenticated", False):
        return False
    return any(has_perm(user, perm.strip()) for perm in perms.split(","))
