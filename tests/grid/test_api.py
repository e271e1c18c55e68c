"""The grid API: the same rules as the pages, as JSON."""

from __future__ import annotations

import json

from django.test import Client

from tongban.core.services import api_token_create
from tongban.grid.models import GridEvent

EVENT = {
    "content": "望湖路 12 号楼道堆放杂物堵塞通道。",
    "address": "云溪区云溪街道望湖社区望湖路 12 号",
    "solved_on_spot": True,
    "resolution": "已当场劝导清理。",
}


def call(user, method: str, path: str, body=None):
    headers = {}
    if user is not None:
        _token, plain = api_token_create(user=user, name="test")
        headers["Authorization"] = f"Bearer {plain}"
    client = Client()
    if method == "get":
        return client.get(f"/api/v1{path}", headers=headers)
    return client.post(
        f"/api/v1{path}",
        data=json.dumps(body or {}),
        content_type="application/json",
        headers=headers,
    )


def test_a_worker_reports_and_lists_their_events(worker_a, worker_b):
    response = call(worker_a, "post", "/grid/events", EVENT)
    assert response.status_code == 201
    data = response.json()
    assert (data["grid"], data["resolution"], data["status"]) == ("yx-wh-01", "on_spot", "closed")
    assert [e["ticket_no"] for e in call(worker_a, "get", "/grid/events").json()] == [
        data["ticket_no"]
    ]
    assert call(worker_b, "get", "/grid/events").json() == []
    grids = call(worker_a, "get", "/grid/grids").json()
    assert [(g["code"], g["communities"]) for g in grids] == [("yx-wh-01", ["望湖社区"])]


def test_refusals_are_clear_and_change_nothing(worker_a, handler, operator):
    outside = {**EVENT, "address": "云溪区东湖街道湖滨社区湖滨路 6 号"}
    response = call(worker_a, "post", "/grid/events", outside)
    assert response.status_code == 409
    assert response.json()["code"] == "outside_grid"
    assert call(handler, "get", "/grid/events").status_code == 403
    assert call(operator, "post", "/grid/events", EVENT).status_code == 403
    assert call(None, "get", "/grid/events").status_code == 401
    bad = call(worker_a, "post", "/grid/events", {**EVENT, "ticket_type": "nonsense"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "ticket_type"
    assert GridEvent.objects.count() == 0
