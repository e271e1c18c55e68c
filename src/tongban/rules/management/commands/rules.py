"""`tongban rules replay ITEM --since 2026-01-01 [--until …] [--rule-set ID]`: run the item's
newest draft rule set (or the one given) against the item's decided past cases and print the
confusion matrix and every disagreement with the rules that caused it; the report is saved and
can be activated from (`tongban rules activate REPORT`, or the console page).
`tongban rules check ITEM`: compile and type-check the item's draft rule sets against today's
fields (a connector field removed since the rules were saved shows up here).
`tongban rules list [ITEM]`: the rule sets and their status."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tongban.core.errors import DomainError
from tongban.rules.errors import RuleError
from tongban.rules.models import ReplayReport, RuleSet, RuleSetStatus
from tongban.rules.selectors import declared_fields
from tongban.rules.services import replay, rule_set_activate
from tongban.rules.services.rulesets import validate_rules


def _date(value: str | None, flag: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{flag}: not a date (YYYY-MM-DD): {value}") from None


class Command(BaseCommand):
    help = "Rule sets: replay against past cases, check (compile) drafts, list, activate."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rp = sub.add_parser("replay", help="replay a draft rule set against past cases")
        rp.add_argument("item", help="the item's implementation code")
        rp.add_argument("--since", required=True, help="first decision date (YYYY-MM-DD)")
        rp.add_argument("--until", help="last decision date (YYYY-MM-DD)")
        rp.add_argument("--rule-set", type=int, help="rule set id (default: newest draft)")
        ck = sub.add_parser("check", help="compile the item's draft rule sets")
        ck.add_argument("item")
        ls = sub.add_parser("list", help="list rule sets")
        ls.add_argument("item", nargs="?", default="")
        ac = sub.add_parser("activate", help="activate a rule set from a replay report")
        ac.add_argument("report", type=int, help="replay report id")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, "do_" + action)(**options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _draft(self, item: str, pk: int | None) -> RuleSet:
        qs = RuleSet.objects.filter(item_code=item)
        rule_set = qs.filter(pk=pk).first() if pk else qs.filter(status=RuleSetStatus.DRAFT).first()
        if rule_set is None:
            raise CommandError(f"no {'such' if pk else 'draft'} rule set for item {item}")
        return rule_set

    def do_replay(self, *, item, since, until=None, rule_set=None, **_):
        rs = self._draft(item, rule_set)
        report = replay(rule_set=rs, since=_date(since, "--since"), until=_date(until, "--until"))
        m = report.matrix
        w = self.stdout.write
        w(f"replay report {report.pk}: rule set {rs.pk} “{rs.name}” ({rs.item_code})")
        w(
            f"cases: {report.case_count}   agreement: "
            + (f"{report.agreement * 100:.1f}%" if report.agreement is not None else "n/a")
        )
        w("")
        w(f"{'':>14} {'approved':>10} {'denied':>10}")
        for row in ("auto_approve", "manual"):
            w(f"{row:>14} {m[row]['approved']:>10} {m[row]['denied']:>10}")
        w("")
        w(f"disagreements: {len(report.disagreements)}")
        for d in report.disagreements:
            causes = (
                "; ".join(f"{c['rule']} [{c['result']}] {c['message']}" for c in d["causes"])
                or "all rules passed"
            )
            w(f"  {d['case_no']} {d['subject']} human={d['human']} rules={d['rules']}: {causes}")
        w(f"activate with: tongban rules activate {report.pk}")

    def do_check(self, *, item, **_):
        drafts = RuleSet.objects.filter(item_code=item, status=RuleSetStatus.DRAFT)
        if not drafts.exists():
            raise CommandError(f"no draft rule set for item {item}")
        bad = 0
        for rs in drafts:
            declared = declared_fields(item_code=rs.item_code, item_version_id=rs.item_version_id)
            rules = list(
                rs.rules.order_by("position").values("name", "expression", "message", "severity")
            )
            try:
                validate_rules(rules, declared)
                self.stdout.write(f"rule set {rs.pk} “{rs.name}”: {len(rules)} rules compile")
            except (RuleError, DomainError) as exc:
                bad += 1
                self.stdout.write(f"rule set {rs.pk} “{rs.name}”: {exc.message}")
        if bad:
            raise CommandError(f"{bad} rule set(s) do not compile")

    def do_list(self, *, item="", **_):
        qs = RuleSet.objects.all()
        if item:
            qs = qs.filter(item_code=item)
        for rs in qs:
            self.stdout.write(
                f"{rs.pk:>5} {rs.item_code or '(policy)':<32} {rs.status:<8} {rs.mode:<8} {rs.name}"
            )

    def do_activate(self, *, report, **_):
        rep = ReplayReport.objects.filter(pk=report).select_related("rule_set").first()
        if rep is None:
            raise CommandError(f"no replay report {report}")
        rs = rule_set_activate(rule_set=rep.rule_set, report=rep, actor=None)
        self.stdout.write(f"rule set {rs.pk} “{rs.name}” is active for {rs.item_code}")
