"""联动 / 直通联办 (joint tickets): the co-handlers' replies to the lead unit and the
coordination meetings (协调会议) the centre holds on a joint ticket nobody resolves.

Who leads and who co-handles is on ``TicketAssignment.role``; a co-handler's own limits are
its assignment's ``sign_due`` / ``handle_due``.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CoReply(models.Model):
    """协办意见: what a co-handler found and did, for the lead unit's final reply."""

    assignment = models.OneToOneField(
        "hotline.TicketAssignment",
        verbose_name=_("派单记录"),
        on_delete=models.CASCADE,
        related_name="co_reply",
    )
    ticket = models.ForeignKey(
        "hotline.Ticket", on_delete=models.CASCADE, related_name="co_replies"
    )
    content = models.TextField(_("协办意见"))
    replied_at = models.DateTimeField(_("答复时间"))
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    late = models.BooleanField(_("超期答复"), default=False)

    class Meta:
        verbose_name = _("协办意见")
        verbose_name_plural = _("协办意见")
        ordering = ["replied_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.assignment.department}"


class CoordinationMeeting(models.Model):
    """协调会议: the centre's meeting on a joint ticket the units could not resolve — who came,
    what was decided, what follows and by when."""

    ticket = models.ForeignKey(
        "hotline.Ticket", on_delete=models.PROTECT, related_name="coordination_meetings"
    )
    held_on = models.DateField(_("会议日期"))
    participants = models.ManyToManyField(
        "core.Department", verbose_name=_("参会单位"), related_name="+"
    )
    other_participants = models.CharField(_("其他参会人员"), max_length=200, blank=True)
    decision = models.TextField(_("会议决定"))
    follow_up = models.TextField(_("后续事项"))
    follow_up_due = models.DateField(_("落实期限"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("协调会议")
        verbose_name_plural = _("协调会议")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.held_on:%Y-%m-%d}"
