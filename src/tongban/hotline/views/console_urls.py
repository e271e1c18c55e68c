"""Ticket pages of the hotline console: intake, queues, ticket page, dispatch, callbacks."""

urlpatterns: list = []
