"""Appointments (预约): a slot of a window group on a day, with a booking code."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    CHECKED_IN = "checked_in", _("已取号")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("爽约")


ACTIVE_BOOKING = (BookingStatus.BOOKED,)
# Statuses that hold a place in a slot's capacity.
HOLDS_PLACE = (BookingStatus.BOOKED, BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW)


class SlotCounter(models.Model):
    """How many places of one slot of one group are taken: the row every booking of that slot
    increments with a conditional update, so concurrent bookings never exceed the capacity."""

    group = models.ForeignKey("hall.WindowGroup", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    start = models.TimeField()
    taken = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "date", "start"], name="hall_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group_id} {self.date} {self.start} {self.taken}"


class Booking(models.Model):
    code = models.CharField(_("预约码"), max_length=12, unique=True)
    hall = models.ForeignKey("hall.Hall", on_delete=models.PROTECT, related_name="bookings")
    group = models.ForeignKey(
        "hall.WindowGroup", verbose_name=_("窗口分组"), on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        "catalog.ServiceItem",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item_name = models.CharField(_("事项名称"), max_length=200, blank=True)
    case_no = models.CharField(_("办件编号"), max_length=32, blank=True)
    person = models.ForeignKey(
        "core.Person", verbose_name=_("预约人"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField(_("预约日期"))
    slot_start = models.TimeField(_("时段开始"))
    slot_end = models.TimeField(_("时段结束"))
    status = models.CharField(
        _("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("取号时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    reschedule_count = models.PositiveSmallIntegerField(_("改约次数"), default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["date", "slot_start", "id"]
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        indexes = [
            models.Index(fields=["hall", "date", "status"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "item", "date", "slot_start"],
                condition=models.Q(status="booked"),
                name="hall_one_active_booking_per_slot",
            )
        ]

    def __str__(self) -> str:
        return self.code
