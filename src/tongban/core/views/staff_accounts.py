"""The system administrator's staff-account page (三权分立, docs/security.md): create accounts
(without roles: the security administrator grants them) and disable or enable them."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..access import rule
from ..errors import DomainError
from ..permissions import Perm, Role
from ..security_selectors import departments_for_accounts, staff_accounts, staff_user_by_username
from ..services import staff_create, staff_set_active
from .security import staff_page


class AccountCreateForm(forms.Form):
    username = forms.CharField(
        label=_("账号"),
        max_length=150,
        widget=forms.TextInput(attrs={"class": "input", "autocomplete": "off"}),
        error_messages={"required": _("请填写账号。")},
    )
    display_name = forms.CharField(
        label=_("姓名"),
        max_length=64,
        widget=forms.TextInput(attrs={"class": "input"}),
        error_messages={"required": _("请填写姓名。")},
    )
    department = forms.ModelChoiceField(
        label=_("所属部门"),
        queryset=departments_for_accounts(),
        to_field_name="code",
        empty_label="—",
        widget=forms.Select(attrs={"class": "input"}),
        error_messages={
            "required": _("请选择所属部门。"),
            "invalid_choice": _("请从列表中选择所属部门。"),
        },
    )
    password = forms.CharField(
        label=_("初始密码"),
        max_length=128,
        strip=False,
        help_text=_(
            "至少 10 位，含小写字母、大写字母、数字、其他符号中的多种；"
            "请当面或通过安全渠道告知本人。"
        ),
        widget=forms.PasswordInput(attrs={"class": "input", "autocomplete": "new-password"}),
        error_messages={"required": _("请填写初始密码。")},
    )


class AccountStateForm(forms.Form):
    username = forms.CharField(max_length=150)
    action = forms.ChoiceField(choices=[("disable", "disable"), ("enable", "enable")])


FIELDS = {"username", "display_name", "department", "password"}


@rule("perm:staff.manage")
@staff_page(Perm.STAFF_MANAGE)
def accounts(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action") if request.method == "POST" else None
    form = AccountCreateForm(request.POST if action == "create" else None)
    state_error = ""
    if action == "create" and form.is_valid():
        data = form.cleaned_data
        try:
            user = staff_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
                department=data["department"],
                roles=[],
            )
        except DomainError as exc:
            field = exc.field if exc.field in FIELDS else None
            form.add_error(field, exc.message.split("：", 1)[-1] if field else exc.message)
        else:
            messages.success(
                request,
                gettext("已创建账号 %(user)s。请联系安全管理员为其授予角色。")
                % {"user": user.username},
            )
            return redirect(request.get_full_path())
    elif action in ("disable", "enable"):
        state = AccountStateForm(request.POST)
        target = staff_user_by_username(state.data.get("username", "")[:150])
        if not state.is_valid() or target is None:
            state_error = gettext("没有这个账号的工作人员。")
        else:
            try:
                staff_set_active(actor=request.user, user_id=target.pk, active=action == "enable")
            except DomainError as exc:
                state_error = exc.message
            else:
                done = gettext("已启用账号 %(user)s。") if action == "enable" else None
                messages.success(
                    request,
                    (done or gettext("已停用账号 %(user)s，其登录会话随即失效。"))
                    % {"user": target.username},
                )
                return redirect(request.get_full_path())
    query = request.GET.get("q", "").strip()[:64]
    page = Paginator(staff_accounts(query), 50).get_page(request.GET.get("page"))
    rows = [
        {
            "user": u,
            "roles": [Role(g.name).label for g in u.groups.all() if g.name in Role.values],
            "is_self": u.pk == request.user.pk,
        }
        for u in page
    ]
    return render(
        request,
        "core/security/accounts.html",
        {"form": form, "state_error": state_error, "page": page, "rows": rows, "q": query},
        status=422 if form.errors or state_error else 200,
    )
