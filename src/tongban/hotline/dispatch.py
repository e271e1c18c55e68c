"""Dispatch (派单): who should handle a ticket, from the published dispatch catalogue.

1. The catalogue's rules (``DispatchRule``), in ``position`` order, first match wins. Every
   condition a rule gives must hold: the subject (or a descendant), any keyword in the title or
   content, the ticket's region (or one inside it), the type. A match is certain (confidence 1).
2. Otherwise the catalogue entry of the ticket's subject (or its nearest ancestor): a functional
   department, or the street/community that owns the address (属地) — also certain.
3. Otherwise the registered classifier ([D]), with its own confidence.

The entry's ``owner_level`` also guards every dispatch: a matter a functional department owns
may not be pushed down to a street or community (国办函〔2025〕66号 (五)). The unit that owns an
address is the active department attached to the ticket's street region (a 便民服务中心); for a
community-level matter, the community's own unit when it has one.

The catalogue is read once per process into memory (rules, entries, subjects, regions, units)
and re-read when it changes (checked at most every 30 s; ``invalidate`` at once).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, Max
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError
from tongban.core.models import Department, Region
from tongban.core.models.regions import DepartmentKind, RegionLevel

from .errors import TicketErrorCode
from .models import (
    CatalogueStatus,
    DispatchCatalogue,
    DispatchEntry,
    DispatchRule,
    OwnerLevel,
    Subject,
    Ticket,
)

logger = logging.getLogger("tongban.hotline.dispatch")
REFRESH_SECONDS = 30.0
GRASSROOTS_LEVELS = frozenset({RegionLevel.STREET, RegionLevel.COMMUNITY})


def auto_dispatch_confidence() -> float:
    """The setting when set; otherwise the active classifier's threshold for 98 % precision
    (its manifest), or ``classifier.registry.FALLBACK_THRESHOLD`` when it has none."""
    configured = getattr(settings, "TONGBAN_HOTLINE_AUTO_DISPATCH_CONFIDENCE", None)
    if configured is not None:
        return float(configured)
    from .classifier import registry

    return registry.auto_dispatch_threshold()


@dataclass(frozen=True)
class Suggestion:
    """Where the ticket should go. ``department`` is the functional department (or None);
    ``to_locality`` also (or only) sends it to the unit owning the address, ``locality_unit``."""

    department: Department | None
    to_locality: bool
    subject: Subject | None
    confidence: float
    rule: str
    reasons: tuple[str, ...] = ()
    locality_unit: Department | None = None

    @property
    def has_target(self) -> bool:
        return self.department is not None or (self.to_locality and self.locality_unit is not None)


NO_SUGGESTION = Suggestion(None, False, None, 0.0, "", ())


# --------------------------------------------------------------------------- classifier hook

Classifier = Callable[[Ticket], "tuple[Subject | None, Department | None, float] | None"]
_classifier: Classifier | None = None


def register_classifier(fn: Classifier | None) -> None:
    """Install the [D] classifier: ``fn(ticket) -> (subject, department, confidence)`` or None.
    ``None`` removes it. None is registered by default."""
    global _classifier
    _classifier = fn


def clear_classifiers() -> None:
    register_classifier(None)


# --------------------------------------------------------------------------- the snapshot


@dataclass(frozen=True)
class _Rule:
    position: int
    name: str
    subject_id: int | None
    subject_ids: frozenset[int] | None
    keywords: tuple[str, ...]
    region_ids: frozenset[int] | None
    ticket_type: str
    department_id: int | None
    to_locality: bool


@dataclass
class Snapshot:
    catalogue_id: int | None = None
    version: int | None = None
    rules: list[_Rule] = field(default_factory=list)
    entries: dict[int, tuple[str, int | None]] = field(default_factory=dict)
    subjects: dict[int, Subject] = field(default_factory=dict)
    regions: dict[int, Region] = field(default_factory=dict)
    departments: dict[int, Department] = field(default_factory=dict)
    units_by_region: dict[int, Department] = field(default_factory=dict)
    by_code: dict[str, Department] = field(default_factory=dict)
    subject_by_code: dict[str, Subject] = field(default_factory=dict)

    def subject_lineage(self, subject_id: int | None) -> list[int]:
        out: list[int] = []
        while subject_id is not None and subject_id not in out:
            out.append(subject_id)
            subject = self.subjects.get(subject_id)
            subject_id = subject.parent_id if subject else None
        return out

    def entry_for(self, subject_id: int | None) -> tuple[str, int | None] | None:
        for sid in self.subject_lineage(subject_id):
            entry = self.entries.get(sid)
            if entry is not None:
                return entry
        return None

    def owner_level(self, subject_id: int | None) -> str | None:
        entry = self.entry_for(subject_id)
        return entry[0] if entry else None


def _descendants(children: dict[int, list[int]], root: int) -> frozenset[int]:
    out, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in out:
                out.add(child)
                todo.append(child)
    return frozenset(out)


def _build() -> Snapshot:
    snap = Snapshot()
    subjects = {s.pk: s for s in Subject.objects.all()}
    subject_children: dict[int, list[int]] = {}
    for s in subjects.values():
        if s.parent_id:
            subject_children.setdefault(s.parent_id, []).append(s.pk)
    regions = {r.pk: r for r in Region.objects.all()}
    region_children: dict[int, list[int]] = {}
    for r in regions.values():
        if r.parent_id:
            region_children.setdefault(r.parent_id, []).append(r.pk)
    departments = {d.pk: d for d in Department.objects.filter(is_active=True)}
    snap.subjects, snap.regions, snap.departments = subjects, regions, departments
    snap.by_code = {d.code: d for d in departments.values()}
    snap.subject_by_code = {s.code: s for s in subjects.values()}
    rank = {DepartmentKind.SERVICE_CENTRE: 0, DepartmentKind.SERVICE_STATION: 1}
    for d in sorted(departments.values(), key=lambda d: (rank.get(d.kind, 9), d.pk)):
        region = regions.get(d.region_id)
        if region is not None and region.level in GRASSROOTS_LEVELS:
            snap.units_by_region.setdefault(region.pk, d)
    catalogue = DispatchCatalogue.objects.filter(status=CatalogueStatus.PUBLISHED).first()
    if catalogue is None:
        return snap
    snap.catalogue_id, snap.version = catalogue.pk, catalogue.version
    for entry in DispatchEntry.objects.filter(catalogue=catalogue):
        snap.entries[entry.subject_id] = (entry.owner_level, entry.department_id)
    for rule in DispatchRule.objects.filter(catalogue=catalogue, active=True).order_by("position"):
        keywords = tuple(
            k.strip() for k in rule.keywords.replace("，", ",").replace("、", ",").split(",")
        )
        snap.rules.append(
            _Rule(
                position=rule.position,
                name=rule.name,
                subject_id=rule.subject_id,
                subject_ids=_descendants(subject_children, rule.subject_id)
                if rule.subject_id
                else None,
                keywords=tuple(k for k in keywords if k),
                region_ids=_descendants(region_children, rule.region_id)
                if rule.region_id
                else None,
                ticket_type=rule.ticket_type,
                department_id=rule.department_id,
                to_locality=rule.to_locality,
            )
        )
    return snap


_snapshot: Snapshot | None = None
_revision: tuple | None = None
_checked_at = 0.0
_lock = threading.Lock()


def _db_revision() -> tuple:
    published = (
        DispatchCatalogue.objects.filter(status=CatalogueStatus.PUBLISHED)
        .values_list("pk", "version")
        .first()
    )
    parts = [published]
    for model in (DispatchRule, DispatchEntry, Subject, Region, Department):
        agg = model.objects.aggregate(n=Count("pk"), m=Max("pk"))
        parts.append((agg["n"], agg["m"]))
    return tuple(parts)


def snapshot() -> Snapshot:
    """The published catalogue in memory (rebuilt when the tables change)."""
    global _snapshot, _revision, _checked_at
    now = time.monotonic()
    snap = _snapshot
    if snap is not None and now - _checked_at < REFRESH_SECONDS:
        return snap
    with _lock:
        try:
            revision = _db_revision()
        except DatabaseError:
            return Snapshot()
        if _snapshot is None or revision != _revision:
            _snapshot = _build()
            _revision = revision
        _checked_at = now
        return _snapshot


def invalidate() -> None:
    """Forget the snapshot: after the catalogue, rules, subjects, regions or units change."""
    global _snapshot, _revision
    with _lock:
        _snapshot = None
        _revision = None


# --------------------------------------------------------------------------- suggesting


def _matches(rule: _Rule, ticket: Ticket, text: str) -> bool:
    if rule.ticket_type and rule.ticket_type != ticket.ticket_type:
        return False
    if rule.subject_ids is not None and ticket.subject_id not in rule.subject_ids:
        return False
    if rule.region_ids is not None:
        region_id = ticket.region_id or ticket.street_id
        if region_id not in rule.region_ids:
            return False
    return not (rule.keywords and not any(k in text for k in rule.keywords))


def locality_unit(
    ticket: Ticket, *, level: str | None = None, snap: Snapshot | None = None
) -> Department | None:
    """The unit owning the ticket's address: the community's own unit for a community-level
    matter when it has one, else the street's."""
    snap = snap or snapshot()
    if level == OwnerLevel.COMMUNITY and ticket.region_id and ticket.region_id != ticket.street_id:
        unit = snap.units_by_region.get(ticket.region_id)
        if unit is not None:
            return unit
    if ticket.street_id:
        return snap.units_by_region.get(ticket.street_id)
    return None


