"""What the staff case page shows: the case's people (masked as the viewer may see them), its
answers, form, materials, clock, tasks, timeline, the action forms and the acceptance receipt."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.models.codes import SpecialProcedureKind
from tongban.core import selectors as core_selectors
from tongban.core.errors import CalendarNotCovered, ValidationFailed
from tongban.core.masking import mask_id_number

from .. import application_form, clocks, explanation, selectors, timeline_approvals
from ..clocks import CORRECTION_NOTICE_DAYS, DELIVERY_DAYS
from ..models import Channel, DeliveryMethod, MaterialStatus
from ..queue import CARD_LABELS
from ..services.review import APPEAL_RIGHTS
from ..states import CaseAction, CaseStatus
from . import console_forms as f

# The order the action panels appear in, and which are decisions of the case.
ACTION_ORDER = [
    "accept",
    "request_correction",
    "refuse",
    "claim",
    "complete_step",
    "approve",
    "deny",
    "release",
    "suspend",
    "resume",
    "extend",
    "issue",
    "deliver",
    "human_review_complete",
]
ACTION_LABELS = {
    "accept": _("受理"),
    "refuse": _("不予受理"),
    "request_correction": _("一次性告知补正"),
    "claim": _("领取任务"),
    "release": _("退回任务池"),
    "complete_step": _("完成本环节"),
    "approve": _("准予许可"),
    "deny": _("不予许可"),
    "suspend": _("进入特别程序"),
    "resume": _("结束特别程序"),
    "extend": _("延长办理期限"),
    "issue": _("出具结果"),
    "deliver": _("登记送达"),
    "human_review_complete": _("完成人工复核"),
}
DESTRUCTIVE = {"refuse", "deny", "extend"}
SECONDARY = {"release", "suspend", "resume", "request_correction"}


def error_list(form) -> list[tuple[str, str]]:
    """(anchor, message) for an error summary; a message that names its field keeps its text."""
    out = []
    first = next(iter(form.visible_fields()), None)
    for error in form.non_field_errors():
        out.append((first.auto_id if first else "", str(error)))
    for bound in form:
        for error in bound.errors:
            text = str(error)
            label = str(bound.label or "")
            if label and not text.startswith(label):
                text = _("%(label)s：%(error)s") % {"label": label, "error": text}
            grouped = isinstance(
                bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            )
            out.append((f"{bound.auto_id}_0" if grouped else bound.auto_id, text))
    return out


@dataclass
class Panel:
    action: str
    label: str
    form: Any
    destructive: bool
    failed: bool = False
    secondary: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)


def _timeline(events, version, steps=()) -> list[dict]:
    materials = {m.seq: m.name for m in version.materials.all()}
    step_names = {s["code"]: s["name"] for s in steps}
    people = timeline_approvals.people_of(events)  # 转办 / 委派 / 加签 … name their staff
    kinds = dict(SpecialProcedureKind.choices)
    methods = dict(DeliveryMethod.choices)
    statuses = dict(MaterialStatus.choices)
    rows = []
    for e in events:
        p = e.payload or {}
        details: list[tuple[str, str]] = []
        if e.action == CaseAction.REQUEST_CORRECTION and p.get("missing"):
            details.append((_("需补正"), "、".join(p["missing"])))
        if e.action == CaseAction.ACCEPT:
            details.append((_("受理日期"), p.get("accepted_on", "")))
            if p.get("deemed"):
                details.append((_("说明"), _("逾期未告知补正，依法自收件之日起视为受理")))
        if e.action == CaseAction.SUSPEND:
            details.append((_("种类"), str(kinds.get(p.get("kind"), p.get("kind", "")))))
            details.append((_("预计"), _("%(n)s 个工作日") % {"n": p.get("expected_days", "")}))
        if e.action == CaseAction.EXTEND:
            details.append((_("延长"), _("%(n)s 个工作日") % {"n": p.get("days", "")}))
        if e.action in (CaseAction.DELIVER, CaseAction.LOCKER_PLACED):
            details.append((_("方式"), str(methods.get(p.get("method"), p.get("method", "")))))
            for key, label in (
                ("carrier", _("快递公司")),
                ("tracking_no", _("快递单号")),
                ("pickup_code", _("取件码")),
                ("locker", _("取件柜格口")),
            ):
                if p.get(key):
                    details.append((label, p[key]))
        if e.action == CaseAction.ISSUE and p.get("result"):
            details.append((_("结果"), p["result"]))
        if e.action == CaseAction.MATERIAL_ADDED and p.get("seq"):
            name = materials.get(p["seq"], str(p["seq"]))
            details.append((_("材料"), f"{name}（{statuses.get(p.get('status'), '')}）"))
        if p.get("appeal_rights"):
            details.append((_("救济途径"), p["appeal_rights"]))
        details.extend(timeline_approvals.staff_details(e, steps=step_names, people=people))
        action = CaseAction(e.action).label if e.action in CaseAction.values else e.action
        to = ""
        if e.to_state in CaseStatus.values and e.to_state != e.from_state:
            to = CaseStatus(e.to_state).label
        rows.append(
            {
                "event": e,
                "action": action,
                "to": "" if str(to) == str(action) else to,
                "details": details,
            }
        )
    return rows


def _form_rows(case, version, viewer) -> list[tuple[str, str]]:
    """The application form as the viewer may see it: identity from the person's record."""
    fields = application_form.fields_of(version)
    known = application_form.known_values(fields, person=case.applicant, enterprise=case.enterprise)
    data = dict(case.form_data or {})
    rows = []
    for spec in fields:
        if spec.code == "id_number" and spec.code in known:
            value = core_selectors.shown_id_number(case.applicant, viewer)
        elif spec.code in known:
            value = known[spec.code]
        elif spec.code in data:
            # ID numbers and phones masked for every viewer; 「查看完整信息」 reveals them (logged).
            value = str(data.pop(spec.code))
            if spec.type == "phone":
                value = core_selectors.shown_phone(value, viewer)
            elif spec.type == "id_number":
                value = mask_id_number(value)
            else:
                value = (
                    application_form.shown_value(spec, value) if spec.type == "choice" else value
                )
        else:
            continue
        rows.append((spec.label, value))
    return rows


