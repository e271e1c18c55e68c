"""How a department handles an item (its review steps and the stage limits 环节时限), and the
review tasks of a case."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongban.catalog.models.codes import VersionStatus
from tongban.core.permissions import Role

from .approvals import MULTI_SIGNER_MODES, StepMode

DEFAULT_STEPS = [
    {"code": "handle", "name": "承办", "role": "reviewer", "limit_days": 0},
    {"code": "decide", "name": "批准", "role": "approver", "limit_days": 0},
]

ACCEPT_DAYS_BY_LAW = 5  # 第三十二条: accept, refuse or send the one-time notice within 5 days
DELIVERY_DAYS_BY_LAW = 10  # 第四十四条: issue and serve within 10 days of the decision

# The five stages of a case whose time is limited (电子监察 tracks each: 环节超时).
STAGES = ("accept", "review", "decide", "issue", "deliver")


@dataclass(frozen=True)
class StepLimits:
    """Working-day limits of the stages 受理、审查、决定、制证、送达 (None: no limit of its own).

    accept   from receipt (or resubmission) to acceptance, refusal or the correction notice;
    review   from acceptance until the last review step before the decision is done;
    decide   from there to the decision (准予 / 不予许可);
    issue    from an approval to the result issued (制证);
    deliver  from the result issued (from the decision, for a denial) to its delivery —
             never later than ``DELIVERY_DAYS_BY_LAW`` after the decision, whatever is set.

    The defaults are the law's alone. ``final_step`` is the code of the procedure's decision
    step: completing the step before it ends the review stage.
    """

    accept: int = ACCEPT_DAYS_BY_LAW
    review: int | None = None
    decide: int | None = None
    issue: int | None = None
    deliver: int | None = None
    final_step: str = DEFAULT_STEPS[-1]["code"]

    def limit(self, stage: str) -> int | None:
        return getattr(self, stage)


def check_step_limits(
    *,
    accept: int | None,
    review: int | None,
    decide: int | None,
    issue: int | None,
    deliver: int | None,
    promised_limit: int | None = None,
) -> dict[str, str]:
    """Messages (by field) for limits that cannot hold together; empty when they can.
    The limits are whole numbers of working days, 0 or more, or None (the fields' own
    validators refuse anything else).

    - 受理 within the 5 working days of 第三十二条 (after them the case counts as accepted);
    - 制证 + 送达 within the 10 working days of 第四十四条, counted from the decision;
    - 审查 + 决定 within the item's promised limit: both run inside it, so a longer sum could
      never be met (checked against the published version when the limits are saved; a later
      version with a shorter promise leaves them as they are — the promised limit still rules).
    """
    errors: dict[str, str] = {}
    if accept is not None and accept > ACCEPT_DAYS_BY_LAW:
        errors["accept_limit_days"] = _(
            "受理时限不得超过 %(max)s 个工作日（行政许可法第三十二条：收到申请材料后 5 个工作日内"
            "须受理、不予受理或一次性告知补正）。"
        ) % {"max": ACCEPT_DAYS_BY_LAW}
    after = (issue or 0) + (deliver or 0)
    if after > DELIVERY_DAYS_BY_LAW:
        errors["deliver_limit_days"] = _(
            "制证与送达时限合计 %(sum)s 个工作日，超过了 %(max)s 个工作日（行政许可法第四十四条："
            "自作出决定之日起 10 个工作日内颁发、送达）。"
        ) % {"sum": after, "max": DELIVERY_DAYS_BY_LAW}
    within = (review or 0) + (decide or 0)
    if promised_limit is not None and within > promised_limit:
        errors["decide_limit_days"] = _(
            "审查与决定时限合计 %(sum)s 个工作日，超过了本事项的承诺办结时限"
            " %(promised)s 个工作日。"
        ) % {"sum": within, "promised": promised_limit}
    return errors


def check_steps(steps) -> str:
    """A message when the review steps are not a list of {code, name, role}; "" when they are."""
    if steps in (None, []):
        return ""
    roles = set(Role.values)
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        return _("审查环节须为列表，每个环节写明 code、name、role。")
    codes = [s.get("code") for s in steps]
    for step in steps:
        if not all(isinstance(step.get(k), str) and step.get(k).strip() for k in ("code", "name")):
            return _("审查环节须为列表，每个环节写明 code、name、role。")
        if step.get("role") not in roles:
            return _("审查环节“%(name)s”的岗位“%(role)s”不是系统中的岗位。") % {
                "name": step.get("name"),
                "role": step.get("role"),
            }
    if len(set(codes)) != len(codes):
        return _("审查环节的 code 不能重复。")
    for index, step in enumerate(steps):
        if message := check_step_mode(step, last=index == len(steps) - 1):
            return message
    return ""


def check_step_mode(step: dict, *, last: bool) -> str:
    """A message when the step's ``mode``, ``signers`` or ``quorum`` cannot be used; "" when
    they can (see docs/review-steps.md)."""
    name = step.get("name")
    mode = step.get("mode", StepMode.SINGLE)
    if mode not in StepMode.values:
        return _("审查环节“%(name)s”的办理方式“%(mode)s”不是可选值（%(choices)s）。") % {
            "name": name,
            "mode": mode,
            "choices": "、".join(f"{m.value} {m.label}" for m in StepMode),
        }
    signers = step.get("signers")
    quorum = step.get("quorum")
    if mode not in MULTI_SIGNER_MODES:
        if signers is not None or quorum is not None:
            return _("审查环节“%(name)s”由一人办理，不能设置 signers 或 quorum。") % {"name": name}
        return ""
    if last:
        return _(
            "审查环节“%(name)s”是作出决定的环节，由一人决定，不能设置为会签、或签、票签或依次审批。"
        ) % {"name": name}
    if signers is not None and (
        not isinstance(signers, list)
        or not signers
        or not all(isinstance(u, str) and u.strip() for u in signers)
        or len(set(signers)) != len(signers)
    ):
        return _("审查环节“%(name)s”的 signers 须为不重复的工作人员用户名列表。") % {"name": name}
    if mode == StepMode.VOTE:
        if not isinstance(quorum, int) or isinstance(quorum, bool) or quorum < 1:
            return _("票签环节“%(name)s”须写明 quorum（通过所需的同意票数，至少 1）。") % {
                "name": name
            }
        if signers is not None and quorum > len(signers):
            return _("票签环节“%(name)s”的 quorum 为 %(q)s，多于签署人数 %(n)s。") % {
                "name": name,
                "q": quorum,
                "n": len(signers),
            }
    elif quorum is not None:
        return _("只有票签环节可以设置 quorum（审查环节“%(name)s”）。") % {"name": name}
    return ""


def _limit_field(verbose_name, help_text):
    return models.PositiveSmallIntegerField(
        verbose_name,
        null=True,
        blank=True,
        help_text=help_text,
        validators=[MinValueValidator(0, message=_("时限不能为负数。"))],
    )


class ItemProcedure(models.Model):
    """How a department handles an item: its review steps (承办 → 审核 → 批准), who may take each,
    how tasks are assigned, and whether on-site verification needs two reviewers (第三十四条).

    Items without a row use ``DEFAULT_STEPS``.
    """

    item = models.OneToOneField(
        "catalog.ServiceItem", on_delete=models.CASCADE, related_name="procedure"
    )
    steps = models.JSONField(_("审查环节"), default=list, blank=True)
    assignment = models.CharField(
        _("派件方式"),
        max_length=16,
        default="random",
        choices=[
            ("random", _("随机派件")),
            ("least_loaded", _("任务最少者优先")),
            ("pool", _("任务池自行领取")),
        ],
    )
    two_reviewers = models.BooleanField(_("需两名工作人员核查"), default=False)
    # 环节时限 (working days); empty: the law's limit, or none of the stage's own.
    accept_limit_days = _limit_field(
        _("受理时限（工作日）"),
        _(
            "自收到申请材料（或补正后重新提交）起，受理、不予受理或一次性告知补正的时限。"
            "留空按法定 5 个工作日，不得超过 5 个工作日。"
        ),
    )
    review_limit_days = _limit_field(
        _("审查时限（工作日）"),
        _("自受理起，至决定前最后一个审查环节完成。留空不单独设限，以承诺办结时限为准。"),
    )
    decide_limit_days = _limit_field(
        _("决定时限（工作日）"),
        _("自审查完成起，至作出准予或不予许可的决定。审查与决定时限合计不得超过承诺办结时限。"),
    )
    issue_limit_days = _limit_field(
        _("制证时限（工作日）"),
        _("自准予许可的决定起，至出具办理结果（制证）。留空不单独设限。"),
    )
    deliver_limit_days = _limit_field(
        _("送达时限（工作日）"),
        _(
            "自出具结果起至送达。无论如何设置，都须在决定之日起 10 个工作日内送达"
            "（行政许可法第四十四条）；制证与送达时限合计不得超过 10 个工作日。"
        ),
    )

    class Meta:
        verbose_name = _("办理流程")
        verbose_name_plural = _("办理流程")

    def __str__(self) -> str:
        return str(self.item)

    def clean(self) -> None:
        super().clean()

        def valid(value):  # one the field's validators let through (they report the others)
            return value if isinstance(value, int) and value >= 0 else None

        errors = dict(
            check_step_limits(
                accept=valid(self.accept_limit_days),
                review=valid(self.review_limit_days),
                decide=valid(self.decide_limit_days),
                issue=valid(self.issue_limit_days),
                deliver=valid(self.deliver_limit_days),
                promised_limit=self._promised_limit(),
            )
        )
        if message := check_steps(self.steps) or self._unknown_signers():
            errors["steps"] = message
        if errors:
            raise ValidationError(errors)

    def _unknown_signers(self) -> str:
        """A message naming configured signers who are not active staff of the item's
        department (checked when an administrator saves the procedure)."""
        if self.item_id is None:
            return ""
        names = {u for step in self.steps or [] for u in step.get("signers") or []}
        if not names:
            return ""
        known = set(
            get_user_model()
            .objects.filter(
                username__in=names, is_active=True, staff__department=self.item.department_id
            )
            .values_list("username", flat=True)
        )
        if missing := sorted(names - known):
            return _("签署人 %(names)s 不是本事项实施部门在岗的工作人员。") % {
                "names": "、".join(missing)
            }
        return ""

    def _promised_limit(self) -> int | None:
        """The promised limit of the item's published version (None before one is published)."""
        if self.item_id is None:
            return None
        return (
            self.item.versions.filter(status=VersionStatus.PUBLISHED)
            .values_list("promised_limit_days", flat=True)
            .first()
        )

    def step_limits(self) -> StepLimits:
        steps = self.steps or DEFAULT_STEPS
        return StepLimits(
            accept=ACCEPT_DAYS_BY_LAW if self.accept_limit_days is None else self.accept_limit_days,
            review=self.review_limit_days,
            decide=self.decide_limit_days,
            issue=self.issue_limit_days,
            deliver=self.deliver_limit_days,
            final_step=steps[-1]["code"],
        )