def _from_entry(ticket: Ticket, subject_id: int, snap: Snapshot, confidence: float, why: str):
    entry = snap.entry_for(subject_id)
    if entry is None:
        return None
    level, department_id = entry
    subject = snap.subjects.get(subject_id)
    if level == OwnerLevel.DEPARTMENT:
        department = snap.departments.get(department_id) if department_id else None
        if department is None:
            return None
        reason = _("派单目录 v%(v)s：“%(s)s”由%(d)s办理") % {
            "v": snap.version,
            "s": subject.name if subject else "",
            "d": department.name,
        }
        return Suggestion(department, False, subject, confidence, "", (why, str(reason)))
    unit = locality_unit(ticket, level=level, snap=snap)
    reason = _("派单目录 v%(v)s：“%(s)s”由%(l)s办理") % {
        "v": snap.version,
        "s": subject.name if subject else "",
        "l": OwnerLevel(level).label,
    }
    reasons = [why, str(reason)]
    if unit is None:
        reasons.append(str(_("尚未确定属地，请补充地址或人工指定承办单位")))
    return Suggestion(
        None, True, subject, confidence if unit else 0.0, "", tuple(reasons), locality_unit=unit
    )


def dispatch_suggest(ticket: Ticket) -> Suggestion:
    """Rules first, then the catalogue entry of the subject, then the classifier."""
    snap = snapshot()
    text = f"{ticket.title}\n{ticket.content}"
    for rule in snap.rules:
        if not _matches(rule, ticket, text):
            continue
        subject_id = ticket.subject_id or rule.subject_id
        subject = snap.subjects.get(subject_id) if subject_id else None
        department = snap.departments.get(rule.department_id) if rule.department_id else None
        reasons = [str(_("派单规则 %(p)s“%(n)s”") % {"p": rule.position, "n": rule.name})]
        if rule.department_id is None and not rule.to_locality:
            # a rule that only names the subject: the catalogue says who owns it
            found = _from_entry(ticket, subject_id, snap, 1.0, reasons[0]) if subject_id else None
            if found is not None:
                return Suggestion(
                    found.department,
                    found.to_locality,
                    found.subject,
                    found.confidence,
                    rule.name,
                    found.reasons,
                    found.locality_unit,
                )
            continue
        unit = locality_unit(ticket, level=snap.owner_level(subject_id), snap=snap)
        confidence = 1.0
        if rule.to_locality and unit is None:
            reasons.append(str(_("尚未确定属地，请补充地址或人工指定承办单位")))
            confidence = 0.0 if department is None else confidence
        if (
            rule.to_locality
            and department is None
            and (snap.owner_level(subject_id) == OwnerLevel.DEPARTMENT)
        ):
            reasons.append(str(_("该分类属于职能部门职责，不得派至街道（镇）或社区（村）")))
            confidence = 0.0
        return Suggestion(
            department,
            rule.to_locality,
            subject,
            confidence,
            rule.name,
            tuple(reasons),
            locality_unit=unit if rule.to_locality else None,
        )
    if ticket.subject_id:
        found = _from_entry(ticket, ticket.subject_id, snap, 1.0, str(_("按诉求分类")))
        if found is not None:
            return found
    if _classifier is not None:
        try:
            answer = _classifier(ticket)
        except Exception:  # a broken classifier must never stop intake
            logger.exception("the ticket classifier failed")
            answer = None
        if answer:
            subject, department, confidence = answer
            why = str(_("智能分类建议（置信度 %(c).0f%%）") % {"c": confidence * 100})
            if department is not None:
                return Suggestion(department, False, subject, float(confidence), "", (why,))
            if subject is not None:
                found = _from_entry(ticket, subject.pk, snap, float(confidence), why)
                if found is not None:
                    return found
                return Suggestion(None, False, subject, float(confidence), "", (why,))
    return NO_SUGGESTION


