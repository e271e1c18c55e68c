from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChainedEvent(models.Model):
    """Base of every append-only, hash-chained history (cases, tickets, audit).

    Events of one ``stream`` (e.g. ``case:330199-20261121-0001``) are numbered 1, 2, 3 … and
    each stores the SHA-256 of its predecessor; ``EventChainHead`` anchors the newest one so
    that a deleted last event is detected too. Write them only through
    ``core.events.event_append``; they are never edited or deleted.
    """

    stream = models.CharField(_("事件流"), max_length=64)
    seq = models.PositiveIntegerField(_("序号"))
    occurred_at = models.DateTimeField(_("发生时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("操作人名称"), max_length=64, blank=True)
    action = models.CharField(_("动作"), max_length=48)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32, blank=True)
    reason = models.TextField(_("原因"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)
    prev_hash = models.CharField(_("前序摘要"), max_length=64)
    hash = models.CharField(_("摘要"), max_length=64)

    class Meta:
        abstract = True
        ordering = ["stream", "seq"]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"


class EventChainHead(models.Model):
    """The newest event of each stream of each event table: the chain's anchor."""

    table = models.CharField(_("事件表"), max_length=64)
    stream = models.CharField(_("事件流"), max_length=64)
    seq = models.PositiveIntegerField(_("序号"), default=0)
    hash = models.CharField(_("摘要"), max_length=64)

    class Meta:
        verbose_name = _("事件链头")
        verbose_name_plural = _("事件链头")
        constraints = [
            models.UniqueConstraint(fields=["table", "stream"], name="one_head_per_stream"),
        ]

    def __str__(self) -> str:
        return f"{self.table}/{self.stream}#{self.seq}"


class AuditEvent(ChainedEvent):
    """Core's own history: calendar changes, tokens, staff and role changes."""

    class Meta(ChainedEvent.Meta):
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_event_stream_seq"),
        ]
