"""The reviewer's step page: the current step's signers and the approval operations the viewer
may take now (签署意见, 转办, 委派, 收回, 加签, 退回, 催办), shown on the staff case page.

Thin views: the form validates, one service decides; its refusals come back on the page as an
error summary and the message beside the field.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tongban.core.access import rule
from tongban.core.errors import DomainError, NotFound, PermissionDenied
from tongban.core.models import User
from tongban.core.permissions import Perm, Role, has_perm

from .. import selectors
from ..models import StepMode, Vote
from ..services import approvals
from ..services.common import StaleCase
from ..states import TransitionRefused
from .console_display import case_context, error_list
from .console_forms import TEXTAREA, required

OPERATION_LABELS = {
    "sign": gettext_lazy("签署意见"),
    "transfer": gettext_lazy("转办"),
    "delegate": gettext_lazy("委派"),
    "take_back": gettext_lazy("收回委派"),
    "add_signer": gettext_lazy("加签"),
    "send_back": gettext_lazy("退回"),
    "urge": gettext_lazy("催办"),
}
OPERATION_NOTES = {
    "transfer": gettext_lazy("转办后由对方办理本环节，您不再是办理人。"),
    "delegate": gettext_lazy("委派后由对方代为办理，您仍是责任人，办结前可随时收回。"),
    "add_signer": gettext_lazy(
        "前加签：对方签署后您再签署；后加签：您签署后还须对方签署，本环节才办结。"
    ),
    "send_back": gettext_lazy("退回后本环节作废，办件回到所选环节重新办理。"),
    "urge": gettext_lazy("向当前办理人发送催办提醒，并记入办理过程。"),
}
SECONDARY = {"transfer", "delegate", "add_signer", "urge"}
DESTRUCTIVE = {"send_back"}


class _VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SignForm(_VersionedForm):
    vote = forms.ChoiceField(
        label=gettext_lazy("表决"),
        choices=Vote.choices,
        widget=forms.RadioSelect,
        error_messages=required(gettext_lazy("表决")),
    )
    opinion = forms.CharField(
        label=gettext_lazy("意见"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(gettext_lazy("签署意见")),
    )

    def __init__(self, *args, voting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not voting:
            del self.fields["vote"]


class ColleagueForm(_VersionedForm):
    reviewer = forms.ChoiceField(
        label=gettext_lazy("办理人"),
        error_messages={
            "required": gettext_lazy("请选择办理人。"),
            "invalid_choice": gettext_lazy("请从本部门在岗的审查、批准人员中选择。"),
        },
    )
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=2000, widget=TEXTAREA
    )

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", _("请选择")), *colleagues]


class AddSignerForm(ColleagueForm):
    where = forms.ChoiceField(
        label=gettext_lazy("加签位置"),
        choices=[("before", gettext_lazy("在我之前签署")), ("after", gettext_lazy("在我之后签署"))],
        widget=forms.RadioSelect,
        error_messages=required(gettext_lazy("加签位置")),
    )
    field_order = ["expected_version", "reviewer", "where", "note"]


class SendBackForm(_VersionedForm):
    to_step = forms.ChoiceField(
        label=gettext_lazy("退回到"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择退回到哪个环节。"),
            "invalid_choice": gettext_lazy("只能退回到本环节之前的环节。"),
        },
    )
    reason = forms.CharField(
        label=gettext_lazy("退回理由"),
        max_length=2000,
        widget=TEXTAREA,
        error_messages=required(gettext_lazy("退回理由")),
    )

    def __init__(self, *args, earlier=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_step"].choices = [(s["code"], s["name"]) for s in earlier]


class NoteForm(_VersionedForm):
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, max_length=500, widget=TEXTAREA
    )


class UrgeForm(forms.Form):  # 催办 leaves the version as it is: no version on the form
    note = forms.CharField(
        label=gettext_lazy("催办说明"), required=False, max_length=500, widget=TEXTAREA
    )


@dataclass
class ApprovalPanel:
    action: str
    label: str
    form: forms.Form
    note: str = ""
    destructive: bool = False
    secondary: bool = False
    failed: bool = False


def _colleagues(user, case) -> list[tuple[str, str]]:
    people = (
        User.objects.filter(
            is_active=True,
            staff__department=case.department_id,
            groups__name__in=[Role.REVIEWER, Role.APPROVER],
        )
        .exclude(pk=user.pk)
        .distinct()
        .order_by("username")
    )
    return [(u.username, f"{u}（{u.username}）") for u in people]


def _form(operation: str, user, case, state, data=None, colleagues=None) -> forms.Form:
    prefix = f"op-{operation}"
    if colleagues is None and operation in ("transfer", "delegate", "add_signer"):
        colleagues = _colleagues(user, case)
    initial = {"expected_version": case.version}
    if operation == "sign":
        voting = state.task is not None and state.task.mode == StepMode.VOTE
        return SignForm(data, prefix=prefix, initial=initial, voting=voting)
    if operation in ("transfer", "delegate"):
        return ColleagueForm(data, prefix=prefix, initial=initial, colleagues=colleagues)
    if operation == "add_signer":
        return AddSignerForm(data, prefix=prefix, initial=initial, colleagues=colleagues)
    if operation == "send_back":
        return SendBackForm(data, prefix=prefix, initial=initial, earlier=state.earlier)
    if operation == "urge":
        return UrgeForm(data, prefix=prefix)
    return NoteForm(data, prefix=prefix, initial=initial)


def approval_context(request: HttpRequest, case, *, failed=None) -> dict:
    """The step's state and one panel per operation the viewer may take now; ``failed``
    (operation, bound form) shows a refused operation's form with its errors."""
    state = approvals.step_state(request.user, case)
    panels = []
    operations = list(state.operations)
    if failed is not None and failed[0] not in operations:
        operations.append(failed[0])  # still show what was refused, with the reason
    colleagues = (  # one query for the transfer, delegate and add-signer forms
        _colleagues(request.user, case)
        if {"transfer", "delegate", "add_signer"} & set(operations)
        else None
    )
    for operation in operations:
        is_failed = failed is not None and failed[0] == operation
        form = (
            failed[1]
            if is_failed
            else _form(operation, request.user, case, state, None, colleagues)
        )
        panels.append(
            ApprovalPanel(
                action=operation,
                label=OPERATION_LABELS[operation],
                form=form,
                note=OPERATION_NOTES.get(operation, ""),
                destructive=operation in DESTRUCTIVE,
                secondary=operation in SECONDARY,
                failed=is_failed,
            )
        )
    return {"approval": state, "approval_panels": panels}


