"""The console navigation shows each area only to the roles that work in it."""

import pytest
from django.test import Client

from tongban.core.permissions import Role

LINKS = {
    "licences": '/console/licences/"',
    "rules": '/console/rules/"',
    "ratings": '/console/ratings/"',
    "supervision": '/console/supervision/"',
}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.WINDOW_CLERK, set()),
        (Role.APPROVER, {"licences"}),
        (Role.HANDLER, {"ratings"}),
        (Role.SUPERVISOR, {"ratings", "supervision"}),
        (Role.DEPARTMENT_HEAD, {"ratings", "supervision"}),
        (Role.ADMINISTRATOR, {"licences", "rules"}),
    ],
)
def test_navigation_links_follow_permissions(staff_factory, role, expected):
    client = Client()
    client.force_login(staff_factory(role), backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/console/").content.decode()
    nav = html[html.index('class="site-nav"') : html.index("</nav>")]
    assert {name for name, href in LINKS.items() if href in nav} == expected
