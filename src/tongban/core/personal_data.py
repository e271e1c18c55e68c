"""Unmasked views of personal data (查看完整个人信息) and their access log.

``personal_data_reveal`` is the one way staff see a full ID number or phone on demand: it needs
``Perm.IDENTITY_VIEW_FULL`` (and, for the subject, whatever its resolver checks), a purpose and a
reason, writes one hash-chained ``PersonalDataAccess`` row and returns the full values.
Subjects are resolved by kind; core resolves people and enterprises, and a higher app may
register its own kind (a ticket, a licence) at start-up with ``register_subject``.

``person_lookup_q`` is the one helper for exact look-ups of a person by ID number or phone: it
matches the blind index (core/crypto.py) and never the stored ciphertext.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .crypto import blind_index, normalise
from .errors import CoreErrorCode, NotFound, PermissionDenied, ValidationFailed
from .masking import mask_id_number, mask_name, mask_phone
from .models import (
    FIELD_LABELS,
    AccessPurpose,
    AccessSubject,
    Enterprise,
    EventChainHead,
    Person,
    PersonalDataAccess,
)
from .permissions import Perm, has_perm

GENESIS_HASH = "0" * 64
CHAIN_TABLE = "core.personaldataaccess"
CHAIN_STREAM = "all"
REASON_MAX = 200

MASKERS: dict[str, Callable[[str], str]] = {
    "id_number": mask_id_number,
    "holder_id_no": mask_id_number,
    "phone": mask_phone,
    "caller_phone": mask_phone,
}


# --- look-up --------------------------------------------------------------------------------


def person_lookup_q(*, id_number: str | None = None, phone: str | None = None, prefix: str = ""):
    """A ``Q`` matching people by exact ID number and/or phone through the blind index.

    ``prefix`` reaches the person through a relation (``"applicant__"``)."""
    q = Q()
    if id_number is not None:
        q &= Q(**{f"{prefix}id_number_index": blind_index("id_number", id_number)})
    if phone is not None:
        q &= Q(**{f"{prefix}phone_index": blind_index("phone", phone)})
    return q


def person_by_id_number(id_number: str) -> Person | None:
    if not normalise("id_number", id_number):
        return None
    return Person.objects.filter(person_lookup_q(id_number=id_number)).first()


# --- subjects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    kind: str
    ref: str
    label: str  # masked, for the log and the page
    values: dict[str, str]  # field → full value
    person: Person | None = None
    # field → label and field → kind ("id_number" / "phone") for fields FIELD_LABELS and
    # MASKERS do not know (an application form's own fields, "form:<code>").
    labels: dict[str, str] = dc_field(default_factory=dict)
    kinds: dict[str, str] = dc_field(default_factory=dict)

    def field_label(self, name: str) -> str:
        return str(self.labels.get(name) or FIELD_LABELS.get(name, name))


@dataclass(frozen=True)
class SubjectKind:
    kind: str
    label: str
    resolver: Callable[[object, str], Subject]
    allowed: Callable[[object], bool]


def _full_view(user) -> bool:
    return has_perm(user, Perm.IDENTITY_VIEW_FULL)


# kind → how to resolve it; resolver(user, ref) raises NotFound for missing and forbidden alike.
_KINDS: dict[str, SubjectKind] = {}


def register_subject(
    kind: str,
    resolver: Callable[[object, str], Subject],
    *,
    label=None,
    allowed: Callable[[object], bool] | None = None,
) -> None:
    """Register a kind of subject whose data staff may reveal (from an ``AppConfig.ready``).

    ``allowed(user)`` is the coarse right to reveal this kind (default: ``identity.view_full``);
    the resolver checks the object itself (a ticket the user may handle, a case of their
    department) and raises ``NotFound`` otherwise."""
    _KINDS[kind] = SubjectKind(
        kind=kind,
        label=label if label is not None else kind,
        resolver=resolver,
        allowed=allowed or _full_view,
    )


def subject_kind_label(kind: str) -> str:
    entry = _KINDS.get(kind)
    if entry is not None:
        return str(entry.label)
    return str(dict(AccessSubject.choices).get(kind, kind))


def may_reveal(user, kind: str) -> bool:
    """Whether ``user`` may ask to see this kind of subject in full (the link is shown)."""
    entry = _KINDS.get(kind)
    return bool(
        entry is not None and getattr(user, "is_authenticated", False) and entry.allowed(user)
    )


def _person_subject(user, ref: str) -> Subject:
    return person_subject(int(ref) if ref.isdigit() and len(ref) < 12 else None)


def person_subject(person_id: int | None) -> Subject:
    """A person as the subject of an access (for a page that shows a number as part of its task
    and records it with ``personal_data_access_record``; the caller checked the right)."""
    person = Person.objects.filter(pk=person_id).first() if person_id else None
    if person is None:
        raise NotFound()
    return Subject(
        kind=AccessSubject.PERSON,
        ref=str(person.pk),
        label=f"{mask_name(person.name)}（{mask_id_number(person.id_number)}）",
        values={"id_number": person.id_number, "phone": person.phone},
        person=person,
    )


def _enterprise_subject(user, ref: str) -> Subject:
    enterprise = Enterprise.objects.filter(pk=int(ref)).first() if ref.isdigit() else None
    if enterprise is None:
        raise NotFound()
    return Subject(
        kind=AccessSubject.ENTERPRISE,
        ref=str(enterprise.pk),
        label=enterprise.name,
        values={"phone": enterprise.phone},
    )


register_subject(AccessSubject.PERSON, _person_subject, label=AccessSubject.PERSON.label)
register_subject(
    AccessSubject.ENTERPRISE, _enterprise_subject, label=AccessSubject.ENTERPRISE.label
)


def subject_resolve(*, user, kind: str, ref: str) -> Subject:
    """The subject as a staff member with the right to reveal it may see it."""
    if not may_reveal(user, kind):
        raise NotFound()
    return _KINDS[kind].resolver(user, str(ref))


def mask_value(field: str, value: str, *, kind: str = "") -> str:
    masker = MASKERS.get(kind) or MASKERS.get(field) or mask_phone
    return masker(value)


def masked_values(subject: Subject) -> dict[str, str]:
    return {f: mask_value(f, v, kind=subject.kinds.get(f, "")) for f, v in subject.values.items()}


# --- the reveal and its log -----------------------------------------------------------------


def access_digest(row: PersonalDataAccess) -> str:
    body = {
        "at": row.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": row.actor_id,
        "actor_label": row.actor_label,
        "subject_kind": row.subject_kind,
        "subject_ref": row.subject_ref,
        "person": row.person_id,
        "subject_label": row.subject_label,
        "fields": list(row.fields),
        "purpose": row.purpose,
        "reason": row.reason,
        "ip": row.ip,
        "prev": row.prev_hash,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def personal_data_reveal(
    *,
    actor,
    kind: str,
    ref: str,
    fields: Iterable[str],
    purpose: str,
    reason: str,
    ip: str | None = None,
) -> tuple[Subject, dict[str, str]]:
    """Record one unmasked view and return (subject, {field: full value})."""
    if not may_reveal(actor, kind):
        raise PermissionDenied()
    subject = subject_resolve(user=actor, kind=kind, ref=ref)
    wanted = [f for f in dict.fromkeys(fields) if f in subject.values]
    if not wanted:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT, _("请选择要查看的信息。"), field="fields"
        )
    if purpose not in AccessPurpose.values:
        raise ValidationFailed(CoreErrorCode.INVALID_INPUT, _("请选择查看事由。"), field="purpose")
    reason = " ".join((reason or "").split())
    if len(reason) < 4 or len(reason) > REASON_MAX:
        raise ValidationFailed(
            CoreErrorCode.INVALID_INPUT,
            _("请说明查看原因（4 至 %(max)s 个字），如办件编号或工单编号。"),
            field="reason",
            max=REASON_MAX,
        )
    personal_data_access_record(
        actor=actor, subject=subject, fields=wanted, purpose=purpose, reason=reason, ip=ip
    )
    return subject, {f: subject.values[f] for f in wanted}


def personal_data_access_record(
    *,
    actor,
    subject: Subject,
    fields: Iterable[str],
    purpose: str,
    reason: str,
    ip: str | None = None,
) -> PersonalDataAccess:
    """Append one row to the access log for a full value a page shows as part of its task
    (the purpose set by the page, e.g. the number of a missed call put into the intake form
    for the call-back). The caller has checked the actor's right to the subject."""
    fields = [f for f in dict.fromkeys(fields) if f in subject.values]
    if purpose not in AccessPurpose.values or not fields:
        raise ValueError("an access needs a known purpose and at least one field")
    with transaction.atomic():
        head, _created = EventChainHead.objects.select_for_update().get_or_create(
            table=CHAIN_TABLE, stream=CHAIN_STREAM, defaults={"hash": GENESIS_HASH}
        )
        row = PersonalDataAccess(
            at=timezone.now(),
            actor=actor,
            actor_label=str(actor)[:150],
            subject_kind=subject.kind[:16],
            subject_ref=subject.ref[:64],
            person=subject.person,
            subject_label=subject.label[:128],
            fields=fields,
            purpose=purpose,
            reason=" ".join(str(reason).split())[:REASON_MAX],
            ip=ip or None,
            prev_hash=head.hash,
        )
        row.hash = access_digest(row)
        row.save(force_insert=True)
        head.seq += 1
        head.hash = row.hash
        head.save(update_fields=["seq", "hash"])
    return row


