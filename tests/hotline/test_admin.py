"""The hotline's admin pages: configuration editable, tickets read-only."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tongban.hotline.models import CatalogueStatus, DispatchCatalogue

from .factories import dispatched_ticket

pytestmark = pytest.mark.django_db


def test_system_checks_pass():
    call_command("check", "--fail-level", "ERROR")


@pytest.mark.parametrize(
    "path",
    [
        "/admin/hotline/subject/",
        "/admin/hotline/dispatchcatalogue/",
        "/admin/hotline/handlinglimit/",
        "/admin/hotline/ticket/",
    ],
)
def test_changelists_load(world, admin_client, path):
    assert admin_client.get(path).status_code == 200


def test_a_catalogue_page_shows_entries_and_rules(world, admin_client):
    page = admin_client.get(f"/admin/hotline/dispatchcatalogue/{world.catalogue.pk}/change/")
    assert page.status_code == 200
    assert "井盖归城管" in page.content.decode()


def test_tickets_are_read_only_and_hide_the_caller(world, operator, admin_client):
    ticket = dispatched_ticket(operator)
    page = admin_client.get(f"/admin/hotline/ticket/{ticket.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "13905710001" not in body
    assert 'name="_save"' not in body
    assert admin_client.get("/admin/hotline/ticket/add/").status_code == 403


def test_publish_action(world, admin_client):
    v2 = DispatchCatalogue.objects.create(version=2)
    response = admin_client.post(
        "/admin/hotline/dispatchcatalogue/",
        {"action": "publish", "_selected_action": [v2.pk]},
        follow=True,
    )
    assert response.status_code == 200
    v2.refresh_from_db()
    assert v2.status == CatalogueStatus.PUBLISHED
