from .connectors import Connector, ConnectorCall, ConnectorKind, ReferenceRow, ReferenceTable
from .policies import MatchStatus, Policy, PolicyAudience, PolicyMatch
from .rulesets import (
    Evaluation,
    Outcome,
    ReplayReport,
    Rule,
    RuleSet,
    RuleSetMode,
    RuleSetStatus,
    Severity,
)

__all__ = [
    "Connector",
    "ConnectorCall",
    "ConnectorKind",
    "Evaluation",
    "MatchStatus",
    "Outcome",
    "Policy",
    "PolicyAudience",
    "PolicyMatch",
    "ReferenceRow",
    "ReferenceTable",
    "ReplayReport",
    "Rule",
    "RuleSet",
    "RuleSetMode",
    "RuleSetStatus",
    "Severity",
]
