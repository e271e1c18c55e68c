"""E-licences on the case pages: the licence a case yielded (制证) and the materials attached from
the licence library (免证办), with their state today.

``{% case_licence_panel case "staff" %}`` / ``{% case_licence_panel case "applicant" %}`` and
``{% material_licence row %}`` render partials; a case without a licence costs one query, a
material row without one none.
"""

from __future__ import annotations

from django import template
from django.urls import reverse

from tongban.licences import qr, wallet
from tongban.licences.selectors import licence_state

from ..services.licensing import STATE_LABELS

register = template.Library()


def _state(licence) -> dict:
    code = licence_state(licence) if licence is not None else "unknown"
    return {"code": code, "label": STATE_LABELS.get(code, "—")}


@register.inclusion_tag("cases/_licence_panel.html", takes_context=True)
def case_licence_panel(context, case, viewer: str = "applicant") -> dict:
    if not case.item_version.outcome_licence_type:
        return {"licence": None}
    licence = wallet.licence_of_case(case.case_no)
    if licence is None:
        return {"licence": None}
    user = context["request"].user
    pdf_url = console_url = ""
    if viewer == "staff":
        if wallet.department_licences(user).filter(pk=licence.pk).exists():
            pdf_url = reverse("licences-console:pdf", args=[licence.pk])
            console_url = reverse("licences-console:licence", args=[licence.pk])
    else:
        pdf_url = reverse("licences:wallet-pdf", args=[licence.pk])
    return {
        "licence": licence,
        "state": _state(licence),
        "verify_url": qr.verification_path(licence),
        "pdf_url": pdf_url,
        "viewer": viewer,
        "console_url": console_url,
    }


@register.inclusion_tag("cases/_material_licence.html")
def material_licence(row) -> dict:
    identifier = getattr(row, "licence_identifier", "")
    if not identifier:
        return {"identifier": ""}
    licence = wallet.licences_by_identifier([identifier]).get(identifier)
    return {
        "identifier": identifier,
        "licence": licence,
        "state": _state(licence),
    }
