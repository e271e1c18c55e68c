from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..crypto import BlindIndexField, EncryptedCharField
from ..identifiers import (
    credit_code_field_validator,
    id_number_field_validator,
    phone_field_validator,
)
from ..masking import mask_id_number, mask_name, mask_phone


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Person(models.Model):
    """A natural person, identified once by resident ID number (stored once, shown masked)."""

    name = models.CharField(_("姓名"), max_length=64)
    # Encrypted at rest (core/crypto.py); exact look-ups and uniqueness go through the index.
    id_number = EncryptedCharField(
        _("身份证号码"),
        max_length=18,
        validators=[id_number_field_validator],
        kind="id_number",
        index_field="id_number_index",
    )
    id_number_index = BlindIndexField(
        _("身份证号码索引"), source="id_number", kind="id_number", unique=True
    )
    birth_date = models.DateField(_("出生日期"))
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    phone = EncryptedCharField(
        _("手机号码"),
        max_length=20,
        blank=True,
        validators=[phone_field_validator],
        kind="phone",
        index_field="phone_index",
    )
    phone_index = BlindIndexField(_("手机号码索引"), source="phone", kind="phone", db_index=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    household_region = models.ForeignKey(
        "core.Region",
        verbose_name=_("户籍所在地"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("自然人")
        verbose_name_plural = _("自然人")

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)


class Enterprise(models.Model):
    """A legal person or other organisation, identified by unified social credit code."""

    name = models.CharField(_("名称"), max_length=128)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        validators=[credit_code_field_validator],
    )
    legal_representative = models.ForeignKey(
        Person,
        verbose_name=_("法定代表人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="represented_enterprises",
    )
    address = models.CharField(_("住所"), max_length=200, blank=True)
    phone = EncryptedCharField(
        _("联系电话"),
        max_length=20,
        blank=True,
        validators=[phone_field_validator],
        kind="phone",
        index_field="phone_index",
    )
    phone_index = BlindIndexField(_("联系电话索引"), source="phone", kind="phone", db_index=True)
    region = models.ForeignKey(
        "core.Region",
        verbose_name=_("所在区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("法人/企业")
        verbose_name_plural = _("法人/企业")

    def __str__(self) -> str:
        return self.name


class AuthorisationRole(models.TextChoices):
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    MANAGER = "manager", _("经办人")


class EnterpriseAuthorisation(models.Model):
    """A person may act for an enterprise (as its legal representative or an authorised clerk)."""

    person = models.ForeignKey(
        Person, verbose_name=_("被授权人"), on_delete=models.CASCADE, related_name="authorisations"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业"),
        on_delete=models.CASCADE,
        related_name="authorisations",
    )
    role = models.CharField(_("身份"), max_length=24, choices=AuthorisationRole.choices)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业授权")
        verbose_name_plural = _("企业授权")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "enterprise"], name="one_authorisation_per_person_enterprise"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.masked_name} → {self.enterprise}"
