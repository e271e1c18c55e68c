from django.db import models
from django.utils.translation import gettext_lazy as _


class KeyStatus(models.TextChoices):
    ACTIVE = "active", _("使用中")
    RETIRED = "retired", _("已轮换（仅用于验证）")


class Seal(models.Model):
    """电子印章: a department's seal image, drawn on its licences' PDFs; signed with its key."""

    department = models.ForeignKey(
        "core.Department", verbose_name=_("部门"), on_delete=models.PROTECT, related_name="seals"
    )
    name = models.CharField(_("印章名称"), max_length=128)
    image = models.FileField(_("印章图片"), upload_to="licences/seals/", blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["department_id", "id"]
        verbose_name = _("电子印章")
        verbose_name_plural = _("电子印章")

    def __str__(self) -> str:
        return self.name


class SigningKey(models.Model):
    """An SM2 key pair of an issuing department (optionally of one seal).

    The private key is stored only encrypted with the key-encryption key from the environment
    (``TONGBAN_LICENCE_KEY_SECRET``); the public key is published. Rotation retires a key: it
    keeps verifying the licences it signed and signs no more."""

    key_id = models.CharField(_("密钥标识"), max_length=64, unique=True)
    department = models.ForeignKey(
        "core.Department",
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="signing_keys",
    )
    seal = models.ForeignKey(
        Seal,
        verbose_name=_("印章"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="keys",
    )
    algorithm = models.CharField(_("算法"), max_length=16, default="SM2")
    public_key = models.CharField(_("公钥（十六进制，04||x||y）"), max_length=130)
    private_key_encrypted = models.TextField(_("加密的私钥"))
    status = models.CharField(
        _("状态"), max_length=16, choices=KeyStatus.choices, default=KeyStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    retired_at = models.DateTimeField(_("轮换时间"), null=True, blank=True)

    class Meta:
        ordering = ["department_id", "-id"]
        verbose_name = _("签名密钥")
        verbose_name_plural = _("签名密钥")

    def __str__(self) -> str:
        return self.key_id
