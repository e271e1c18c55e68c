"""Training rows from concluded tickets: the final subject after returns and re-dispatch."""

from __future__ import annotations

import datetime as dt

import pytest

from tongban.hotline import services
from tongban.hotline.classifier import TrainingRow
from tongban.hotline.classifier.history import rows_from_tickets

from ..factories import dispatched_ticket, new_ticket, replied_ticket

pytestmark = pytest.mark.django_db


def _close(ticket, operator):
    return services.ticket_callback(
        ticket.ticket_no, actor=operator, reached=True, satisfaction="satisfied", solved=True
    )


def test_the_label_is_the_subject_the_ticket_was_closed_under(
    world, operator, handler, zjj_handler, at
):
    at("2026-06-01 10:00")
    # filed as ponding (道路积水), returned by 城管局, re-dispatched as 停水 to 住建局, closed
    ticket = dispatched_ticket(
        operator, title="家里没水", content="望湖社区从早上开始停水，没有任何通知。"
    )
    services.ticket_return_request(
        ticket.ticket_no, actor=handler, reason="not_our_duty", explanation="属于供水问题"
    )
    services.ticket_return_decide(ticket.ticket_no, actor=operator, accept=True, note="")
    services.ticket_dispatch(
        ticket.ticket_no, actor=operator, department_code="zjj", subject_code="07.01.01"
    )
    services.ticket_sign(ticket.ticket_no, actor=zjj_handler)
    services.ticket_reply(ticket.ticket_no, actor=zjj_handler, reply="已恢复供水。", solved=True)
    _close(ticket, operator)

    # a ticket closed under its first subject, later
    at("2026-06-03 10:00")
    kept = replied_ticket(operator, handler)
    _close(kept, operator)
    # not concluded: dispatched, and replied but not yet called back
    dispatched_ticket(operator)
    replied_ticket(operator, handler)

    assert rows_from_tickets(dt.date(2026, 6, 1)) == [
        TrainingRow(
            ticket.ticket_no, "家里没水", "望湖社区从早上开始停水，没有任何通知。", "07.01.01"
        ),
        TrainingRow(
            kept.ticket_no,
            "学府路积水严重",
            "学府路与望湖路交叉口下雨后积水很深，行人无法通行，请尽快处理。",
            "03.02.05",
        ),
    ]
    assert [r.id for r in rows_from_tickets(dt.date(2026, 6, 2))] == [kept.ticket_no]
    assert rows_from_tickets(dt.date(2026, 6, 4)) == []


def test_train_from_tickets_through_the_command(world, operator, handler, tmp_path, at):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    at("2026-06-01 10:00")
    with pytest.raises(CommandError) as exc:
        call_command(
            "dispatch",
            "train",
            "--from-tickets",
            "--since",
            "2026-06-01",
            "--out",
            str(tmp_path / "m"),
            stdout=io.StringIO(),
        )
    assert str(exc.value) == "no concluded tickets with a subject since 2026-06-01"
    texts = {
        "03.02.05": ("路口积水", "下雨后路口积水很深"),
        "07.01.01": ("小区停水", "小区停水一天了没有通知"),
    }
    for i in range(6):
        for code, (title, content) in texts.items():
            t = new_ticket(operator, subject_code=code, title=f"{title}{i}", content=content)
            services.ticket_close_at_intake(
                t.ticket_no, actor=operator, outcome="direct_answer", note="已直接答复"
            )
    out = io.StringIO()
    call_command(
        "dispatch",
        "train",
        "--from-tickets",
        "--since",
        "2026-06-01",
        "--out",
        str(tmp_path / "m"),
        stdout=out,
    )
    assert out.getvalue().startswith("trained on 12 messages, 2 labels, in ")
    from tongban.hotline.classifier import load

    model = load(tmp_path / "m")
    assert model.labels == ["03.02.05", "07.01.01"]
    assert model.manifest["source"] == "tickets closed since 2026-06-01"
    assert model.predict(["停水"], ["家里停水了"])[0][0] == "07.01.01"
