"""The security administrator's pages: staff roles (三权分立) and second-factor resets, and a
read-only overview of the security settings and key status."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .. import ratelimit
from ..access import rule
from ..errors import DomainError
from ..permissions import Perm, Role
from ..security import retention_days
from ..security_2fa import two_factor_reset
from ..security_roles import role_grant, role_revoke
from ..security_selectors import enrolled_user_ids, staff_for_security, staff_user_by_username
from .security import staff_page

ACTIONS = {"grant": _("授予"), "revoke": _("撤销"), "reset_2fa": _("重置双因素认证")}


class StaffActionForm(forms.Form):
    username = forms.CharField(label=_("工作人员账号"), max_length=150)
    role = forms.ChoiceField(label=_("角色"), choices=[("", "—"), *Role.choices], required=False)
    action = forms.ChoiceField(choices=list(ACTIONS.items()), widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("action") in ("grant", "revoke") and not data.get("role"):
            self.add_error("role", _("请选择角色。"))
        return data


@rule("perm:security.roles")
@staff_page(Perm.ROLE_ASSIGN)
def staff(request: HttpRequest) -> HttpResponse:
    form = StaffActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = staff_user_by_username(data["username"])
        try:
            if target is None:
                form.add_error("username", _("没有这个账号的工作人员。"))
                raise LookupError
            if data["action"] == "grant":
                role_grant(
                    actor=request.user, user_id=target.pk, role=data["role"], request=request
                )
            elif data["action"] == "revoke":
                role_revoke(
                    actor=request.user, user_id=target.pk, role=data["role"], request=request
                )
            else:
                two_factor_reset(actor=request.user, user_id=target.pk, request=request)
        except LookupError:
            pass
        except DomainError as exc:
            field = {"roles": "role", "role": "role", "username": "username"}.get(exc.field or "")
            form.add_error(
                field,
                exc.message.split("：", 1)[-1],
            )
        else:
            messages.success(
                request,
                gettext("已为 %(user)s 办理：%(action)s%(role)s。")
                % {
                    "user": target.username,
                    "action": ACTIONS[data["action"]],
                    "role": f" {Role(data['role']).label}" if data.get("role") else "",
                },
            )
            return redirect(request.get_full_path())
    query = request.GET.get("q", "").strip()[:64]
    page = Paginator(staff_for_security(query), 50).get_page(request.GET.get("page"))
    enrolled = enrolled_user_ids([u.pk for u in page])
    rows = [
        {
            "user": u,
            "roles": [Role(g.name).label for g in u.groups.all() if g.name in Role.values],
            "enrolled": u.pk in enrolled,
        }
        for u in page
    ]
    return render(
        request,
        "core/security/staff.html",
        {"form": form, "page": page, "rows": rows, "q": query, "roles": Role.choices},
        status=422 if form.errors else 200,
    )


def _is_set(name: str) -> bool:
    return bool(getattr(settings, name, ""))


@rule("perm:security.settings")
@staff_page(Perm.SECURITY_SETTINGS_VIEW)
def settings_overview(request: HttpRequest) -> HttpResponse:
    limits = [(scope, ratelimit.limit_of(scope)) for scope in sorted(ratelimit.DEFAULT_LIMITS)]
    keys = [
        (_("会话签名密钥（TONGBAN_SECRET_KEY）"), _is_set("SECRET_KEY")),
        (
            _("电子证照签名私钥口令（TONGBAN_LICENCE_KEY_SECRET）"),
            _is_set("TONGBAN_LICENCE_KEY_SECRET"),
        ),
        (_("个人信息加密密钥（TONGBAN_DATA_KEYS）"), _is_set("TONGBAN_DATA_KEYS")),
        (_("盲索引密钥（TONGBAN_BLIND_INDEX_KEY）"), _is_set("TONGBAN_BLIND_INDEX_KEY")),
    ]
    values = [
        (_("工作人员须使用双因素认证"), _("是") if settings.TONGBAN_REQUIRE_2FA else _("否")),
        (_("工作人员无操作自动退出（分钟）"), settings.TONGBAN_STAFF_IDLE_MINUTES or _("关闭")),
        (_("连续登录失败锁定次数"), settings.AXES_FAILURE_LIMIT),
        (_("锁定时长（分钟）"), round(settings.AXES_COOLOFF_TIME * 60)),
        (_("审计日志保存天数"), retention_days()),
        (
            _("允许数据连接器访问的内部主机"),
            "、".join(settings.TONGBAN_CONNECTOR_ALLOWED_HOSTS) or _("无"),
        ),
        (_("上传文件大小上限（MB）"), getattr(settings, "TONGBAN_UPLOAD_MAX_MB", 20)),
        (
            _("启用 HTTPS 严格传输（HSTS，秒）"),
            getattr(settings, "SECURE_HSTS_SECONDS", 0) or _("关闭"),
        ),
    ]
    return render(
        request,
        "core/security/settings.html",
        {"keys": keys, "values": values, "limits": limits},
    )
