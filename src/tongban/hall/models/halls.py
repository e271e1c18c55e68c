"""Halls, window groups, windows and opening hours (大厅、窗口分组、窗口、开放时间)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Hall(models.Model):
    """A service hall (政务服务大厅 / 便民服务中心) run by one department."""

    code = models.SlugField(_("大厅编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        "core.Department", verbose_name=_("运行单位"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("预约时段长度（分钟）"), default=30)
    booking_days_ahead = models.PositiveSmallIntegerField(_("可提前预约天数"), default=7)
    booking_grace_minutes = models.PositiveSmallIntegerField(
        _("预约迟到宽限（分钟）"),
        default=15,
        help_text=_("预约时段开始后超过这么多分钟仍未取号，记为爽约。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("政务服务大厅")
        verbose_name_plural = _("政务服务大厅")

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening period of a weekday (a day may have a morning and an afternoon period).
    A statutory holiday closes the hall; an adjusted working day (调休上班) opens it with
    Monday's hours; weekend periods are the hall's weekend service (周末不打烊)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("星期一")
        TUESDAY = 1, _("星期二")
        WEDNESDAY = 2, _("星期三")
        THURSDAY = 3, _("星期四")
        FRIDAY = 4, _("星期五")
        SATURDAY = 5, _("星期六")
        SUNDAY = 6, _("星期日")

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    opens = models.TimeField(_("开始时间"))
    closes = models.TimeField(_("结束时间"))

    class Meta:
        ordering = ["hall", "weekday", "opens"]
        verbose_name = _("开放时间")
        verbose_name_plural = _("开放时间")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="hall_hours_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class WindowGroup(models.Model):
    """A queue of the hall (窗口分组): its code is the number prefix (A, B …); it serves a set of
    items, has a booking capacity per time slot and an average service time for estimates."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="groups")
    code = models.CharField(_("号码前缀"), max_length=2)
    name = models.CharField(_("名称"), max_length=64)
    items = models.ManyToManyField(
        "catalog.ServiceItem", verbose_name=_("办理事项"), blank=True, related_name="+"
    )
    slot_capacity = models.PositiveSmallIntegerField(_("每时段预约名额"), default=4)
    service_minutes = models.PositiveSmallIntegerField(_("平均办理时长（分钟）"), default=10)
    bookable = models.BooleanField(_("可预约"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["hall", "sort_order", "code"]
        verbose_name = _("窗口分组")
        verbose_name_plural = _("窗口分组")
        constraints = [
            models.UniqueConstraint(fields=["hall", "code"], name="hall_group_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class WindowKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("综合窗口")
    DEDICATED = "dedicated", _("专窗")
    ASSISTED = "assisted", _("帮办窗口")
    COMPLAINT = "complaint", _("办不成事反映窗口")


class Window(models.Model):
    """A counter (窗口) of the hall: the groups it calls from and the clerk signed in at it."""

    hall = models.ForeignKey(Hall, on_delete=models.CASCADE, related_name="windows")
    number = models.PositiveSmallIntegerField(_("窗口号"))
    name = models.CharField(_("名称"), max_length=64, blank=True)
    kind = models.CharField(
        _("类型"), max_length=16, choices=WindowKind.choices, default=WindowKind.COMPREHENSIVE
    )
    groups = models.ManyToManyField(
        WindowGroup, verbose_name=_("叫号分组"), related_name="windows", blank=True
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("在岗工作人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    rating_device = models.ForeignKey(
        "ratings.RatingDevice",
        verbose_name=_("窗口评价器"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["hall", "number"]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        constraints = [
            models.UniqueConstraint(fields=["hall", "number"], name="hall_window_number_unique"),
            models.UniqueConstraint(
                fields=["clerk"],
                condition=models.Q(clerk__isnull=False),
                name="hall_clerk_one_window",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _("%(n)s 号窗口") % {"n": self.number}


class ClerkPhoto(models.Model):
    """The clerk's photo shown on the window screen (窗口屏: 姓名、照片、工号)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hall_photo"
    )
    photo = models.FileField(_("照片"), upload_to="hall/clerks/")

    class Meta:
        verbose_name = _("工作人员照片")
        verbose_name_plural = _("工作人员照片")

    def __str__(self) -> str:
        return str(self.user)
