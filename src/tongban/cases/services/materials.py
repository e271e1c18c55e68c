"""A case's materials: uploads, paper seen at the window, e-licences, 容缺 and 告知承诺."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tongban.core.errors import ValidationFailed
from tongban.core.models import User
from tongban.core.permissions import Perm, has_perm

from .. import access
from ..errors import CaseErrorCode
from ..models import Case, CaseMaterial, MaterialStatus
from ..states import CaseAction as A
from ..states import target_of
from ..uploads import check_upload, store, undo_on_failure
from . import commitments, deferrals, licensing
from .common import transition
from .elements import material_of


def _material(case: Case, seq: int):
    material = material_of(case.item_version, seq)
    if material is None:
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED,
            _("材料：该事项没有序号为 %(s)s 的材料。"),
            field="material",
            s=seq,
        )
    return material


def case_material_add(
    *,
    actor: User,
    case: Case,
    seq: int,
    status: str = MaterialStatus.PROVIDED,
    name: str = "",
    data: bytes | None = None,
    note: str = "",
) -> CaseMaterial:
    """Add one material; an upload is checked by content and nothing is stored if refused."""
    access.require_applicant_side(actor, case)
    material = _material(case, seq)
    if status not in MaterialStatus.values:
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED, _("材料状态：不是可选值。"), field="status"
        )
    if status == MaterialStatus.PAPER and not has_perm(actor, Perm.CASE_ACCEPT):
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED, _("纸质材料只能由窗口人员收取登记。"), field="status"
        )
    if status == MaterialStatus.DEFERRED and not material.deferrable:
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED,
            _("材料“%(m)s”不允许容缺。"),
            field="status",
            m=material.name,
        )
    if status == MaterialStatus.COMMITMENT and not material.commitment_replaceable:
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED,
            _("材料“%(m)s”不能以告知承诺替代。"),
            field="status",
            m=material.name,
        )
    if status == MaterialStatus.COMMITMENT:  # [B] a barred applicant may not commit
        commitments.check_commitment_allowed(case=case, material=material)
    if status == MaterialStatus.LICENCE and not material.licence_type:
        raise ValidationFailed(
            CaseErrorCode.UPLOAD_REFUSED,
            _("材料“%(m)s”不能以电子证照代替。"),
            field="status",
            m=material.name,
        )
    target_of(A.MATERIAL_ADDED, case.status)  # refuse early; checked again under the lock
    licence = (
        licensing.licence_for_material(case=case, material=material)
        if status == MaterialStatus.LICENCE
        else None
    )
    checked = check_upload(name, data or b"") if status == MaterialStatus.PROVIDED else None
    if licence is not None:  # 免证办: the holder's valid licence from the library
        row = licensing.licence_material_row(
            actor=actor, case=case, material=material, licence=licence
        )
    else:
        row = CaseMaterial(
            case=case, material=material, status=status, note=note[:256], added_by=actor
        )
    # The file is stored before the transaction (nothing slow happens under the case's lock)
    # and deleted again if the transaction does not commit: a racing withdrawal, a lost lock,
    # or (in a caller's larger transaction) a later step.
    with undo_on_failure():
        if checked is not None:
            row.original_name = name[-128:]
            row.content_type, row.size, row.sha256 = (
                checked.content_type,
                checked.size,
                checked.sha256,
            )
            store(row.file, f"{case.case_no}-{material.seq:03d}.{checked.kind}", data)

        def insert(c: Case) -> None:
            if licence is not None:
                licensing.licence_material_insert(actor=actor, case=c, row=row, licence=licence)
            else:
                row.case = c
                row.save(force_insert=True)
            deferrals.after_material_added(actor=actor, case=c)  # [B] 容缺 supplement

        transition(
            case=case,
            actor=actor,
            action=A.MATERIAL_ADDED,
            payload={
                "seq": material.seq,
                "status": status,
                "sha256": checked.sha256 if checked else "",
                **({"licence": licence.identifier} if licence is not None else {}),
            },
            then=insert,
        )
    return row
