from django.conf import settings

from .permissions import is_staff_member


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": settings.TONGBAN_SITE_NAME,
        "display_mode": getattr(request, "display_mode", "standard"),
        "is_staff_member": bool(user and is_staff_member(user)),
    }
