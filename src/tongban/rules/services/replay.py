"""回放: run a draft rule set against the decided past cases of its item and compare with the
human decisions.

Confusion matrix: rows are what the rules would have done (``auto_approve``: every rule passed;
``manual``: anything else, which in instant mode goes to a person), columns what people decided
(``approved`` / ``denied``). A disagreement is a case the rules would have approved that people
denied (the dangerous kind: ``auto_approved_but_denied``) or one people approved that the rules
would not have (``manual_but_approved``, naming the rules that did not pass).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from tongban.core.masking import mask_id_number
from tongban.core.permissions import Perm, require_perm

from .. import connectors as sources
from .. import providers
from ..errors import RulesError, RulesErrorCode
from ..models import ConnectorCall, Outcome, ReplayReport, RuleSet
from .evaluation import prepare, run
from .rulesets import rule_set_digest

MAX_DISAGREEMENTS = 1000


def replay(
    *,
    rule_set: RuleSet,
    since: dt.date,
    until: dt.date | None = None,
    actor=None,
    progress: bool | Callable[[int], None] = False,
) -> ReplayReport:
    if actor is not None:
        require_perm(actor, Perm.RULES_EDIT)
    if not rule_set.item_code:
        raise RulesError(RulesErrorCode.NO_PAST_CASES, _("政策的资格规则没有可回放的历史办件。"))
    if until is not None and until < since:
        raise RulesError(RulesErrorCode.NO_PAST_CASES, _("截止日期不能早于起始日期。"))
    provider = providers.past_cases_provider()
    if provider is None:
        raise RulesError(RulesErrorCode.NO_PAST_CASES, _("没有可用的历史办件来源。"))
    prepared = prepare(rule_set)
    digest = rule_set_digest(rule_set)
    matrix = {
        "auto_approve": {"approved": 0, "denied": 0},
        "manual": {"approved": 0, "denied": 0},
    }
    disagreements: list[dict] = []
    count = 0
    actor_label = (getattr(actor, "username", "") or "system")[:64]
    log = sources.CallLog(purpose="replay", actor_label=actor_label)
    with transaction.atomic():
        for past in provider(rule_set.item_code, since, until):
            pending: list[ConnectorCall] = []
            log.case_no = past.case_no
            log.as_of = past.decided_on  # the platform's records as they were that day
            result = run(
                prepared,
                subject=past.subject,
                form=past.form,
                answers=past.answers,
                today=past.decided_on or since,
                log=log,
                pending=pending,
            )
            if pending:
                ConnectorCall.objects.bulk_create(pending)
            row = "auto_approve" if result.outcome == Outcome.PASS else "manual"
            column = "approved" if past.approved else "denied"
            matrix[row][column] += 1
            count += 1
            if (row == "auto_approve") != past.approved and len(disagreements) < MAX_DISAGREEMENTS:
                causes = [
                    {
                        "rule": t["rule"],
                        "result": t["result"],
                        "message": t.get("reason") or t.get("message", ""),
                    }
                    for t in result.trace
                    if t["result"] != "pass"
                ]
                disagreements.append(
                    {
                        "case_no": past.case_no,
                        "subject": mask_id_number(past.subject.id_no),
                        "decided_on": past.decided_on.isoformat() if past.decided_on else "",
                        "human": column,
                        "rules": row,
                        "kind": "auto_approved_but_denied"
                        if row == "auto_approve"
                        else "manual_but_approved",
                        "causes": causes,
                    }
                )
            if progress and callable(progress):
                progress(count)
        agree = matrix["auto_approve"]["approved"] + matrix["manual"]["denied"]
        matrix["rules_digest"] = digest
        return ReplayReport.objects.create(
            rule_set=rule_set,
            since=since,
            until=until,
            case_count=count,
            agreement=round(agree / count, 4) if count else None,
            matrix=matrix,
            disagreements=disagreements,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
