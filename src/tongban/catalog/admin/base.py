"""Shared pieces of the catalogue admin: who may see it, links, version helpers."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError
from tongban.core.permissions import Perm, has_perm

from ..models import ServiceItemVersion
from ..models.codes import VersionStatus


def preview_url(version: ServiceItemVersion) -> str:
    """The portal's guide page showing this version (drafts included) to an administrator."""
    return f"/items/{version.item.implementation_code}/?preview={version.pk}"


def is_draft(version: ServiceItemVersion | None) -> bool:
    return version is not None and version.status == VersionStatus.DRAFT


def admin_link(obj, text) -> str:
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


class CatalogPermissions:
    """Only holders of ``config.manage`` (administrators) see or change the catalogue."""

    def _allowed(self, request) -> bool:
        return has_perm(request.user, Perm.CONFIG_MANAGE)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, *args):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class CatalogAdmin(CatalogPermissions, admin.ModelAdmin):
    def _run(self, request, action, *args, **kwargs):
        """Call a service; turn a domain refusal into an error message."""
        try:
            return action(*args, actor=request.user, **kwargs)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None


def problem_counts(version: ServiceItemVersion) -> str:
    errors = sum(1 for p in version.quality_problems if p.get("severity") == "error")
    warnings = len(version.quality_problems) - errors
    if not errors and not warnings:
        return str(_("无问题"))
    return str(_("错误 %(e)d · 提示 %(w)d") % {"e": errors, "w": warnings})
