"""Use of a licence by someone other than its holder: the holder's authorisations (a department
reading it for 免证办, a third party holding a share link) and the access log the holder sees.

Every use is logged (``LicenceAccess``); every authorisation given or withdrawn is an event of
the licence's hash-chained history. A share link's token is shown once and only its SHA-256 is
stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongban.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from tongban.core.events import event_append

from .. import wallet
from ..errors import LicenceErrorCode as E
from ..models import (
    AccessChannel,
    Authorisation,
    GranteeKind,
    Licence,
    LicenceAccess,
    LicenceEvent,
)
from ..selectors import licence_state

SHARE_SCOPE = ["face"]  # a share link shows the licence's face data (照面信息), never files


class LinkRefused(DomainError):
    status_code = 410


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def max_share_days() -> int:
    return getattr(settings, "TONGBAN_LICENCE_SHARE_MAX_DAYS", 30)


def consent_days() -> int:
    return getattr(settings, "TONGBAN_LICENCE_CONSENT_DAYS", 365)


STATE_REASONS = {
    "expired": _("该证照已过有效期。"),
    "revoked": _("该证照已注销。"),
    "superseded": _("该证照已换发，旧版本不再有效。"),
}


def _require_valid(licence: Licence) -> None:
    state = licence_state(licence)
    if state != "valid":
        raise DomainError(E.NOT_VALID, STATE_REASONS[state])


def _event(licence: Licence, *, action: str, actor=None, actor_label: str = "", **payload):
    event_append(
        model=LicenceEvent,
        stream=wallet.licence_stream(licence),
        action=action,
        actor=actor,
        actor_label=actor_label,
        payload=payload,
        licence=licence,
    )


def licence_access_record(
    *,
    licence: Licence,
    channel: str,
    authorisation: Authorisation | None = None,
    accessor=None,
    accessor_label: str = "",
    purpose: str = "",
    case_no: str = "",
) -> LicenceAccess:
    """Log one use of the licence by someone other than its holder."""
    return LicenceAccess.objects.create(
        licence=licence,
        authorisation=authorisation,
        channel=channel,
        accessor=accessor if getattr(accessor, "pk", None) else None,
        accessor_label=(accessor_label or (str(accessor) if accessor else ""))[:128],
        purpose=purpose[:256],
        case_no=case_no[:32],
    )


# ---------------------------------------------------------------- share links


def share_link_create(
    *, licence: Licence, actor, grantee_name: str, purpose: str, expires_at: dt.datetime
) -> tuple[Authorisation, str]:
    """A link a third party opens to see the licence's face data until ``expires_at``.

    Returns the authorisation and the token (shown to the holder once, never stored)."""
    wallet.get_licence_for_holder(user=actor, pk=licence.pk)  # the holder only (404 else)
    grantee_name, purpose = (grantee_name or "").strip(), (purpose or "").strip()
    if not grantee_name:
        raise ValidationFailed(
            E.SHARE_INVALID, _("请填写分享给谁（单位或个人名称）。"), field="grantee"
        )
    if not purpose:
        raise ValidationFailed(E.SHARE_INVALID, _("请填写用途。"), field="purpose")
    now = timezone.now()
    if expires_at <= now:
        raise ValidationFailed(E.SHARE_INVALID, _("有效期须晚于现在。"), field="expires_at")
    if expires_at > now + dt.timedelta(days=max_share_days()):
        raise ValidationFailed(
            E.SHARE_INVALID,
            _("分享链接最长有效 %(days)s 天。"),
            field="expires_at",
            days=max_share_days(),
        )
    _require_valid(licence)
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        row = Authorisation.objects.create(
            licence=licence,
            grantee_kind=GranteeKind.SHARE_LINK,
            grantee_name=grantee_name[:128],
            purpose=purpose[:256],
            scope=list(SHARE_SCOPE),
            token_hash=_hash(token),
            expires_at=expires_at,
            created_by=actor,
        )
        _event(
            licence,
            action="shared",
            actor=actor,
            authorisation=row.pk,
            grantee=row.grantee_name,
            purpose=row.purpose,
            expires_at=expires_at.isoformat(),
        )
    return row, token


def share_link_open(*, token: str, accessor=None) -> tuple[Licence, Authorisation]:
    """A third party opens a share link: the licence, once the link is checked; the use is
    logged. Refuses an unknown, withdrawn or expired link and a licence no longer valid."""
    token = (token or "").strip()
    row = None
    if token and len(token) <= 64:
        row = (
            Authorisation.objects.select_related("licence__licence_type", "licence__issuer")
            .filter(grantee_kind=GranteeKind.SHARE_LINK, token_hash=_hash(token))
            .first()
        )
    if row is None:
        raise NotFound(_("分享链接无效：没有找到该链接，请向持证人确认链接是否完整。"))
    if row.revoked_at is not None:
        raise LinkRefused(E.LINK_REVOKED, _("分享链接已被持证人撤回。"))
    if row.expires_at <= timezone.now():
        raise LinkRefused(
            E.LINK_EXPIRED,
            _("分享链接已于 %(when)s 过期。"),
            when=timezone.localtime(row.expires_at).strftime("%Y-%m-%d %H:%M"),
        )
    _require_valid(row.licence)
    licence_access_record(
        licence=row.licence,
        channel=AccessChannel.SHARE_LINK,
        authorisation=row,
        accessor=accessor,
        accessor_label=row.grantee_name,
        purpose=row.purpose,
    )
    return row.licence, row


def authorisation_revoke(*, authorisation: Authorisation, actor) -> Authorisation:
    """The holder withdraws an authorisation (a share link or a department's 免证办 use)."""
    wallet.get_authorisation_for_holder(user=actor, pk=authorisation.pk)  # holder only
    with transaction.atomic():
        row = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
        if row.revoked_at is not None:
            raise DomainError(E.ALREADY_WITHDRAWN, _("该授权已经撤回。"))
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        _event(row.licence, action="authorisation_revoked", actor=actor, authorisation=row.pk)
    return row


# ---------------------------------------------------------------- 免证办


def material_consent(
    *, licence: Licence, department, case_no: str, purpose: str, actor
) -> Authorisation:
    """The holder's consent for ``department`` to read the licence as a material of a case,
    and the log of that read (in the caller's transaction). Only a valid licence."""
    _require_valid(licence)
    if department is None:
        raise PermissionDenied()
    row = Authorisation.objects.create(
        licence=licence,
        grantee_kind=GranteeKind.DEPARTMENT,
        grantee_department=department,
        grantee_name=department.name[:128],
        purpose=purpose[:256],
        scope=["face", "material"],
        case_no=case_no,
        expires_at=timezone.now() + dt.timedelta(days=consent_days()),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _event(
        licence,
        action="authorised",
        actor=actor,
        authorisation=row.pk,
        grantee=row.grantee_name,
        case_no=case_no,
    )
    licence_access_record(
        licence=licence,
        channel=AccessChannel.MATERIAL,
        authorisation=row,
        accessor=actor,
        accessor_label=department.name,
        purpose=purpose,
        case_no=case_no,
    )
    return row


def material_consent_withdraw(*, licence_identifier: str, case_no: str, actor) -> int:
    """The material was taken off the draft: its authorisation ends (in the caller's
    transaction). Returns how many were withdrawn."""
    return Authorisation.objects.filter(
        licence__identifier=licence_identifier,
        grantee_kind=GranteeKind.DEPARTMENT,
        case_no=case_no,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())