def _perform(operation: str, user, case, data: dict) -> str:
    version = data.get("expected_version")
    common = {"actor": user, "case": case}
    if operation == "sign":
        case = approvals.step_sign(
            **common, opinion=data["opinion"], vote=data.get("vote", ""), expected_version=None
        )
        return _("已签署意见。")
    if operation == "transfer":
        approvals.task_transfer(
            **common, to_username=data["reviewer"], note=data["note"], expected_version=version
        )
        return _("已转办。")
    if operation == "delegate":
        approvals.task_delegate(
            **common, to_username=data["reviewer"], note=data["note"], expected_version=version
        )
        return _("已委派，办结前可随时收回。")
    if operation == "take_back":
        approvals.task_take_back(**common, note=data["note"], expected_version=version)
        return _("已收回委派，本环节由您办理。")
    if operation == "add_signer":
        approvals.task_add_signer(
            **common,
            to_username=data["reviewer"],
            before=data["where"] == "before",
            note=data["note"],
            expected_version=version,
        )
        return _("已加签。")
    if operation == "send_back":
        approvals.task_send_back(
            **common, to_step=data["to_step"], reason=data["reason"], expected_version=version
        )
        return _("已退回。")
    approvals.task_urge(**common, note=data["note"])
    return _("已催办，当前办理人会收到提醒。")


@rule("perm:case.review|perm:case.approve")
@require_POST
def operate(request: HttpRequest, case_no: str, operation: str) -> HttpResponse:
    """POST one approval operation, then back to the case page (or the page with the error).

    Mounted behind ``console.staff_view`` in console_urls (anonymous → login, non-staff 403)."""
    if operation not in OPERATION_LABELS:
        raise Http404
    case = _case(request, case_no)
    if not (has_perm(request.user, Perm.CASE_REVIEW) or has_perm(request.user, Perm.CASE_APPROVE)):
        return render(
            request,
            "cases/console_forbidden.html",
            {"message": _("只有实施部门的审查、批准人员可以办理此操作。")},
            status=403,
        )
    state = approvals.step_state(request.user, case)
    form = _form(operation, request.user, case, state, data=request.POST)
    status = 400
    if form.is_valid():
        try:
            message = _perform(operation, request.user, case, form.cleaned_data)
        except (StaleCase, TransitionRefused) as exc:
            form.add_error(None, exc.message)
            status = 409
        except PermissionDenied as exc:
            form.add_error(None, exc.message)
            status = 403
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, message)
            return HttpResponseRedirect(reverse("cases-console:case", args=[case.case_no]))
    case = _case(request, case_no)
    context = case_context(request, case)
    context.update(approval_context(request, case, failed=(operation, form)))
    context["failed_errors"] = error_list(form)
    return render(request, "cases/console_case.html", context, status=status)


def _case(request: HttpRequest, case_no: str):
    try:
        return selectors.get_case_for_user(user=request.user, case_no=case_no[:32])
    except NotFound:
        raise Http404 from None
