from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..identifiers import phone_field_validator


class User(AbstractUser):
    """A login: an applicant (linked to a ``Person``) or a staff member (with a ``StaffProfile``).

    Roles are Django groups named by the slugs of ``core.roles.Role``.
    """

    display_name = models.CharField(_("显示名称"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class StaffProfile(models.Model):
    """A staff member's place of work: each is bound to exactly one department."""

    user = models.OneToOneField(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="staff"
    )
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        related_name="staff",
    )
    employee_no = models.CharField(_("工号"), max_length=32, blank=True)
    title = models.CharField(_("职务"), max_length=64, blank=True)
    phone = models.CharField(
        _("联系电话"), max_length=20, blank=True, validators=[phone_field_validator]
    )

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"
