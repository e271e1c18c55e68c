"""Materials: edited while their version is a draft, the version re-checked after each save."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _

from ..models import Material, ServiceItemVersion
from ..services import version_check_quality
from .base import CatalogAdmin, is_draft


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = [
            "seq",
            "name",
            "necessity",
            "condition",
            "form",
            "copies",
            "source",
            "source_note",
            "licence_type",
            "blank_form",
            "sample",
            "notes",
            "deferrable",
            "commitment_replaceable",
        ]

    def clean_seq(self):
        seq = self.cleaned_data["seq"]
        taken = Material.objects.filter(version_id=self.instance.version_id, seq=seq)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("材料序号 %(s)s 重复。") % {"s": seq})
        return seq


@admin.register(Material)
class MaterialAdmin(CatalogAdmin):
    form = MaterialForm
    list_display = [
        "name",
        "item_code",
        "version",
        "seq",
        "necessity",
        "source",
        "deferrable",
        "commitment_replaceable",
    ]
    list_filter = [
        "necessity",
        "source",
        "form",
        "deferrable",
        "commitment_replaceable",
        "version__status",
    ]
    search_fields = ["name", "licence_type", "version__name", "version__item__implementation_code"]
    list_select_related = ["version__item"]
    readonly_fields = ["version"]

    def has_add_permission(self, request):
        return False  # materials are added on their draft version

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or is_draft(obj.version))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    @admin.display(description=_("实施编码"), ordering="version__item__implementation_code")
    def item_code(self, obj):
        return obj.version.item.implementation_code

    def save_model(self, request, obj, form, change):
        if not is_draft(ServiceItemVersion.objects.get(pk=obj.version_id)):
            raise DjangoPermissionDenied
        super().save_model(request, obj, form, change)
        version_check_quality(obj.version)

    def delete_model(self, request, obj):
        version = obj.version
        super().delete_model(request, obj)
        version_check_quality(version)
