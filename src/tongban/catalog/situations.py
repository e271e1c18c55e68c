"""Walking a situation tree (情形导办): which questions apply, and what the answers select.

Answers are a mapping of question code → option code. A question applies when it has no
``shown_if`` option or that option was chosen. Every applicable question must be answered with
one of its options, and nothing else may be answered; otherwise the answers are refused with a
message naming the question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed

from .errors import CatalogErrorCode
from .models import SituationOption, SituationQuestion


@dataclass
class Walk:
    """The questions that applied, in order, with the option chosen for each answered one."""

    path: list[tuple[SituationQuestion, SituationOption]] = field(default_factory=list)
    next_question: SituationQuestion | None = None
    asked_codes: set[str] = field(default_factory=set)

    @property
    def chosen(self) -> list[SituationOption]:
        return [option for _q, option in self.path]

    @property
    def complete(self) -> bool:
        return self.next_question is None


def walk(
    questions: Iterable[SituationQuestion], answers: Mapping[str, str], *, partial: bool = False
) -> Walk:
    """Follow the tree; with ``partial`` stop at the first unanswered question instead of failing.

    ``questions`` must come in order with their ``options`` prefetched.
    """
    result = Walk()
    chosen_ids: set[int] = set()
    for question in questions:
        if question.shown_if_id is not None and question.shown_if_id not in chosen_ids:
            continue
        result.asked_codes.add(question.code)
        code = answers.get(question.code)
        if code in (None, ""):
            if partial:
                result.next_question = question
                return result
            raise ValidationFailed(
                CatalogErrorCode.ANSWER_MISSING,
                _("情形“%(q)s”还没有回答。"),
                field=question.code,
                q=question.text,
            )
        option = next((o for o in question.options.all() if o.code == code), None)
        if option is None:
            raise ValidationFailed(
                CatalogErrorCode.ANSWER_INVALID,
                _("情形“%(q)s”没有“%(a)s”这个选项。"),
                field=question.code,
                q=question.text,
                a=str(code)[:40],
            )
        chosen_ids.add(option.id)
        result.path.append((question, option))
    return result


def check_no_extra_answers(answers: Mapping[str, str], asked: set[str]) -> None:
    extra = sorted(set(answers) - asked)
    if extra:
        raise ValidationFailed(
            CatalogErrorCode.ANSWER_UNEXPECTED,
            _("回答了不适用于当前情形的问题：%(codes)s。"),
            field=extra[0],
            codes="、".join(extra)[:200],
        )
