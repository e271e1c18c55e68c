"""Items and their versions: items are created through ``item_save_spec``; a draft version is
edited with its inlines and re-checked for quality after each save; published and retired
versions are read-only; drafts are published and revised through the services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from ..exchange.layout import ITEMS, CellError, from_cell, to_cell
from ..models import (
    Faq,
    Fee,
    LegalBasis,
    Material,
    ServiceItem,
    ServiceItemVersion,
    SpecialProcedure,
)
from ..models.codes import Channel, Delivery, VersionStatus
from ..quality import check_codes
from ..services import item_publish, item_retire, item_revise, item_save_spec, version_check_quality
from ..services.items import implementation_code_for
from ..spec import ELEMENT_FIELDS, validate_item_spec, with_defaults
from .base import (
    CatalogAdmin,
    CatalogPermissions,
    admin_link,
    is_draft,
    preview_url,
    problem_counts,
)


class ItemCreateForm(forms.ModelForm):
    """A new item: its identity and the few elements a first draft needs."""

    name = ServiceItemVersion._meta.get_field("name").formfield()
    item_type = ServiceItemVersion._meta.get_field("item_type").formfield()
    applicant_kind = ServiceItemVersion._meta.get_field("applicant_kind").formfield()
    legal_limit_days = ServiceItemVersion._meta.get_field("legal_limit_days").formfield()
    promised_limit_days = ServiceItemVersion._meta.get_field("promised_limit_days").formfield()

    class Meta:
        model = ServiceItem
        fields = [
            "department",
            "exercise_level",
            "basic_code",
            "handling_suffix",
            "local_basic_code",
            "local_implementation_code",
        ]

    def clean(self):
        data = super().clean()
        department = data.get("department")
        if department is None or self.errors:
            return data
        spec = {k: data.get(k) for k in self.Meta.fields if k != "department"}
        spec |= {k: data.get(k) for k in self.declared_fields}
        spec["department"] = department.code
        for error in validate_item_spec(with_defaults(spec)):
            self.add_error(error.path if error.path in self.fields else None, error.message)
        if not department.credit_code:
            self.add_error("department", _("该实施主体没有统一社会信用代码，无法生成实施编码。"))
        elif not self.errors:
            code = implementation_code_for(department, spec["exercise_level"], spec["basic_code"])
            for problem in check_codes(code, spec["basic_code"], spec["exercise_level"]):
                if problem.severity == "error":
                    field = problem.field if problem.field in self.fields else None
                    self.add_error(field, problem.message)
            if ServiceItem.objects.filter(implementation_code=code).exists():
                self.add_error(None, _("实施编码为 %(c)s 的事项已存在。") % {"c": code})
        self.spec = spec
        return data


class VersionInline(CatalogPermissions, admin.TabularInline):
    model = ServiceItemVersion
    extra = 0
    fields = ["version_link", "status", "name", "published_at", "retired_at", "problems"]
    readonly_fields = fields
    ordering = ["-version"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("版本"))
    def version_link(self, obj):
        return admin_link(obj, f"v{obj.version}")

    @admin.display(description=_("质量检查"))
    def problems(self, obj):
        return problem_counts(obj)


@admin.register(ServiceItem)
class ServiceItemAdmin(CatalogAdmin):
    list_display = ["implementation_code", "current_name", "department", "exercise_level"]
    list_filter = ["exercise_level", "department"]
    search_fields = [
        "implementation_code",
        "basic_code",
        "local_basic_code",
        "local_implementation_code",
        "versions__name",
    ]
    list_select_related = ["department"]
    autocomplete_fields = ["department"]
    inlines = [VersionInline]
    actions = ["revise_items", "retire_items"]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ItemCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*ItemCreateForm.Meta.fields, *ItemCreateForm.declared_fields]
        return [
            "implementation_code",
            "handling_item_code",
            "basic_code",
            "exercise_level",
            "department",
            "local_basic_code",
            "local_implementation_code",
            "created_at",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_change_permission(self, request, obj=None):
        return False  # identity is fixed; elements are edited on versions

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("事项名称"))
    def current_name(self, obj):
        version = obj.versions.order_by("-version").first()
        return version.name if version else "—"

    @admin.display(description=_("业务办理项编码"))
    def handling_item_code(self, obj):
        return obj.handling_item_code

    def save_model(self, request, obj, form, change):
        version = item_save_spec(actor=request.user, spec=form.spec)
        obj.pk = version.item.pk
        obj.implementation_code = version.item.implementation_code
        request._catalog_new_version = version

    def response_add(self, request, obj, post_url_continue=None):
        version = request._catalog_new_version
        self.message_user(request, _("已创建事项和第一个草稿版本，请继续填写要素。"))
        return HttpResponseRedirect(
            reverse("admin:catalog_serviceitemversion_change", args=[version.pk])
        )

    @admin.action(description=_("从已发布版本创建新草稿"))
    def revise_items(self, request, queryset):
        for item in queryset:
            if self._run(request, item_revise, item=item):
                self.message_user(request, _("%(i)s：已创建新草稿。") % {"i": item})

    @admin.action(description=_("停用所选事项"))
    def retire_items(self, request, queryset):
        for item in queryset:
            self._run(request, item_retire, item=item)
        self.message_user(request, _("已停用所选事项的已发布版本。"))


# --- versions and their elements -----------------------------------------------------------


class StepsField(forms.CharField):
    """办理流程: one step per line (or a JSON list), as in the workbook."""

    widget = forms.Textarea(attrs={"rows": 5})
    column = ITEMS.column("process_steps")

    def prepare_value(self, value):
        return to_cell(self.column, value) if isinstance(value, list) else value

    def to_python(self, value):
        try:
            return from_cell(self.column, value or "")
        except CellError as exc:
            raise forms.ValidationError(str(exc)) from None


class VersionForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("办理渠道"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    deliveries = forms.MultipleChoiceField(
        label=_("送达方式"),
        choices=Delivery.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    process_steps = StepsField(label=_("办理流程"), required=False, help_text=_("每行一步。"))

    class Meta:
        model = ServiceItemVersion
        fields = [*ELEMENT_FIELDS, "themes", "life_events"]

    def clean(self):
        data = super().clean()
        legal, promised = data.get("legal_limit_days"), data.get("promised_limit_days")
        if legal is not None and promised is not None and promised > legal:
            self.add_error(
                "promised_limit_days",
                _("承诺办结时限（%(p)d）不能超过法定办结时限（%(l)d）。")
                % {"p": promised, "l": legal},
            )
        return data  # a field with an error is left out of the model's constraint checks


class DraftChildInline(CatalogPermissions, admin.TabularInline):
    """Elements of a version: editable while the version is a draft, read-only after."""

    extra = 0

    def _editable(self, request, obj) -> bool:
        return self._allowed(request) and (obj is None or is_draft(obj))

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


class LegalBasisInline(DraftChildInline):
    model = LegalBasis
    fields = ["order", "law_name", "document_number", "clause_number", "clause_text"]
    formfield_overrides = {
        LegalBasis._meta.get_field("clause_text").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 40})
        }
    }


class SpecialProcedureInline(DraftChildInline):
    model = SpecialProcedure
    fields = ["kind", "limit_days", "limit_unit", "note", "responsible"]


class FeeInline(DraftChildInline):
    model = Fee
    fields = ["name", "standard", "basis", "reducible", "reduction_basis"]


class FaqInline(DraftChildInline):
    model = Faq
    fields = ["order", "question", "answer"]
    formfield_overrides = {
        Faq._meta.get_field("answer").__class__: {
            "widget": forms.Textarea(attrs={"rows": 2, "cols": 40})
        }
    }


class MaterialInline(DraftChildInline):
    model = Material
    fields = [
        "seq",
        "name",
        "necessity",
        "condition",
        "form",
        "copies",
        "source",
        "licence_type",
        "deferrable",
        "commitment_replaceable",
    ]
    show_change_link = True


class QualityFilter(admin.SimpleListFilter):
    title = _("质量检查")
    parameter_name = "quality"

    def lookups(self, request, model_admin):
        return [("error", _("有错误")), ("warning", _("只有提示")), ("ok", _("无问题"))]

    def queryset(self, request, queryset):
        has_error = Q(quality_problems__icontains='"error"')
        if self.value() == "error":
            return queryset.filter(has_error)
        if self.value() == "warning":
            return queryset.exclude(has_error).exclude(quality_problems=[])
        if self.value() == "ok":
            return queryset.filter(quality_problems=[])
        return queryset


@admin.register(ServiceItemVersion)
class ServiceItemVersionAdmin(CatalogAdmin):
    form = VersionForm
    list_display = [
        "name",
        "item",
        "version",
        "status",
        "department",
        "problem_summary",
        "preview",
    ]
    list_filter = [
        "status",
        QualityFilter,
        "item_type",
        "handling_type",
        "online_depth",
        "applicant_kind",
        "item__department",
        "themes",
    ]
    search_fields = [
        "name",
        "aliases",
        "item__implementation_code",
        "item__basic_code",
    ]
    list_select_related = ["item__department"]
    filter_horizontal = ["themes", "life_events"]
    inlines = [LegalBasisInline, SpecialProcedureInline, FeeInline, FaqInline, MaterialInline]
    actions = ["publish_drafts", "revise_from_published"]
    readonly_fields = [
        "item",
        "version",
        "status",
        "quality",
        "preview",
        "questions_list",
        "created_by",
        "created_at",
        "published_at",
        "retired_at",
    ]
    fieldsets = [
        (None, {"fields": ["item", "version", "status", "preview", "quality"]}),
        (
            _("基本信息"),
            {
                "fields": [
                    "name",
                    "aliases",
                    "item_type",
                    "applicant_kind",
                    "summary",
                    "conditions",
                ]
            },
        ),
        (
            _("时限"),
            {
                "fields": [
                    ("legal_limit_days", "legal_limit_note"),
                    ("promised_limit_days", "promised_limit_note"),
                    "handling_type",
                ]
            },
        ),
        (
            _("办理"),
            {
                "fields": [
                    ("visits", "visits_reason"),
                    "online_depth",
                    "channels",
                    "deliveries",
                    "process_steps",
                    "form_fields",
                    "location",
                    "hours",
                    ("consult_phone", "complaint_phone"),
                ]
            },
        ),
        (
            _("结果与收费"),
            {"fields": ["outcome_name", "outcome_licence_type", "charges_fee"]},
        ),
        (_("分类"), {"fields": ["themes", "life_events"]}),
        (_("情形"), {"fields": ["questions_list"]}),
        (
            _("记录"),
            {"fields": ["created_by", "created_at", "published_at", "retired_at"]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not is_draft(obj):
            return flatten_fieldsets(self.fieldsets)
        return self.readonly_fields

    def has_add_permission(self, request):
        return False  # a version is created from its item (new item, or a new draft)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or is_draft(obj))

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("实施主体"), ordering="item__department__name")
    def department(self, obj):
        return obj.item.department

    @admin.display(description=_("质量检查"))
    def problem_summary(self, obj):
        return problem_counts(obj)

    @admin.display(description=_("质量检查结果"))
    def quality(self, obj):
        if not obj.quality_problems:
            return _("无问题")
        rows = (
            (_("错误") if p.get("severity") == "error" else _("提示"), p.get("message", ""))
            for p in obj.quality_problems
        )
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}：{}</li>", rows))

    @admin.display(description=_("办事指南"))
    def preview(self, obj):
        return format_html('<a href="{}">{}</a>', preview_url(obj), _("预览办事指南"))

    @admin.display(description=_("情形问题"))
    def questions_list(self, obj):
        questions = obj.questions.order_by("order", "id")
        links = format_html_join(
            "", "<li>{}</li>", ((admin_link(q, f"{q.code}：{q.text}"),) for q in questions)
        )
        add = ""
        if is_draft(obj):
            url = reverse("admin:catalog_situationquestion_add") + f"?version={obj.pk}"
            add = format_html('<a href="{}">{}</a>', url, _("增加情形问题"))
        return format_html("<ul>{}</ul>{}", links, add)

    def save_model(self, request, obj, form, change):
        if not ServiceItemVersion.objects.filter(pk=obj.pk, status=VersionStatus.DRAFT).exists():
            raise DjangoPermissionDenied  # published and retired versions are never edited
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        version_check_quality(form.instance)

    @admin.action(description=_("发布所选草稿"))
    def publish_drafts(self, request, queryset):
        for version in queryset.select_related("item"):
            if version.status != VersionStatus.DRAFT:
                self.message_user(
                    request, _("%(v)s 不是草稿，未发布。") % {"v": version}, messages.WARNING
                )
            elif self._run(request, item_publish, version=version):
                self.message_user(request, _("%(v)s 已发布。") % {"v": version})

    @admin.action(description=_("从已发布版本创建新草稿"))
    def revise_from_published(self, request, queryset):
        for item in ServiceItem.objects.filter(versions__in=queryset).distinct():
            draft = self._run(request, item_revise, item=item)
            if draft:
                self.message_user(request, _("%(v)s：已创建新草稿。") % {"v": draft})