def _materials(case, version, needs, case_materials) -> list[dict]:
    by_material: dict[int, list] = {}
    for row in case_materials:
        by_material.setdefault(row.material_id, []).append(row)
    listed = (
        needs.materials
        if needs
        else [catalog_selectors.MaterialNeed(m, False) for m in version.materials.all()]
    )
    out = [
        {"material": n.material, "required": n.required, "rows": by_material.pop(n.material.pk, [])}
        for n in listed
    ]
    for rows in by_material.values():  # provided although the answers do not ask for it
        out.append({"material": rows[0].material, "required": False, "rows": rows})
    return out


def _receipt(case, clock, events, version) -> dict | None:
    if (
        clock is None
        or clock.accepted_on is None
        or case.status
        in (
            CaseStatus.SUBMITTED,
            CaseStatus.CORRECTION_REQUESTED,
            CaseStatus.NOT_ACCEPTED,
        )
    ):
        return None
    accept = next((e for e in events if e.action == CaseAction.ACCEPT), None)
    return {
        "accepted_on": clock.accepted_on,
        "deemed": clock.deemed_accepted,
        "clerk": accept.actor_label if accept else "",
        "promised_due": clock.promised_due,
        "legal_due": clock.legal_due,
        "applicant_id": mask_id_number(case.applicant.id_number),
    }


STAGE_LABELS = {
    "accept": _("受理"),
    "review": _("审查"),
    "decide": _("决定"),
    "issue": _("制证"),
    "deliver": _("送达"),
}
STAGE_STATES = {
    "pending": _("未开始"),
    "running": _("进行中"),
    "paused": _("特别程序中，暂停计时"),
    "waiting": _("等待申请人补正"),
    "done": _("已完成"),
    "stopped": _("办件已终止"),
    "skipped": _("不适用"),
}


def _days(n: int) -> str:
    return ngettext("%(n)d 个工作日", "%(n)d 个工作日", n) % {"n": n}


def _stage_limit(stage: clocks.Stage) -> str:
    n = stage.limit
    if stage.code == "deliver":
        if n is None:
            return str(_("决定后 %(days)s（法定）") % {"days": _days(DELIVERY_DAYS)})
        return str(
            _("出具后 %(days)s，且不晚于决定后 %(legal)s")
            % {"days": _days(n), "legal": _days(DELIVERY_DAYS)}
        )
    if n is None:
        return str(_("不单独设限"))
    counted_from = {
        "accept": _("收件后 %(days)s"),
        "review": _("受理后 %(days)s"),
        "decide": _("审查完成后 %(days)s"),
        "issue": _("决定后 %(days)s"),
    }
    return str(counted_from[stage.code] % {"days": _days(n)})


def _card_label(clock: clocks.Clock | None):
    if clock is None or not clock.card:
        return ""
    if clock.card == "yellow" and not clock.promised_passed:
        return _("黄牌 环节超时")  # within the promised limit, but a stage passed its own
    return CARD_LABELS[clock.card]


