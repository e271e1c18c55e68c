"""Form errors on the hotline pages: a service's refusal lands on the field it names, and every
error appears once in the error summary at the top (GOV.UK pattern), naming its field."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _

from tongban.core.errors import DomainError

DOMAIN = "domain"  # the code of a form error that came from a service (it names its field)


def add_domain_error(form, exc: DomainError) -> None:
    """Put a service's refusal on the field it names (or on the form)."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, forms.ValidationError(exc.message, code=DOMAIN))


def error_list(*forms_) -> list[tuple[str, str]]:
    """(anchor, message) for an error summary; the message names its field."""
    out = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        first = next(iter(form.visible_fields()), None)
        for error in form.non_field_errors():
            out.append((first.auto_id if first else "", str(error)))
        for bound in form:
            for error in bound.errors.as_data():
                text = " ".join(str(m) for m in error.messages)
                label = str(bound.label or "")
                if label and error.code != DOMAIN and not text.startswith(label):
                    text = _("%(label)s：%(error)s") % {"label": label, "error": text}
                grouped = isinstance(
                    bound.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
                )
                out.append((f"{bound.auto_id}_0" if grouped else bound.auto_id, text))
    return out
