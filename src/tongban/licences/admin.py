"""Licence configuration at /admin/: licence types (their field specification checked), seals
(image upload); signing keys read-only — keys are made and rotated only by ``tongban keys``
(the private key never passes through a form), licences change only through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from tongban.core import uploads as core_uploads
from tongban.core.errors import DomainError

from .models import LicenceType, Seal, SigningKey, ValidityKind
from .services.types import TYPE_CODE, validate_fields_spec


class LicenceTypeForm(forms.ModelForm):
    class Meta:
        model = LicenceType
        fields = [
            "code",
            "name",
            "department",
            "holder_kind",
            "fields",
            "validity_kind",
            "validity_years",
            "valid_until",
            "has_photo",
            "layout",
            "number_prefix",
            "issuing_items",
            "renewal_item_code",
            "reminder_days",
            "is_active",
        ]

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip()
        if not TYPE_CODE.match(code):
            raise forms.ValidationError(_("证照类型代码应为 1–32 位大写字母或数字。"))
        return code

    def clean_fields(self):  # the model field "fields", not Form.clean_fields
        try:
            return validate_fields_spec(self.cleaned_data.get("fields"))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean_layout(self):
        layout = self.cleaned_data.get("layout") or {}
        if not isinstance(layout, dict):
            raise forms.ValidationError(_('版式应为 JSON 对象，例如 {"title": "…"}。'))
        return layout

    def clean_issuing_items(self):
        items = self.cleaned_data.get("issuing_items") or []
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise forms.ValidationError(_("发证事项应为事项实施编码的列表。"))
        return items

    def clean(self):
        data = super().clean()
        kind = data.get("validity_kind")
        if kind == ValidityKind.YEARS and not data.get("validity_years"):
            self.add_error("validity_years", _("“固定年限”需要填写有效年限。"))
        if kind == ValidityKind.UNTIL and not data.get("valid_until"):
            self.add_error("valid_until", _("“至指定日期”需要填写有效期至。"))
        department = data.get("department")
        if department is not None and not department.credit_code:
            self.add_error("department", _("发证部门没有统一社会信用代码，无法生成电子证照标识。"))
        return data


@admin.register(LicenceType)
class LicenceTypeAdmin(admin.ModelAdmin):
    form = LicenceTypeForm
    list_display = [
        "code",
        "name",
        "department",
        "holder_kind",
        "validity_kind",
        "has_photo",
        "is_active",
    ]
    list_filter = ["holder_kind", "validity_kind", "has_photo", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["department"]
    ordering = ["code"]


class SealForm(forms.ModelForm):
    image = forms.ImageField(label=_("印章图片"), required=False)

    class Meta:
        model = Seal
        fields = ["department", "name", "image", "is_active"]

    def clean_image(self):
        """The platform-wide upload check (core/uploads.py): size, PNG/JPEG by content, the
        extension matching it, no decompression bomb."""
        image = self.cleaned_data.get("image")
        if isinstance(image, UploadedFile):
            try:
                data = core_uploads.read(image, field="image", label=_("印章图片"))
                core_uploads.check_file(
                    image.name, data, allowed={"png", "jpeg"}, field="image", label=_("印章图片")
                )
            except DomainError as exc:
                raise forms.ValidationError(exc.message) from None
            finally:
                image.seek(0)
        return image


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    form = SealForm
    list_display = ["name", "department", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    """Read-only; the encrypted private key is not even shown."""

    list_display = ["key_id", "department", "seal", "algorithm", "status", "created_at"]
    list_filter = ["status", "algorithm"]
    search_fields = ["key_id", "department__name"]
    fields = [
        "key_id",
        "department",
        "seal",
        "algorithm",
        "public_key",
        "status",
        "created_at",
        "retired_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
