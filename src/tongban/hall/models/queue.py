"""Queue numbers (取号) and their calling (叫号), with an append-only event history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ChainedEvent


class Channel(models.TextChoices):
    KIOSK = "kiosk", _("取号机")
    BOOKING = "booking", _("预约取号")
    COUNTER = "counter", _("窗口代取")
    SELF_SERVICE = "self_service", _("自助终端")


class NumberStatus(models.TextChoices):
    WAITING = "waiting", _("等候中")
    CALLED = "called", _("已叫号")
    SERVING = "serving", _("办理中")
    DONE = "done", _("已办结")
    SKIPPED = "skipped", _("已过号")
    TRANSFERRED = "transferred", _("已转组")
    NO_SHOW = "no_show", _("未到")


OPEN_NUMBER = (NumberStatus.WAITING, NumberStatus.CALLED, NumberStatus.SERVING)


class NumberCounter(models.Model):
    """The last number issued in a group on a business date (A001, A002 …)."""

    group = models.ForeignKey("hall.WindowGroup", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "date"], name="hall_number_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.date} {self.last}"


class QueueNumber(models.Model):
    hall = models.ForeignKey("hall.Hall", on_delete=models.PROTECT, related_name="numbers")
    group = models.ForeignKey(
        "hall.WindowGroup", verbose_name=_("窗口分组"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("号码"), max_length=8)
    business_date = models.DateField(_("日期"))
    person = models.ForeignKey(
        "core.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    booking = models.ForeignKey(
        "hall.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="numbers"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("取号渠道"), max_length=16, choices=Channel.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=NumberStatus.choices, default=NumberStatus.WAITING
    )
    # Calling order: booked visitors from their slot's start, everyone else from taking the
    # number; a transferred number keeps its first place (see services.calling).
    priority_at = models.DateTimeField()
    priority_tier = models.PositiveSmallIntegerField(
        default=2
    )  # 0 transferred, 1 booked, 2 walk-in
    taken_at = models.DateTimeField(_("取号时间"))
    called_at = models.DateTimeField(_("叫号时间"), null=True, blank=True)
    call_count = models.PositiveSmallIntegerField(_("呼叫次数"), default=0)
    window = models.ForeignKey(
        "hall.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    serving_started_at = models.DateTimeField(_("开始办理"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_to"
    )
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True)
    rating_ref = models.CharField(_("评价服务编号"), max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["business_date", "taken_at", "id"]
        verbose_name = _("排队号")
        verbose_name_plural = _("排队号")
        indexes = [
            models.Index(fields=["hall", "business_date", "status"]),
            models.Index(fields=["group", "status", "priority_tier", "priority_at"]),
            models.Index(fields=["window", "status"]),
            models.Index(fields=["hall", "called_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["hall", "business_date", "number"],
                condition=models.Q(transferred_from__isnull=True),
                name="hall_number_unique_per_day",
            )
        ]

    def __str__(self) -> str:
        return self.number


class HallEvent(ChainedEvent):
    """The history of a queue number (stream ``qn:<id>``) or a booking (``bk:<code>``)."""

    number = models.ForeignKey(
        QueueNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    booking = models.ForeignKey(
        "hall.Booking", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(ChainedEvent.Meta):
        verbose_name = _("大厅事件")
        verbose_name_plural = _("大厅事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="hall_event_stream_seq")
        ]