class TaskStatus(models.TextChoices):
    OPEN = "open", _("待领取")
    CLAIMED = "claimed", _("办理中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class ReviewTask(models.Model):
    """One review step of a case, in its department's pool until someone claims it."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="tasks")
    step = models.CharField(_("环节"), max_length=32)
    step_name = models.CharField(_("环节名称"), max_length=32)
    role = models.CharField(_("岗位"), max_length=32)
    department = models.ForeignKey(
        "core.Department", on_delete=models.PROTECT, related_name="review_tasks"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_tasks",
    )
    opinion = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # When the task is due (a working day), where a rule sets one: a human review of an
    # automatic decision (个人信息保护法第二十四条) is due by the date the applicant was told.
    due_on = models.DateField(_("办理截止日期"), null=True, blank=True, db_index=True)
    # Approval operations (models/approvals.py): how the step is signed, a vote's quorum and
    # result, and who delegated the task (委派: they may take it back).
    mode = models.CharField(
        _("办理方式"), max_length=16, choices=StepMode.choices, default=StepMode.SINGLE
    )
    quorum = models.PositiveSmallIntegerField(_("票签通过票数"), null=True, blank=True)
    outcome = models.CharField(_("表决结果"), max_length=16, blank=True)
    delegated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("委派人"),
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("审查任务")
        verbose_name_plural = _("审查任务")
        indexes = [
            # The work queue (0003_queue_perf): the open tasks of a page's cases, and 我的任务.
            models.Index(fields=["case", "status"], name="task_queue_case_status"),
            models.Index(fields=["assignee", "status", "case"], name="task_queue_assignee_status"),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.step_name}"
