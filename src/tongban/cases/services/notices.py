"""What the applicant is told, and when (in-app and by SMS through core.notifications)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tongban.core.notifications import notify

from ..models import Case


def tell_applicant(case: Case, title: str, body: str) -> None:
    notify(
        person=case.applicant,
        title=title,
        body=_("办件 %(no)s（%(item)s）：") % {"no": case.case_no, "item": case.item_version.name}
        + body,
        link=f"/my/cases/{case.case_no}/",
    )
