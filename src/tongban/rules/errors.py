from enum import StrEnum

from tongban.core.errors import DomainError


class RulesErrorCode(StrEnum):
    RULE_INVALID = "rule_invalid"
    RULE_SET_INVALID = "rule_set_invalid"
    NOT_DRAFT = "not_draft"
    REPORT_MISMATCH = "report_mismatch"
    STALE = "stale"
    CONNECTOR_INVALID = "connector_invalid"
    TABLE_INVALID = "table_invalid"
    POLICY_INVALID = "policy_invalid"
    NO_PAST_CASES = "no_past_cases"


class RuleError(DomainError):
    """An expression that does not compile, names an unknown field or mixes types: the message
    says what and ``position`` (0-based character offset) where."""

    status_code = 422

    def __init__(self, message, position: int = 0, *, rule: str = ""):
        self.position = position
        self.rule = rule
        super().__init__(RulesErrorCode.RULE_INVALID, message, field="expression")


class RulesError(DomainError):
    status_code = 409
