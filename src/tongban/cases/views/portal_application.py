"""What an application (a draft, or a case being corrected or owing deferred materials) holds
and still needs: the form's fields and answers, and each material with what the applicant may do
with it now."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tongban.catalog import selectors as catalog_selectors
from tongban.catalog.selectors import MaterialNeed

from .. import application_form, selectors
from ..application_form import FormField
from ..models import Case, CaseMaterial, MaterialStatus
from ..states import CaseStatus as S
from ..uploads import ALLOWED
from . import portal_progress

ONE_PER_PAGE_MAX = 3  # ask at most this many fields one per page; more share one page


def limit_mb() -> int:
    return getattr(settings, "TONGBAN_UPLOAD_MAX_MB", 20)


def formats() -> str:
    return "、".join(kind.upper() for kind in ALLOWED)


@dataclass
class MaterialRow:
    need: MaterialNeed
    rows: list[CaseMaterial]
    can_upload: bool = False
    can_choose: bool = False
    error: str = ""
    way_error: str = ""

    @property
    def material(self):
        return self.need.material

    @property
    def done(self) -> bool:
        return bool(self.rows)

    @property
    def way(self) -> str:
        """How the material is given when it is not an upload (e-licence, 容缺, 告知承诺)."""
        return next((r.status for r in self.rows if r.status != MaterialStatus.PROVIDED), "")

    @property
    def optional_label(self):
        """Why a material that is not required is listed: optional, or by its condition."""
        if self.material.necessity == "optional":
            return _("非必要")
        return _("视情形提交")

    @property
    def way_label(self) -> str:
        return str(MaterialStatus(self.way).label) if self.way else ""

    @property
    def uploads(self) -> list[CaseMaterial]:
        return [r for r in self.rows if r.status == MaterialStatus.PROVIDED]

    @property
    def anchor(self) -> str:
        return f"material-{self.material.seq}"


@dataclass
class Application:
    case: Case
    fields: list[FormField]
    known: dict[str, str]
    asked: list[FormField]
    materials: list[MaterialRow]
    path: list = field(default_factory=list)

    @property
    def values(self) -> dict[str, str]:
        return self.case.form_data or {}

    @property
    def missing_fields(self) -> list[FormField]:
        return application_form.missing_fields(self.asked, self.values, self.known)

    @property
    def missing_materials(self) -> list[MaterialRow]:
        return [m for m in self.materials if m.need.required and not m.done]

    @property
    def one_per_page(self) -> bool:
        return len(self.asked) <= ONE_PER_PAGE_MAX

    def answers(self) -> list[tuple[FormField, str]]:
        return [
            (f, application_form.shown_value(f, self.values.get(f.code, ""))) for f in self.asked
        ]


def application(case: Case) -> Application:
    version = case.item_version
    fields = application_form.fields_of(version)
    known = application_form.known_values(fields, person=case.applicant, enterprise=case.enterprise)
    result = catalog_selectors.materials_for(version, case.answers)
    rows: dict[int, list[CaseMaterial]] = {}
    for row in selectors.case_materials(case):
        rows.setdefault(row.material_id, []).append(row)
    owed = portal_progress.outstanding_deferred(case, [r for rs in rows.values() for r in rs])
    materials = []
    for need in result.materials:
        mine = rows.get(need.material.pk, [])
        if case.status == S.DRAFT:
            can_upload = not any(r.status != MaterialStatus.PROVIDED for r in mine)
            can_choose = not mine
        elif case.status == S.CORRECTION_REQUESTED:
            can_upload, can_choose = True, False
        else:
            can_upload = case.status in portal_progress.DEFERRED_OPEN and need.material.pk in owed
            can_choose = False
        materials.append(MaterialRow(need, mine, can_upload, can_choose))
    return Application(
        case=case,
        fields=fields,
        known=known,
        asked=[f for f in fields if f.code not in known],
        materials=materials,
        path=result.path,
    )


def base_context(app: Application) -> dict:
    case = app.case
    return {
        "case": case,
        "app": app,
        "version": case.item_version,
        "formats": formats(),
        "limit_mb": limit_mb(),
    }
