"""Pickup lockers (自助取件柜): banks of compartments where staff leave results for applicants."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.core.models import ChainedEvent


class CompartmentSize(models.TextChoices):
    SMALL = "small", _("小格")
    MEDIUM = "medium", _("中格")
    LARGE = "large", _("大格")


class LockerBank(models.Model):
    """One locker cabinet (取件柜) with its compartments, driven by one controller."""

    code = models.SlugField(_("柜号"), max_length=16, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    location = models.CharField(_("位置"), max_length=128, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("自助取件柜")
        verbose_name_plural = _("自助取件柜")

    def __str__(self) -> str:
        return self.name


class Compartment(models.Model):
    bank = models.ForeignKey(
        LockerBank, verbose_name=_("取件柜"), on_delete=models.CASCADE, related_name="compartments"
    )
    number = models.PositiveSmallIntegerField(_("格口号"))
    size = models.CharField(
        _("规格"), max_length=8, choices=CompartmentSize.choices, default=CompartmentSize.MEDIUM
    )
    in_service = models.BooleanField(_("可用"), default=True)

    class Meta:
        ordering = ["bank__code", "number"]
        verbose_name = _("格口")
        verbose_name_plural = _("格口")
        constraints = [
            models.UniqueConstraint(fields=["bank", "number"], name="selfservice_compartment_no"),
        ]

    def __str__(self) -> str:
        return f"{self.bank.code}-{self.number:02d}"

    @property
    def label(self) -> str:
        return f"{self.bank.code}-{self.number:02d}"


class DepositStatus(models.TextChoices):
    PLACED = "placed", _("待取件")
    FLAGGED = "flagged", _("逾期未取，待邮寄")
    COLLECTED = "collected", _("已取件")
    REMOVED = "removed", _("已取出")


# A compartment holds at most one deposit in these statuses, and a case is in at most one.
OCCUPYING = (DepositStatus.PLACED, DepositStatus.FLAGGED)


class Deposit(models.Model):
    """存件: a case's result left in a compartment; the applicant opens it with a pickup code.

    Only the code's HMAC is stored (the code goes to the applicant by SMS); it is single-use
    and expires. ``version`` is compared by staff actions (optimistic locking).
    """

    compartment = models.ForeignKey(
        Compartment, verbose_name=_("格口"), on_delete=models.PROTECT, related_name="deposits"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("办件"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=DepositStatus.choices,
        default=DepositStatus.PLACED,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("版本"), default=1)
    code_digest = models.CharField(_("取件码摘要"), max_length=64, db_index=True)
    code_expires_at = models.DateTimeField(_("取件码有效期至"))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("存件人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    placed_at = models.DateTimeField(_("存件时间"))
    flagged_at = models.DateTimeField(_("转邮寄时间"), null=True, blank=True)
    collected_at = models.DateTimeField(_("取件时间"), null=True, blank=True)
    removed_at = models.DateTimeField(_("取出时间"), null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("存件")
        verbose_name_plural = _("存件")
        constraints = [
            models.UniqueConstraint(
                fields=["compartment"],
                condition=models.Q(status__in=OCCUPYING),
                name="selfservice_one_deposit_per_compartment",
            ),
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(status__in=OCCUPYING),
                name="selfservice_one_deposit_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compartment} · {self.case}"

    @property
    def stream(self) -> str:
        return f"deposit:{self.pk}"


class DepositEvent(ChainedEvent):
    """One step of a deposit's history (placed, code sent, collected, flagged, removed)."""

    deposit = models.ForeignKey(Deposit, on_delete=models.PROTECT, related_name="events")

    class Meta(ChainedEvent.Meta):
        verbose_name = _("存件事件")
        verbose_name_plural = _("存件事件")
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="selfservice_deposit_event_seq"),
        ]