def stage_rows(clock: clocks.Clock | None) -> list[dict]:
    """The stages of the clock as the staff page lists them: limit, due, finished, marker."""
    rows = []
    for stage in clock.stages if clock else []:
        state = str(STAGE_STATES[stage.state])
        if stage.state == "running" and stage.remaining is not None and not stage.overdue:
            state = str(_("进行中，剩余 %(days)s") % {"days": _days(max(stage.remaining, 0))})
        if stage.paused_days:
            state += str(_("（暂停 %(days)s，不计时）") % {"days": _days(stage.paused_days)})
        marker = ""
        if stage.marker == "red":
            marker = _("红牌 超过法定期限")
        elif stage.marker == "yellow" and stage.late_days:
            marker = _("黄牌 超过环节时限 %(days)s") % {"days": _days(stage.late_days)}
        elif stage.marker == "yellow":
            marker = _("黄牌 超过环节时限")
        rows.append(
            {
                "code": stage.code,
                "label": STAGE_LABELS[stage.code],
                "limit": _stage_limit(stage),
                "due": stage.due,
                "end": stage.end,
                "state": state,
                "marker": stage.marker,
                "marker_label": marker,
            }
        )
    return rows


def action_form(action: str, case, version, data=None) -> f.ActionForm:
    """The form of ``action`` for the case (bound to ``data`` when it was posted)."""
    extra, initial = {}, {"expected_version": case.version}
    if action == "request_correction":
        extra["materials"] = [m.name for m in version.materials.all()]
    if action == "suspend":
        configured = list(version.special_procedures.all())
        if configured:  # the item's own special procedure first
            initial["kind"] = configured[0].kind
            if configured[0].limit_unit == "workday":
                initial["expected_days"] = configured[0].limit_days
    return f.ACTION_FORMS[action](data, prefix=action, initial=initial, **extra)


def case_context(
    request: HttpRequest, case, *, failed=None, version=None, receipt: bool = False
) -> dict:
    user = request.user
    events = selectors.case_events(case)
    tasks = selectors.case_open_tasks(case)
    steps = selectors.review_steps(case)
    version = version or catalog_selectors.displayed_version(case.item_version)
    clock, clock_error = None, ""
    try:
        # With the item's stage limits (selectors.clock uses the law's alone, for now).
        clock = clocks.compute(case, events, limits=clocks.step_limits_for(case))
    except CalendarNotCovered as exc:
        clock_error = exc.message
    actions = (
        selectors.available_actions(
            user, case, events=events, tasks=tasks, steps=steps, clock=clock
        )
        if clock is not None
        else []
    )
    try:
        needs = catalog_selectors.materials_for(version, case.answers or {})
    except ValidationFailed:
        needs = None
    panels = []
    for action in ACTION_ORDER:
        if action not in actions:
            continue
        is_failed = bool(failed and failed[0] == action)
        form = failed[1] if is_failed else action_form(action, case, version)
        panels.append(
            Panel(
                action,
                ACTION_LABELS[action],
                form,
                destructive=action in DESTRUCTIVE,
                failed=is_failed,
                errors=error_list(form) if is_failed else [],
                secondary=action in SECONDARY,
            )
        )
    task = tasks[0] if tasks else None
    step_names = [s.get("name", s.get("code")) for s in steps]
    return {
        "case": case,
        "version": version,
        "clock": clock,
        "clock_error": clock_error,
        "card_label": _card_label(clock),
        "limit_stages": stage_rows(clock),
        "correction_days": CORRECTION_NOTICE_DAYS,
        "applicant_id": core_selectors.shown_id_number(case.applicant, user),
        "applicant_phone": core_selectors.shown_phone(case.applicant.phone, user),
        "channel": Channel(case.channel).label if case.channel in Channel.values else case.channel,
        "answers": needs.path if needs else [],
        "answers_invalid": needs is None and bool(case.answers),
        "form_rows": _form_rows(case, version, user),
        "materials": _materials(case, version, needs, selectors.case_materials(case)),
        "task": task,
        "tasks": tasks,
        "steps": step_names,
        "timeline": _timeline(events, version, steps),
        "panels": panels,
        "failed": panels and next((p for p in panels if p.failed), None),
        "failed_elsewhere": failed is not None and not any(p.failed for p in panels),
        "failed_errors": error_list(failed[1]) if failed else [],
        "receipt": _receipt(case, clock, events, version),
        "show_receipt": receipt,
        "special_procedures": list(version.special_procedures.all()),
        "appeal_rights": APPEAL_RIGHTS,
        "rule_trace": explanation.case_explanation(case),  # 秒批 / 辅助审查
    }
