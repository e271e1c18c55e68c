"""The e-licence holder's ID number that issuing staff may reveal in full (logged).

Kind ``licence`` (ref: the licence's primary key): ``holder_id_no`` (an ID number, or the unified
social credit code of an enterprise holder), for staff of the issuing department with
``identity.view_full``. The console shows it masked; the licence PDF that staff download for
printing or delivery carries it in full, so each download is recorded too (purpose 送达).
Registered with core from ``LicencesConfig.ready``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import NotFound
from tongban.core.masking import mask_id_number
from tongban.core.models import AccessPurpose
from tongban.core.personal_data import Subject, personal_data_access_record, register_subject

from . import wallet

KIND = "licence"
PDF_REASON = _("下载证照 PDF（打印、送达）")


def _subject(licence) -> Subject:
    return Subject(
        kind=KIND,
        ref=str(licence.pk),
        label=f"{licence.number} {licence.holder_name}（{mask_id_number(licence.holder_id_no)}）",
        values={"holder_id_no": licence.holder_id_no},
        person=licence.person if licence.person_id else None,
    )


def _licence_subject(user, ref: str) -> Subject:
    if not ref.isdigit() or len(ref) > 12:
        raise NotFound()
    return _subject(wallet.get_licence_for_issuer(user=user, pk=int(ref)))


def licence_pdf_access(*, actor, licence, ip: str | None = None) -> None:
    """Record that a staff member downloaded the licence's PDF (the full holder ID number)."""
    if not licence.holder_id_no:
        return
    personal_data_access_record(
        actor=actor,
        subject=_subject(licence),
        fields=["holder_id_no"],
        purpose=AccessPurpose.DELIVERY,
        reason=f"{PDF_REASON} {licence.number}",
        ip=ip,
    )


def register() -> None:
    register_subject(KIND, _licence_subject, label=_("电子证照"))
