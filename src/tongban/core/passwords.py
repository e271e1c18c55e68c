"""Password policy beyond Django's validators (length, the bundled list of breached passwords,
similarity to the account, all-numeric): a minimum number of character classes (等保 口令复杂度)."""

from __future__ import annotations

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (
    ("lower", str.islower),
    ("upper", str.isupper),
    ("digit", str.isdigit),
)


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    found = {name for ch in password for name, test in CLASSES if test(ch)}
    if any(not ch.isalnum() or ch in string.punctuation for ch in password):
        found.add("other")
    return len(found)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower case, upper case, digits, other characters."""

    def __init__(self, min_classes: int = 2):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return _("密码须包含小写字母、大写字母、数字、其他符号中的至少 %(n)d 种。") % {
            "n": self.min_classes
        }
