"""What the applicant reads about their case: the step indicator, the timeline in plain language,
the deadlines in words, and what they owe. Built from the status, the events and the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tongban.catalog.models.codes import SpecialProcedureKind
from tongban.core import workdays

from .. import clocks, timeline_approvals
from ..models import Case, CaseEvent, DeliveryMethod, MaterialStatus
from ..progress_steps import Step, safe_clock, steps  # noqa: F401 (the portal views use them here)
from ..states import CaseAction as A
from ..states import CaseStatus as S

WITHDRAWABLE = frozenset({S.DRAFT, S.SUBMITTED, S.CORRECTION_REQUESTED, S.IN_REVIEW, S.SUSPENDED})
# Materials the applicant may still hand in after submission: those accepted as deferred (容缺).
DEFERRED_OPEN = frozenset({S.SUBMITTED, S.IN_REVIEW, S.SUSPENDED, S.APPROVED, S.ISSUED})


# ---------------------------------------------------------------- timeline


@dataclass
class Entry:
    when: dt.datetime
    title: str
    who: str
    lines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)  # shown below the items


def _who(event: CaseEvent, case: Case, viewer) -> str:
    if event.actor_id is None:
        return str(_("系统"))
    if event.actor_id == getattr(viewer, "pk", None):
        return str(_("您"))
    if event.actor_id == case.applicant.user_id:
        return str(_("申请人"))
    if event.actor_id == case.agent_id:
        return str(_("代办人"))
    staff = getattr(event.actor, "staff", None) if event.actor_id else None
    if staff is not None:
        return staff.department.name
    return case.department.name


def _kind_label(kind: str) -> str:
    return str(dict(SpecialProcedureKind.choices).get(kind, kind or _("特别程序")))


def delivery_lines(payload: dict) -> list[str]:
    method = payload.get("method", "")
    if method == DeliveryMethod.WINDOW:
        return [str(_("窗口领取，取件码 %(code)s。") % {"code": payload.get("pickup_code", "")})]
    if method == DeliveryMethod.MAIL:
        return [
            str(
                _("邮寄送达：%(carrier)s，运单号 %(no)s。")
                % {"carrier": payload.get("carrier", ""), "no": payload.get("tracking_no", "")}
            )
        ]
    if method == DeliveryMethod.ELECTRONIC:
        return [str(_("电子送达，可在本页查看和下载。"))]
    if method == DeliveryMethod.LOCKER:
        return [
            str(
                _("已凭取件码从自助取件柜 %(locker)s 取走。")
                % {"locker": payload.get("locker", "")}
            )
        ]
    return []


def timeline(
    case: Case, events: list[CaseEvent], *, viewer, material_names: dict[int, str], step_names
) -> list[Entry]:
    """Every step of the case a person cares about, newest first, in plain words.

    Left out: the editing of a draft (saving the form, adding or removing a material before it
    was sent) and staff taking or returning a task in their pool, which say nothing about the
    case's progress.
    """
    out: list[Entry] = []
    submitted = False
    for e in events:
        a, p = e.action, e.payload or {}
        title: str
        lines: list[str] = []
        items: list[str] = []
        after: list[str] = []
        if a == A.CREATE:
            title = str(_("开始填写申请"))
        elif a == A.SUBMIT:
            submitted = True
            title = str(_("提交申请"))
            lines.append(str(_("申请和材料已送达%(dept)s。") % {"dept": case.department.name}))
        elif a == A.ACCEPT:
            title = str(_("受理"))
            day = p.get("accepted_on", "")
            lines.append(str(_("受理日期 %(day)s，办理时限从这一天开始计算。") % {"day": day}))
            if p.get("deemed"):
                lines.append(
                    str(
                        _("部门未在收到材料后 5 个工作日内告知补正，依法自收到材料之日起视为受理。")
                    )
                )
        elif a == A.REFUSE:
            title = str(_("不予受理"))
            lines.append(str(_("理由：%(r)s") % {"r": e.reason}))
        elif a == A.REQUEST_CORRECTION:
            title = str(_("一次性告知补正"))
            lines.append(str(_("需要补正的全部内容：")))
            items = [str(m) for m in p.get("missing", [])]
            if e.reason:
                after.append(str(_("说明：%(r)s") % {"r": e.reason}))
        elif a == A.RESUBMIT:
            title = str(_("补正后重新提交"))
        elif a == A.COMPLETE_STEP:
            title = str(
                _("完成“%(step)s”环节，转入“%(next)s”环节")
                % {
                    "step": step_names.get(p.get("step"), p.get("step", "")),
                    "next": step_names.get(p.get("next"), p.get("next", "")),
                }
            )
        elif a == A.APPROVE:
            title = str(_("作出准予许可的决定"))
            if p.get("automatic"):
                lines.append(str(_("系统按审批规则自动核验并准予（秒批），核验说明见本页。")))
        elif a == A.HUMAN_REVIEW_REQUEST:
            title = str(_("申请人工复核"))
            if p.get("due"):
                lines.append(str(_("工作人员将在 %(due)s 前完成复核。") % {"due": p["due"]}))
        elif a == A.HUMAN_REVIEW_COMPLETE:
            title = str(_("完成人工复核"))
            lines.append(
                str(_("维持系统作出的决定。") if p.get("upheld") else _("系统作出的决定需要更正。"))
            )
            if e.reason:
                lines.append(str(_("复核意见：%(r)s") % {"r": e.reason}))
        elif a == A.DENY:
            title = str(_("作出不予许可的决定"))
            lines.append(str(_("理由：%(r)s") % {"r": e.reason}))
        elif a == A.SUSPEND:
            title = str(_("进入特别程序：%(kind)s") % {"kind": _kind_label(p.get("kind", ""))})
            if e.reason:
                lines.append(str(_("原因：%(r)s") % {"r": e.reason}))
            days = int(p.get("expected_days") or 0)
            if days:
                lines.append(
                    ngettext(
                        "预计需要 %(n)d 个工作日，这段时间不计入办理时限。",
                        "预计需要 %(n)d 个工作日，这段时间不计入办理时限。",
                        days,
                    )
                    % {"n": days}
                )
        elif a == A.RESUME:
            title = str(_("特别程序结束，继续计算办理时限"))
        elif a == A.EXTEND:
            days = int(p.get("days") or clocks.EXTENSION_DAYS)
            title = ngettext("办理期限延长 %(n)d 个工作日", "办理期限延长 %(n)d 个工作日", days) % {
                "n": days
            }
            lines.append(str(_("理由：%(r)s") % {"r": e.reason}))
        elif a == A.ISSUE:
            title = str(_("出具办理结果"))
            if p.get("result"):
                lines.append(str(p["result"]))
        elif a == A.DELIVER:
            title = str(_("送达"))
            lines = delivery_lines(p)
        elif a == A.LOCKER_PLACED:
            title = str(_("办理结果已放入自助取件柜"))
            lines.append(
                str(
                    _("格口 %(locker)s。取件码已通过短信发送，请凭取件码到大厅自助终端取件。")
                    % {"locker": p.get("locker", "")}
                )
            )
        elif a == A.ARCHIVE:
            title = str(_("办结归档"))
        elif a == A.WITHDRAW:
            title = str(_("撤回申请"))
            if e.reason:
                lines.append(str(_("原因：%(r)s") % {"r": e.reason}))
        elif a == A.MATERIAL_ADDED and submitted:
            title = str(
                _("补充材料：%(m)s") % {"m": material_names.get(p.get("seq"), p.get("seq", ""))}
            )
            if p.get("status") and p["status"] != MaterialStatus.PROVIDED:
                lines.append(str(MaterialStatus(p["status"]).label))
        elif a == A.FORM_SAVED and submitted:
            title = str(_("修改申请表"))
        elif a in timeline_approvals.APPLICANT_ACTIONS:  # 退回 and 催办; not internal staffing
            title, lines = timeline_approvals.applicant_lines(e, steps=step_names)
        else:
            continue
        out.append(Entry(e.occurred_at, title, _who(e, case, viewer), lines, items, after))
    out.reverse()
    return out


# ---------------------------------------------------------------- deadlines


def _days(n: int) -> str:
    return ngettext("%(n)d 个工作日", "%(n)d 个工作日", n) % {"n": n}


def deadlines(
    case: Case, clock: clocks.Clock | None, *, suspension: CaseEvent | None = None
) -> list[str]:
    """The time limits in plain words, e.g. “承诺 2026-10-13 前办结，还剩 3 个工作日”."""
    status = case.status
    version = case.item_version
    out: list[str] = []
    if suspension is not None and status == S.SUSPENDED:
        p = suspension.payload or {}
        line = str(_("正在进行特别程序：%(kind)s。") % {"kind": _kind_label(p.get("kind", ""))})
        if suspension.reason:
            line += str(_("原因：%(r)s") % {"r": suspension.reason})
        days = int(p.get("expected_days") or 0)
        if days:
            line += ngettext(
                "预计需要 %(n)d 个工作日，这段时间不计入办理时限。",
                "预计需要 %(n)d 个工作日，这段时间不计入办理时限。",
                days,
            ) % {"n": days}
        out.append(line)
    if clock is None:
        return out
    if status == S.SUBMITTED and clock.accepted_on is None and clock.correction_due:
        out.append(
            str(
                _(
                    "%(dept)s 将在 %(due)s 前（收到材料后 5 个工作日内）受理，"
                    "或一次性告诉您需要补正的全部材料。"
                )
                % {"dept": case.department.name, "due": clock.correction_due.isoformat()}
            )
        )
    if status == S.CORRECTION_REQUESTED:
        out.append(str(_("补正期间办理时限不计算。请尽快补正，补正后重新提交。")))
    if clock.accepted_on is None or clock.promised_due is None:
        return out
    if status in (S.SUBMITTED,) and clock.deemed_accepted:
        out.append(
            str(
                _("部门未按时告知补正，依法视为 %(day)s 已受理。")
                % {"day": clock.accepted_on.isoformat()}
            )
        )
    if clock.decided_on is None and status in (S.IN_REVIEW, S.SUSPENDED, S.SUBMITTED):
        promised, remaining = clock.promised_due.isoformat(), clock.remaining_promised or 0
        if clock.suspended:
            out.append(
                str(
                    _(
                        "特别程序中，办理时限暂停计算；承诺办结时限还剩 %(left)s，"
                        "特别程序结束后继续计算。"
                    )
                    % {"left": _days(max(remaining, 0))}
                )
            )
        elif remaining > 0:
            out.append(
                str(
                    _("承诺 %(due)s 前办结，还剩 %(left)s。")
                    % {"due": promised, "left": _days(remaining)}
                )
            )
        elif remaining == 0:
            out.append(str(_("承诺 %(due)s 前办结，今天到期。") % {"due": promised}))
        else:
            out.append(
                str(
                    _("已超过承诺期限（%(due)s）%(late)s。")
                    % {"due": promised, "late": _days(-remaining)}
                )
            )
        if clock.legal_due and (remaining < 0 or clock.extension_days):
            legal_left = clock.remaining_legal or 0
            if legal_left >= 0:
                out.append(str(_("法定期限为 %(due)s。") % {"due": clock.legal_due.isoformat()}))
            else:
                out.append(
                    str(
                        _("已超过法定期限（%(due)s），您可以拨打 12345 反映。")
                        % {"due": clock.legal_due.isoformat()}
                    )
                )
    if clock.decided_on is not None:
        if clock.on_time:
            out.append(
                str(
                    _("%(day)s 作出决定，在承诺期限内办结。")
                    % {"day": clock.decided_on.isoformat()}
                )
            )
        else:
            out.append(
                str(
                    _("%(day)s 作出决定，超过了承诺期限（%(due)s）。")
                    % {"day": clock.decided_on.isoformat(), "due": clock.promised_due.isoformat()}
                )
            )
        if clock.delivered_on is None and clock.delivery_due and status != S.WITHDRAWN:
            out.append(
                str(
                    _("结果将在 %(due)s 前送达（决定后 10 个工作日内）。")
                    % {"due": clock.delivery_due.isoformat()}
                )
            )
    if version.promised_limit_days == 0 and clock.decided_on is None and status == S.IN_REVIEW:
        out.append(str(_("本事项为即办件，受理当天办结。")))
    return out


# ---------------------------------------------------------------- what the applicant owes


def outstanding_deferred(case: Case, rows) -> set[int]:
    """Material ids accepted as deferred (容缺) and not handed in since."""
    deferred = {r.material_id for r in rows if r.status == MaterialStatus.DEFERRED}
    given = {
        r.material_id
        for r in rows
        if r.status in (MaterialStatus.PROVIDED, MaterialStatus.LICENCE, MaterialStatus.PAPER)
    }
    return deferred - given


def owes(case: Case, rows) -> str:
    """One line for 我的办件: what the applicant has to do now, or ""."""
    if case.status == S.DRAFT:
        return str(_("继续填写并提交"))
    if case.status == S.CORRECTION_REQUESTED:
        return str(_("补正材料后重新提交"))
    if case.status in DEFERRED_OPEN:
        n = len(outstanding_deferred(case, rows))
        if n:
            return ngettext("补交 %(n)d 份容缺材料", "补交 %(n)d 份容缺材料", n) % {"n": n}
    return ""


def business_day(value: dt.datetime | None) -> dt.date | None:
    return workdays.business_date(value) if value else None


# ---------------------------------------------------------------- correction and notices

# Written notices of a case (served by the documents view) by the event that makes them.
NOTICES = {
    A.ACCEPT: ("acceptance", _("受理通知书")),
    A.REFUSE: ("refusal", _("不予受理决定书")),
    A.REQUEST_CORRECTION: ("correction", _("补正材料通知书")),
    A.APPROVE: ("approval", _("准予行政许可决定书")),
    A.DENY: ("denial", _("不予行政许可决定书")),
}


def correction(events) -> dict | None:
    event = next((e for e in reversed(events) if e.action == A.REQUEST_CORRECTION), None)
    if event is None:
        return None
    return {
        "missing": [str(m) for m in event.payload.get("missing", [])],
        "note": event.reason,
        "due": event.payload.get("due", ""),
        "sent_on": business_day(event.occurred_at),
    }


def changed_since_correction(events) -> bool:
    seen = False
    for e in events:
        if e.action == A.REQUEST_CORRECTION:
            seen = False
            continue
        if e.action in (A.MATERIAL_ADDED, A.FORM_SAVED):
            seen = True
    return seen


def notices(case: Case, events) -> list[tuple[str, str]]:
    """The written notices of the case, in the order they were made (links to the PDFs)."""
    out, seen = [], set()
    for e in events:
        if e.action in NOTICES and e.action not in seen:
            seen.add(e.action)
            slug, title = NOTICES[e.action]
            try:
                out.append((reverse("case-documents:notice", args=[case.case_no, slug]), title))
            except NoReverseMatch:  # the documents app is not installed
                return []
    return out
