"""Configuration pages at /admin/ for administrators. Calendar changes go through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .errors import DomainError
from .models import (
    ApiToken,
    AuditEvent,
    CalendarOverride,
    CalendarYear,
    Department,
    Enterprise,
    EnterpriseAuthorisation,
    EventChainHead,
    Person,
    Region,
    ScheduledRun,
    StaffProfile,
    User,
)
from .services import (
    calendar_override_delete,
    calendar_override_set,
    calendar_year_delete,
    calendar_year_import,
)
from .services.calendar import parse_year_schedule

admin.site.site_header = _("通办 · 系统配置")
admin.site.site_title = _("通办")
admin.site.index_title = _("配置")

SCHEDULE_HELP = _(
    "按国务院办公厅通知逐行填写，每行一个节日：名称、冒号、“放假”日期；有调休上班的再写“；上班”日期。"
    "日期范围用 ~ 连接，多个日期用顿号或逗号分隔。例如："
    "“春节：放假 2027-02-06~2027-02-13；上班 2027-02-14、2027-02-20”。"
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "region__level", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["region", "parent"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_id_number", "masked_phone", "gender", "birth_date"]
    search_fields = ["name", "=id_number", "=phone"]
    readonly_fields = ["birth_date", "gender", "user", "created_at"]
    autocomplete_fields = ["household_region"]

    def get_fields(self, request, obj=None):
        # An existing person's ID number and phone show masked: a full view goes through
        # /console/personal-data/reveal/ with a reason, and is logged (docs/personal-data.md).
        fields = super().get_fields(request, obj)
        if obj is None:
            return fields
        masked = {"id_number": "masked_id_number", "phone": "masked_phone"}
        return [masked.get(f, f) for f in fields]

    def get_readonly_fields(self, request, obj=None):
        extra = ["masked_id_number", "masked_phone"] if obj is not None else []
        return [*super().get_readonly_fields(request, obj), *extra]

    @admin.display(description=_("身份证号码"))
    def masked_id_number(self, obj: Person) -> str:
        return obj.masked_id_number

    @admin.display(description=_("手机号码"))
    def masked_phone(self, obj: Person) -> str:
        return obj.masked_phone


class AuthorisationInline(admin.TabularInline):
    model = EnterpriseAuthorisation
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "credit_code", "region"]
    search_fields = ["name", "=credit_code"]
    autocomplete_fields = ["legal_representative", "region"]
    inlines = [AuthorisationInline]


class StaffInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "is_active", "is_staff", "last_login"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("通办"), {"fields": ["display_name"]}),
    )
    inlines = [StaffInline]


class CalendarYearForm(forms.ModelForm):
    schedule = forms.CharField(
        label=_("放假和调休安排"),
        widget=forms.Textarea(attrs={"rows": 10, "cols": 90}),
        help_text=SCHEDULE_HELP,
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "source", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
            self.initial["schedule"] = _schedule_text(self.instance)

    def clean(self):
        data = super().clean()
        if data.get("year") and data.get("schedule"):
            try:
                parse_year_schedule(int(data["year"]), data["schedule"])
            except DomainError as exc:
                self.add_error("schedule", exc.message)
        return data


def _schedule_text(year: CalendarYear) -> str:
    lines: dict[str, dict[str, list[str]]] = {}
    for o in year.overrides.order_by("date"):
        entry = lines.setdefault(o.name or "—", {"off": [], "on": []})
        entry["on" if o.is_workday else "off"].append(o.date.isoformat())
    out = []
    for name, entry in lines.items():
        parts = []
        if entry["off"]:
            parts.append("放假 " + "、".join(entry["off"]))
        if entry["on"]:
            parts.append("上班 " + "、".join(entry["on"]))
        out.append(f"{name}：" + "；".join(parts))
    return "\n".join(out)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """A year's schedule, as published by the State Council, entered in one step."""

    form = CalendarYearForm
    list_display = ["year", "source", "updated_at"]

    def save_model(self, request, obj, form, change):
        result = calendar_year_import(
            actor=request.user,
            year=form.cleaned_data["year"] if not change else obj.year,
            source=form.cleaned_data["source"],
            schedule_text=form.cleaned_data["schedule"],
            notes=form.cleaned_data.get("notes", ""),
        )
        obj.pk = result.pk

    def delete_model(self, request, obj):
        calendar_year_delete(actor=request.user, year=obj.year)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            calendar_year_delete(actor=request.user, year=obj.year)


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "is_workday", "name", "calendar_year", "source"]
    list_filter = ["is_workday", "calendar_year"]
    date_hierarchy = "date"
    fields = ["date", "is_workday", "name", "source"]

    def save_model(self, request, obj, form, change):
        try:
            saved = calendar_override_set(
                actor=request.user,
                date=obj.date,
                is_workday=obj.is_workday,
                name=obj.name,
                source=obj.source,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_override_delete(actor=request.user, date=obj.date)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            calendar_override_delete(actor=request.user, date=obj.date)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only through services (events, logs, ratings): listed and shown, never
    added, changed or deleted here, and no bulk actions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "prefix",
        "user",
        "name",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    exclude = ["key_hash"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "stream", "seq", "action", "actor_label"]
    list_filter = ["action"]
    search_fields = ["stream"]


@admin.register(EventChainHead)
class EventChainHeadAdmin(ReadOnlyAdmin):
    list_display = ["table", "stream", "seq"]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ["slot", "job", "status", "host", "started_at", "finished_at"]
    list_filter = ["job", "status"]
    search_fields = ["job", "output"]


# 三权分立: second-factor devices are reset by the security administrator in the console
# (/console/security/staff/), never by the system administrator here.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
