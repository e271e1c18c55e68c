"""Bundles (一件事) with their items, saved through ``bundle_save``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..exchange.specs import spec_from_bundle
from ..models import Bundle, BundleItem
from ..services import bundle_publish, bundle_save
from .base import CatalogAdmin, CatalogPermissions, admin_link


class BundleItemFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        kept = [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("item")
        ]
        if len(kept) < 2:
            raise forms.ValidationError(_("一件事至少包含两个事项。"))


class BundleItemInline(CatalogPermissions, admin.TabularInline):
    model = BundleItem
    formset = BundleItemFormSet
    fields = ["order", "item"]
    autocomplete_fields = ["item"]
    extra = 2


@admin.register(Bundle)
class BundleAdmin(CatalogAdmin):
    list_display = ["code", "name", "audience", "is_published", "item_count", "updated_at"]
    list_filter = ["audience", "is_published", "themes"]
    search_fields = ["code", "name", "bundle_items__item__implementation_code"]
    filter_horizontal = ["themes", "life_events"]
    inlines = [BundleItemInline]
    actions = ["publish_bundles", "unpublish_bundles"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_items=Count("bundle_items"))

    def get_fields(self, request, obj=None):
        fields = ["code", "name", "summary", "audience", "form_fields", "themes", "life_events"]
        return fields if obj is None else [*fields, "is_published", "questions_list"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["code", "is_published", "questions_list"]

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("事项数"), ordering="n_items")
    def item_count(self, obj):
        return obj.n_items

    @admin.display(description=_("情形问题"))
    def questions_list(self, obj):
        links = format_html_join(
            "",
            "<li>{}</li>",
            ((admin_link(q, f"{q.code}：{q.text}"),) for q in obj.questions.order_by("order")),
        )
        url = reverse("admin:catalog_situationquestion_add") + f"?bundle={obj.pk}"
        return format_html('<ul>{}</ul><a href="{}">{}</a>', links, url, _("增加情形问题"))

    def save_model(self, request, obj, form, change):
        pass  # the bundle is written with its items in save_related, through bundle_save

    def save_related(self, request, form, formsets, change):
        data = form.cleaned_data
        existing = Bundle.objects.filter(pk=form.instance.pk).first() if change else None
        spec = (
            spec_from_bundle(existing)
            if existing
            else {"questions": [], "is_published": False, "code": data["code"]}
        )
        rows = []
        for formset in formsets:
            for i, f in enumerate(formset.forms):
                d = getattr(f, "cleaned_data", None)
                if d and not d.get("DELETE") and d.get("item"):
                    rows.append((d.get("order") or 0, i, d["item"].implementation_code))
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        items = [code for _o, _i, code in sorted(rows)]
        for q in spec["questions"]:
            for o in q["options"]:
                o["excludes"] = [c for c in o["excludes"] if c in items]
        spec |= {
            "name": data["name"],
            "summary": data.get("summary", ""),
            "audience": data["audience"],
            "form_fields": data.get("form_fields") or [],
            "themes": [t.code for t in data.get("themes", [])],
            "life_events": [t.code for t in data.get("life_events", [])],
            "items": items,
            "publish": spec["is_published"],
        }
        bundle = bundle_save(actor=request.user, spec=spec)
        form.instance.pk = form.instance.id = bundle.pk

    @admin.action(description=_("发布所选一件事"))
    def publish_bundles(self, request, queryset):
        for bundle in queryset:
            self._run(request, bundle_publish, bundle=bundle, published=True)
        self.message_user(request, _("已发布所选一件事。"))

    @admin.action(description=_("取消发布所选一件事"))
    def unpublish_bundles(self, request, queryset):
        for bundle in queryset:
            self._run(request, bundle_publish, bundle=bundle, published=False)
        self.message_user(request, _("已取消发布所选一件事。"))
