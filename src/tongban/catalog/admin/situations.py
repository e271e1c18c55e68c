"""Situation questions and their options, of a draft version or of a bundle."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _

from ..exchange.specs import spec_from_bundle
from ..models import (
    Bundle,
    BundleItem,
    Material,
    ServiceItemVersion,
    SituationOption,
    SituationQuestion,
)
from ..models.codes import VersionStatus
from ..services import bundle_save, version_check_quality
from .base import CatalogAdmin, CatalogPermissions, is_draft


class OptionInline(CatalogPermissions, admin.TabularInline):
    model = SituationOption
    extra = 2
    fields = [
        "order",
        "code",
        "label",
        "adds_materials",
        "removes_materials",
        "adds_condition",
        "excludes_items",
    ]

    def get_fields(self, request, obj=None):
        owner = _question_owner(request, obj)
        if isinstance(owner, Bundle):
            return ["order", "code", "label", "adds_condition", "excludes_items"]
        return ["order", "code", "label", "adds_materials", "removes_materials", "adds_condition"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        owner = getattr(request, "_catalog_owner", None)
        if db_field.name in ("adds_materials", "removes_materials"):
            kwargs["queryset"] = Material.objects.filter(
                version=owner if isinstance(owner, ServiceItemVersion) else None
            )
        elif db_field.name == "excludes_items":
            kwargs["queryset"] = BundleItem.objects.filter(
                bundle=owner if isinstance(owner, Bundle) else None
            ).select_related("item")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _editable(self, request, obj) -> bool:
        owner = _question_owner(request, obj)
        return self._allowed(request) and (isinstance(owner, Bundle) or is_draft(owner))

    def has_add_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(request, obj)


def _question_owner(request, question: SituationQuestion | None):
    """The draft version or bundle a question belongs to (for a new one: from ?version= or
    ?bundle= in the address, or the form being posted)."""
    if question is not None and question.pk:
        return question.version or question.bundle
    cached = getattr(request, "_catalog_owner", None)
    if cached is not None:
        return cached
    params = request.POST if request.method == "POST" else request.GET
    owner = None
    if params.get("bundle", "").isdigit():
        owner = Bundle.objects.filter(pk=params["bundle"]).first()
    elif params.get("version", "").isdigit():
        owner = ServiceItemVersion.objects.filter(pk=params["version"]).first()
    request._catalog_owner = owner
    return owner


class QuestionForm(forms.ModelForm):
    class Meta:
        model = SituationQuestion
        fields = ["version", "bundle", "code", "text", "help_text", "order", "shown_if"]

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner
        if "version" in self.fields:
            self.fields["version"].queryset = ServiceItemVersion.objects.filter(
                status=VersionStatus.DRAFT
            ).select_related("item")
        if "shown_if" in self.fields:
            version = owner if isinstance(owner, ServiceItemVersion) else None
            options = SituationOption.objects.filter(question__version=version)
            if self.instance.pk:
                options = options.exclude(question=self.instance)
            self.fields["shown_if"].queryset = options.select_related("question")

    def clean(self):
        data = super().clean()
        owner = self.owner
        if self.instance.pk is None:
            owner = data.get("version") or data.get("bundle")
            if owner is None:
                field = "bundle" if "bundle" in self.fields else "version"
                self.add_error(field, _("请选择问题所属的草稿版本或一件事。"))
        code = data.get("code")
        if owner is not None and code:
            siblings = owner.questions.filter(code=code)
            if self.instance.pk:
                siblings = siblings.exclude(pk=self.instance.pk)
            if siblings.exists():
                self.add_error("code", _("问题编码“%(c)s”已被使用。") % {"c": code})
        self.owner = owner
        return data


@admin.register(SituationQuestion)
class SituationQuestionAdmin(CatalogAdmin):
    form = QuestionForm
    inlines = [OptionInline]
    list_display = ["text", "code", "owner", "order", "shown_if"]
    list_filter = ["version__status", ("bundle", admin.EmptyFieldListFilter)]
    search_fields = [
        "code",
        "text",
        "version__name",
        "version__item__implementation_code",
        "bundle__name",
        "bundle__code",
    ]
    list_select_related = ["version__item", "bundle", "shown_if"]

    @admin.display(description=_("所属"))
    def owner(self, obj):
        return obj.version or obj.bundle

    def get_fields(self, request, obj=None):
        owner = _question_owner(request, obj)
        if obj is None:
            fields = ["bundle"] if isinstance(owner, Bundle) else ["version"]
        else:
            fields = ["owner"]
        fields += ["code", "text", "help_text"]
        if not isinstance(owner, Bundle):
            fields += ["order", "shown_if"]  # a bundle's questions keep their order
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["owner"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        owner = _question_owner(request, obj)
        request._catalog_owner = owner
        form = super().get_form(request, obj, **kwargs)

        class Bound(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, owner=owner, **kw)

        return Bound

    def get_changeform_initial_data(self, request):
        return {k: request.GET[k] for k in ("version", "bundle") if request.GET.get(k)}

    def _editable_owner(self, request, obj) -> bool:
        owner = _question_owner(request, obj)
        return owner is None or isinstance(owner, Bundle) or is_draft(owner)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request) and (obj is None or self._editable_owner(request, obj))

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    # Questions of a draft version are saved with their forms; questions of a bundle through
    # ``bundle_save``, which rewrites the bundle's situation tree from its spec.

    def save_model(self, request, obj, form, change):
        owner = form.owner
        if isinstance(owner, Bundle):
            return  # written in save_related, with the options
        if not is_draft(ServiceItemVersion.objects.get(pk=owner.pk)):
            raise DjangoPermissionDenied
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        owner = form.owner
        if not isinstance(owner, Bundle):
            super().save_related(request, form, formsets, change)
            version_check_quality(owner)
            return
        original = SituationQuestion.objects.filter(pk=form.instance.pk).first()
        question = self._bundle_question(form, formsets)
        spec = spec_from_bundle(owner)
        codes = [q["code"] for q in spec["questions"]]
        if original is not None and original.code in codes:
            spec["questions"][codes.index(original.code)] = question
        else:
            spec["questions"].append(question)
        self._save_bundle(request, owner, spec)
        saved = owner.questions.get(code=question["code"])
        form.instance.pk = saved.pk
        form.instance.id = saved.pk

    @staticmethod
    def _bundle_question(form, formsets) -> dict:
        options = []
        for formset in formsets:
            for f in formset.forms:
                data = getattr(f, "cleaned_data", None)
                if not data or data.get("DELETE") or not data.get("code"):
                    continue
                options.append(
                    {
                        "order": data.get("order") or 0,
                        "code": data["code"],
                        "label": data["label"],
                        "adds_condition": data.get("adds_condition", ""),
                        "excludes": [bi.item.implementation_code for bi in data["excludes_items"]],
                    }
                )
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        options.sort(key=lambda o: o.pop("order"))
        data = form.cleaned_data
        return {
            "code": data["code"],
            "text": data["text"],
            "help_text": data.get("help_text", ""),
            "options": options,
        }

    def _save_bundle(self, request, bundle: Bundle, spec: dict) -> None:
        bundle_save(actor=request.user, spec={**spec, "publish": spec["is_published"]})

    def delete_model(self, request, obj):
        if obj.bundle_id:
            spec = spec_from_bundle(obj.bundle)
            spec["questions"] = [q for q in spec["questions"] if q["code"] != obj.code]
            self._save_bundle(request, obj.bundle, spec)
            return
        version = obj.version
        super().delete_model(request, obj)
        version_check_quality(version)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
