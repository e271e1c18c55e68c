"""catalog's API: the published service items and bundles (一件事), search, and the materials a
set of situation answers needs. Catalogue reads are public: no login, no token."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema

from tongban.core.access import rule
from tongban.core.errors import NotFound

from . import search, selectors

router = Router(tags=["catalog"])


# ---------------------------------------------------------------- schemas


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class RefOut(Schema):
    code: str
    name: str


class MaterialOut(Schema):
    seq: int
    code: str
    name: str
    required: bool
    necessity: str
    condition: str
    form: str
    copies: int
    source: str
    source_note: str
    licence_type: str
    deferrable: bool
    commitment_replaceable: bool
    notes: str
    blank_form: str | None = None
    sample: str | None = None


class ItemOut(Schema):
    basic_code: str
    implementation_code: str
    handling_item_code: str
    version: int
    name: str
    aliases: list[str]
    item_type: str
    item_type_label: str
    applicant_kind: str
    department: str
    department_name: str
    legal_limit_days: int
    promised_limit_days: int
    handling_type: str
    visits: int
    online_depth: str
    charges_fee: bool
    themes: list[RefOut]
    life_events: list[RefOut]
    materials: list[MaterialOut]


class ItemHitOut(ItemOut):
    score: float | None = Field(None, description="Search score, when the list answers `q`.")
    matched_field: str | None = Field(None, description="The field the search matched.")
    matched: str | None = Field(None, description="The alias, material or text that matched.")


class ItemListOut(Schema):
    items: list[ItemHitOut]
    count: int


class LegalBasisOut(Schema):
    law_name: str
    document_number: str
    clause_number: str
    clause_text: str


class SpecialProcedureOut(Schema):
    kind: str
    kind_label: str
    limit_days: int
    limit_unit: str
    note: str
    responsible: str


class FeeOut(Schema):
    name: str
    standard: str
    basis: str
    reducible: bool
    reduction_basis: str


class FaqOut(Schema):
    question: str
    answer: str


class OptionOut(Schema):
    code: str
    label: str
    adds_condition: str
    adds: list[int] = Field(default_factory=list, description="Material numbers it adds.")
    removes: list[int] = Field(default_factory=list, description="Material numbers it removes.")
    excludes: list[str] = Field(
        default_factory=list, description="Member items (implementation codes) not needed."
    )


class QuestionOut(Schema):
    code: str
    text: str
    help_text: str
    shown_if: str | None = Field(None, description="Asked only after `question.option`.")
    options: list[OptionOut]


class ItemDetailOut(ItemOut):
    exercise_level: str
    local_basic_code: str
    local_implementation_code: str
    summary: str
    conditions: str
    legal_limit_note: str
    promised_limit_note: str
    visits_reason: str
    channels: list[str]
    deliveries: list[str]
    process_steps: list[Any]
    form_fields: list[Any]
    outcome_name: str
    outcome_licence_type: str
    consult_phone: str
    complaint_phone: str
    location: str
    hours: str
    published_at: dt.datetime | None
    legal_bases: list[LegalBasisOut]
    special_procedures: list[SpecialProcedureOut]
    fees: list[FeeOut]
    faqs: list[FaqOut]
    questions: list[QuestionOut]


class AnswersIn(Schema):
    answers: dict[str, str] = Field(
        default_factory=dict, description="Situation answers: question code → option code."
    )


class NeedOut(MaterialOut):
    by_situation: bool


class StepOut(Schema):
    question: str
    question_text: str
    option: str
    option_label: str


class MaterialsOut(Schema):
    materials: list[NeedOut]
    conditions: list[str]
    path: list[StepOut]
    count: int
    required_count: int


class MemberOut(Schema):
    implementation_code: str
    name: str
    item_type: str
    department: str
    department_name: str


class BundleOut(Schema):
    code: str
    name: str
    summary: str
    audience: str
    themes: list[RefOut]
    life_events: list[RefOut]
    items: list[MemberOut]
    departments: int


class BundleHitOut(BundleOut):
    score: float | None = None
    matched_field: str | None = None


class BundleListOut(Schema):
    bundles: list[BundleHitOut]
    count: int


class OverviewOut(Schema):
    items: int
    materials: int
    materials_without_bundle: int
    departments: int


class BundleMemberOut(MemberOut):
    questions: list[QuestionOut]


class BundleDetailOut(BundleOut):
    items: list[BundleMemberOut]
    overview: OverviewOut
    form_fields: list[Any]
    questions: list[QuestionOut]


class BundleNeedOut(NeedOut):
    items: list[str] = Field(description="Implementation codes of the items that ask for it.")
    shared: bool


class BundleMaterialsOut(Schema):
    materials: list[BundleNeedOut]
    conditions: list[str]
    path: list[StepOut]
    items: list[MemberOut]
    count: int
    required_count: int
    undeduplicated_count: int


class ItemListQuery(Schema):
    q: str | None = Field(None, max_length=100, description="Search words, pinyin or initials.")
    department: str | None = Field(None, max_length=32, description="Department code.")
    theme: str | None = Field(None, max_length=32, description="Theme code.")
    life_event: str | None = Field(None, max_length=32, description="Life event code.")
    audience: Literal["person", "enterprise"] | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class ItemListQuery(ItemListQuery):
    item_type: str | None = Field(None, pattern=r"^\d{2}$", description="National type code.")


# ---------------------------------------------------------------- building the answers


def _refs(objects) -> list[RefOut]:
    return [RefOut(code=o.code, name=o.name) for o in objects]


def _file_url(f) -> str | None:
    return f.url if f else None


def _material(m, implementation_code: str, *, required: bool | None = None) -> dict:
    return {
        "seq": m.seq,
        "code": f"{implementation_code}{m.seq:03d}",
        "name": m.name,
        "required": m.necessity == "required" if required is None else required,
        "necessity": m.necessity,
        "condition": m.condition,
        "form": m.form,
        "copies": m.copies,
        "source": m.source,
        "source_note": m.source_note,
        "licence_type": m.licence_type,
        "deferrable": m.deferrable,
        "commitment_replaceable": m.commitment_replaceable,
        "notes": m.notes,
        "blank_form": _file_url(m.blank_form),
        "sample": _file_url(m.sample),
    }


def _item(version) -> dict:
    item = version.item
    return {
        "basic_code": item.basic_code,
        "implementation_code": item.implementation_code,
        "handling_item_code": item.handling_item_code,
        "version": version.version,
        "name": version.name,
        "aliases": version.alias_list,
        "item_type": version.item_type,
        "item_type_label": version.get_item_type_display(),
        "applicant_kind": version.applicant_kind,
        "department": item.department.code,
        "department_name": item.department.name,
        "legal_limit_days": version.legal_limit_days,
        "promised_limit_days": version.promised_limit_days,
        "handling_type": version.handling_type,
        "visits": version.visits,
        "online_depth": version.online_depth,
        "charges_fee": version.charges_fee,
        "themes": _refs(version.themes.all()),
        "life_events": _refs(version.life_events.all()),
        "materials": [_material(m, item.implementation_code) for m in version.materials.all()],
    }


def _questions(questions, seq_of: dict[int, int], code_of_item: dict[int, str]) -> list[dict]:
    questions = list(questions)
    option_path = {o.pk: f"{q.code}.{o.code}" for q in questions for o in q.options.all()}
    return [
        {
            "code": q.code,
            "text": q.text,
            "help_text": q.help_text,
            "shown_if": option_path.get(q.shown_if_id) if q.shown_if_id else None,
            "options": [
                {
                    "code": o.code,
                    "label": o.label,
                    "adds_condition": o.adds_condition,
                    "adds": sorted(seq_of[m.pk] for m in o.adds_materials.all() if m.pk in seq_of),
                    "removes": sorted(
                        seq_of[m.pk] for m in o.removes_materials.all() if m.pk in seq_of
                    ),
                    "excludes": [
                        code_of_item[bi.item_id]
                        for bi in o.excludes_items.all()
                        if bi.item_id in code_of_item
                    ],
                }
                for o in q.options.all()
            ],
        }
        for q in questions
    ]


def _version_questions(version) -> list[dict]:
    seq_of = {m.pk: m.seq for m in version.materials.all()}
    return _questions(version.questions.all(), seq_of, {})


def _item_detail(version) -> dict:
    item = version.item
    return {
        **_item(version),
        "exercise_level": item.exercise_level,
        "local_basic_code": item.local_basic_code,
        "local_implementation_code": item.local_implementation_code,
        **{
            f: getattr(version, f)
            for f in (
                "summary",
                "conditions",
                "legal_limit_note",
                "promised_limit_note",
                "visits_reason",
                "channels",
                "deliveries",
                "process_steps",
                "form_fields",
                "outcome_name",
                "outcome_licence_type",
                "consult_phone",
                "complaint_phone",
                "location",
                "hours",
                "published_at",
            )
        },
        "legal_bases": list(version.legal_bases.all()),
        "special_procedures": [
            {
                "kind": s.kind,
                "kind_label": s.get_kind_display(),
                "limit_days": s.limit_days,
                "limit_unit": s.limit_unit,
                "note": s.note,
                "responsible": s.responsible,
            }
            for s in version.special_procedures.all()
        ],
        "fees": list(version.fees.all()),
        "faqs": list(version.faqs.all()),
        "questions": _version_questions(version),
    }


def _member(version) -> dict:
    return {
        "implementation_code": version.item.implementation_code,
        "name": version.name,
        "item_type": version.item_type,
        "department": version.item.department.code,
        "department_name": version.item.department.name,
    }


def _path(result) -> list[dict]:
    return [
        {
            "question": q.code,
            "question_text": q.text,
            "option": o.code,
            "option_label": o.label,
        }
        for q, o in result.path
    ]


# ---------------------------------------------------------------- items


_ITEM_CODE = re.compile(r"[0-9A-Za-z]{1,64}")
_BUNDLE_CODE = re.compile(r"[-0-9A-Za-z_]{1,48}")


def _published_item(code: str):
    """By implementation code; anything that cannot be one is simply not found."""
    if not _ITEM_CODE.fullmatch(code):
        raise NotFound(_("没有找到该事项。"))
    return selectors.get_published_item(code)


def _published_bundle(code: str):
    if not _BUNDLE_CODE.fullmatch(code):
        raise NotFound(_("没有找到该一件事。"))
    return selectors.get_published_bundle(code)


@rule("public")
@router.get(
    "/items",
    response=ItemListOut,
    auth=None,
    summary="Published service items: search (`q`: words, pinyin, initials) and filters",
)
def item_list(request: HttpRequest, query: Query[ItemListQuery]):
    result = search.search(
        query.q or "",
        kind="item",
        audience=query.audience,
        theme=query.theme,
        department=query.department,
        life_event=query.life_event,
        item_type=query.item_type,
        limit=query.limit,
        offset=query.offset,
    )
    versions = {
        v.pk: v
        for v in selectors.published_versions()
        .filter(pk__in=[h.pk for h in result.hits])
        .prefetch_related("materials", "themes", "life_events")
    }
    items = []
    for hit in result.hits:
        version = versions.get(hit.pk)
        if version is None:  # retired by another process a moment ago
            continue
        row = _item(version)
        if query.q:
            row |= {"score": hit.score, "matched_field": hit.field, "matched": hit.matched}
        items.append(row)
    return {"items": items, "count": result.count}


@rule("public")
@router.get(
    "/items/{code}",
    response={200: ItemDetailOut, 404: ErrorOut},
    auth=None,
    summary="A published item by its implementation code (实施编码), with every element",
)
def item_detail(request: HttpRequest, code: str):
    return _item_detail(_published_item(code))


@rule("public")
@router.post(
    "/items/{code}/materials",
    response={200: MaterialsOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="The exact materials and conditions for a set of situation answers",
)
def item_materials(request: HttpRequest, code: str, body: AnswersIn):
    version = _published_item(code)
    result = selectors.materials_for(version, body.answers)  # refusals: 422 naming the question
    implementation_code = version.item.implementation_code
    return {
        "materials": [
            {
                **_material(n.material, implementation_code, required=n.required),
                "by_situation": n.by_situation,
            }
            for n in result.materials
        ],
        "conditions": result.conditions,
        "path": _path(result),
        "count": len(result.materials),
        "required_count": result.required_count,
    }


# ---------------------------------------------------------------- bundles


def _bundle(bundle, members) -> dict:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "summary": bundle.summary,
        "audience": bundle.audience,
        "themes": _refs(bundle.themes.all()),
        "life_events": _refs(bundle.life_events.all()),
        "items": [_member(v) for v in members],
        "departments": len({v.item.department_id for v in members}),
    }


@rule("public")
@router.get(
    "/bundles",
    response=BundleListOut,
    auth=None,
    summary="Published bundles (一件事): search and filters",
)
def bundle_list(request: HttpRequest, query: Query[ItemListQuery]):
    result = search.search(
        query.q or "",
        kind="bundle",
        audience=query.audience,
        theme=query.theme,
        department=query.department,
        life_event=query.life_event,
        limit=query.limit,
        offset=query.offset,
    )
    cards = search.bundle_cards([h.pk for h in result.hits])
    bundles = []
    for hit in result.hits:
        card = cards.get(hit.pk)
        if card is None:
            continue
        row = _bundle(card.bundle, card.members)
        if query.q:
            row |= {"score": hit.score, "matched_field": hit.field}
        bundles.append(row)
    return {"bundles": bundles, "count": result.count}


@rule("public")
@router.get(
    "/bundles/{code}",
    response={200: BundleDetailOut, 404: ErrorOut},
    auth=None,
    summary="A published bundle with its items, questions and N items / M materials overview",
)
def bundle_detail(request: HttpRequest, code: str):
    bundle = _published_bundle(code)
    pairs = selectors.bundle_versions(bundle)
    versions = [v for _bi, v in pairs]
    code_of_item = {bi.item_id: bi.item.implementation_code for bi in bundle.bundle_items.all()}
    overview = selectors.bundle_overview(bundle)
    return {
        **_bundle(bundle, versions),
        "items": [{**_member(v), "questions": _version_questions(v)} for v in versions],
        "overview": dataclasses.asdict(overview),
        "form_fields": bundle.form_fields,
        "questions": _questions(bundle.questions.all(), {}, code_of_item),
    }


@rule("public")
@router.post(
    "/bundles/{code}/materials",
    response={200: BundleMaterialsOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="The bundle's de-duplicated materials for a set of situation answers",
)
def bundle_materials(request: HttpRequest, code: str, body: AnswersIn):
    bundle = _published_bundle(code)
    result = selectors.bundle_materials_for(bundle, body.answers)
    materials = []
    for need in result.materials:
        first = need.items[0].item.implementation_code
        materials.append(
            {
                **_material(need.material, first, required=need.required),
                "by_situation": need.by_situation,
                "items": [v.item.implementation_code for v in need.items],
                "shared": len(need.items) > 1,
            }
        )
    return {
        "materials": materials,
        "conditions": result.conditions,
        "path": _path(result),
        "items": [_member(v) for v in result.items],
        "count": len(materials),
        "required_count": result.required_count,
        "undeduplicated_count": result.undeduplicated_count,
    }