# --------------------------------------------------------------------------- dispatch targets


class DispatchRefused(DomainError):
    status_code = 422


def is_grassroots(department: Department) -> bool:
    """A street or community unit (by the level of the region it is attached to)."""
    snap = snapshot()
    region = snap.regions.get(department.region_id)
    if region is None:
        region = Region.objects.get(pk=department.region_id)
    return region.level in GRASSROOTS_LEVELS


def department_by_code(code: str, *, field: str = "department_code") -> Department:
    department = snapshot().by_code.get(code)
    if department is None:
        department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise DispatchRefused(
            TicketErrorCode.DISPATCH_TARGET,
            _("承办单位：没有编码为“%(value)s”的在用单位。"),
            field=field,
            value=str(code)[:32],
        )
    if department.kind == DepartmentKind.HOTLINE_CENTRE:
        raise DispatchRefused(
            TicketErrorCode.DISPATCH_TARGET,
            _("承办单位：不能派给热线中心本身，请选择职能部门或属地街道。"),
            field=field,
        )
    return department


@dataclass(frozen=True)
class Target:
    lead: Department
    co: tuple[Department, ...]


def resolve_target(
    ticket: Ticket, *, department: Department | None, to_locality: bool, field: str
) -> Target:
    """The units a dispatch goes to, after the level check. With a department and the
    locality both, the department leads and the street's unit co-handles."""
    snap = snapshot()
    level = snap.owner_level(ticket.subject_id)
    unit = None
    if to_locality:
        unit = locality_unit(ticket, level=level, snap=snap)
        if unit is None:
            raise DispatchRefused(
                TicketErrorCode.DISPATCH_TARGET,
                _("属地：该工单的地址尚未确定属地街道（镇），请先核实地址或直接指定承办单位。"),
                field="to_locality",
            )
    if department is None and unit is None:
        raise DispatchRefused(
            TicketErrorCode.NO_DISPATCH_MATCH,
            _("承办单位：派单目录和派单规则都没有找到承办单位，请人工指定。"),
            field=field,
        )
    lead = department or unit
    if level == OwnerLevel.DEPARTMENT and is_grassroots(lead):
        subject = snap.subjects.get(ticket.subject_id)
        raise DispatchRefused(
            TicketErrorCode.LEVEL_NOT_ALLOWED,
            _(
                "“%(subject)s”按派单目录属于职能部门职责，不得派至街道（镇）或社区（村）"
                "（国办函〔2025〕66号）。请派给职能部门。"
            ),
            field=field,
            subject=subject.name if subject else "",
        )
    co = (unit,) if department is not None and unit is not None and unit.pk != lead.pk else ()
    return Target(lead=lead, co=co)