def access_log_verify() -> list[str]:
    """Problems in the access log's chain: an edited row, a removed row, a removed newest row.
    A retention purge removes the oldest rows: the chain starts at the oldest row that remains."""
    problems: list[str] = []
    prev: str | None = None
    last = None
    for row in PersonalDataAccess.objects.order_by("at", "id").iterator(chunk_size=2000):
        if access_digest(row) != row.hash:
            problems.append(f"#{row.pk}: content does not match its hash")
        if prev is not None and row.prev_hash != prev:
            problems.append(f"#{row.pk}: predecessor missing or changed")
        prev, last = row.hash, row
    head = EventChainHead.objects.filter(table=CHAIN_TABLE, stream=CHAIN_STREAM).first()
    if head is not None and (last is None or head.hash != last.hash):
        problems.append("the newest access record is missing")
    return problems


# --- queries for the supervisors' page ------------------------------------------------------


def access_log(
    *,
    actor: str = "",
    person_id_number: str = "",
    subject_ref: str = "",
    purpose: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[PersonalDataAccess]:
    """The access log filtered by staff account, person (exact ID number), subject reference,
    purpose and date range (business days in the site's time zone)."""
    rows = PersonalDataAccess.objects.select_related("actor")
    if actor:
        rows = rows.filter(actor__username=actor.strip())
    if person_id_number:
        person = person_by_id_number(person_id_number)
        rows = rows.filter(person=person) if person else rows.none()
    if subject_ref:
        rows = rows.filter(subject_ref=subject_ref.strip())
    if purpose:
        rows = rows.filter(purpose=purpose)
    tz = timezone.get_current_timezone()
    if date_from:
        rows = rows.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        rows = rows.filter(at__lt=end)
    return rows.order_by("-at", "-id")
