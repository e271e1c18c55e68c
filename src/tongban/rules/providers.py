"""Registries the apps above rules fill at start-up (``CasesConfig.ready``): rules may not
import cases (layers), so cases hands it the functions it needs.

- ``register_past_cases(fn)``: ``fn(item_code, since, until)`` → iterable of ``PastCase``, the
  decided cases of an item for replay.
- ``register_platform_source(name, fn)``: ``fn(subject, fields)`` → ``{field: value}``, platform
  data about a subject (``"cases"``: its past cases, ``"licences"``: its valid licences). A
  platform connector with ``config = {"source": name}`` reads through it. A source that also
  takes ``as_of`` (a date) is asked, during a replay, for the records as they were on the past
  case's decision day.
- ``register_benefit_creator(fn)``: ``fn(policy, subject, evaluation)`` → case number, the benefit
  case created with no application for an automatic (免申即享) policy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .context import Subject


@dataclass(frozen=True)
class PastCase:
    case_no: str
    subject: Subject
    form: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    decided_on: dt.date | None = None
    approved: bool = False


PastCasesFn = Callable[[str, dt.date, dt.date | None], Iterable[PastCase]]
SourceFn = Callable[[Subject, list[str]], dict[str, Any]]
BenefitCreatorFn = Callable[[Any, Subject, Any], str]

_past_cases: list[PastCasesFn] = []
_sources: dict[str, SourceFn] = {}
_benefit_creator: list[BenefitCreatorFn] = []


def register_past_cases(fn: PastCasesFn) -> PastCasesFn:
    _past_cases[:] = [fn]
    return fn


def register_platform_source(name: str, fn: SourceFn) -> SourceFn:
    _sources[name] = fn
    return fn


def register_benefit_creator(fn: BenefitCreatorFn) -> BenefitCreatorFn:
    _benefit_creator[:] = [fn]
    return fn


def past_cases_provider() -> PastCasesFn | None:
    return _past_cases[0] if _past_cases else None


def platform_source(name: str) -> SourceFn | None:
    return _sources.get(name)


def platform_source_names() -> list[str]:
    return sorted(_sources)


def benefit_creator() -> BenefitCreatorFn | None:
    return _benefit_creator[0] if _benefit_creator else None


def snapshot() -> tuple:
    """For tests: the registries' state, to restore with ``restore``."""
    return (list(_past_cases), dict(_sources), list(_benefit_creator))


def restore(state: tuple) -> None:
    past, sources, creator = state
    _past_cases[:] = past
    _sources.clear()
    _sources.update(sources)
    _benefit_creator[:] = creator
