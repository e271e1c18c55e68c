from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ChainedEvent


class CaseEvent(ChainedEvent):
    """One step of a case's history; clocks, timelines and statistics read these."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="events")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("办件事件")
        verbose_name_plural = _("办件事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="case_event_stream_seq"),
        ]
        indexes = [
            models.Index(fields=["case", "seq"]),
            # KPIs that count one action in a period (e.g. not accepted).
            models.Index(fields=["action", "occurred_at"], name="case_event_action_time"),
        ]
