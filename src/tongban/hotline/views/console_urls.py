"""Ticket pages of the hotline console: intake, queues, ticket page, dispatch, callbacks."""

from django.urls import path

from . import (
    console_callbacks,
    console_dispatch_quality,
    console_intake,
    console_queue,
    console_ticket,
)

urlpatterns = [
    path("", console_queue.queue, name="home"),
    path("intake/", console_intake.intake, name="intake"),
    path("intake/similar/", console_intake.similar, name="intake-similar"),
    path("intake/locality/", console_intake.locality, name="intake-locality"),
    path("intake/suggestions/", console_intake.subject_suggestions, name="intake-suggestions"),
    path("missed-calls/", console_callbacks.missed_calls, name="missed-calls"),
    path(
        "dispatch-quality/",
        console_dispatch_quality.dispatch_quality_page,
        name="dispatch-quality",
    ),
    path(
        "missed-calls/<int:call_id>/",
        console_callbacks.missed_call_resolve,
        name="missed-call-resolve",
    ),
    path("tickets/<str:ticket_no>/", console_ticket.ticket_page, name="ticket"),
    path(
        "tickets/<str:ticket_no>/undo-auto-dispatch/",
        console_ticket.auto_dispatch_undo,
        name="undo-auto-dispatch",
    ),
    path("tickets/<str:ticket_no>/<slug:action>/", console_ticket.ticket_action, name="action"),
]
