"""Writes of the rules app (see each module)."""

from .connectors import connector_save, reference_table_upload
from .evaluation import evaluate, evaluation_mark_automatic, evaluation_request_review
from .policies import MatchSummary, policies_match
from .replay import replay
from .rulesets import rule_set_activate, rule_set_copy, rule_set_retire, rule_set_save

__all__ = [
    "MatchSummary",
    "connector_save",
    "evaluate",
    "evaluation_mark_automatic",
    "evaluation_request_review",
    "policies_match",
    "reference_table_upload",
    "replay",
    "rule_set_activate",
    "rule_set_copy",
    "rule_set_retire",
    "rule_set_save",
]
