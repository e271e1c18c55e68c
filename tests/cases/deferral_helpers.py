"""An item whose photo may be deferred (容缺) and whose 无犯罪记录证明 a commitment may replace
(告知承诺), and a case of it at each point the tests need."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.catalog.specs import spec
from tongban.cases.models import MaterialStatus
from tongban.cases.services import case_accept, case_create, case_material_add, case_submit
from tongban.catalog.services import item_save_spec


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, format="PNG")
    return out.getvalue()


PNG = _png()
MATERIALS = [
    {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
    {"seq": 2, "name": "近期免冠照片", "deferrable": True},
    {"seq": 3, "name": "无犯罪记录证明", "commitment_replaceable": True},
    {"seq": 4, "name": "户口簿"},
]
FORM = {"address": "云溪区学府路 18 号"}


def deferral_spec(**changes):
    return spec("mzj", materials=MATERIALS, questions=[], **changes)


@pytest.fixture
def flex_code(mzj):
    return item_save_spec(spec=deferral_spec(), publish=True).item.implementation_code


def filed(
    applicant, code, *, photo=MaterialStatus.PROVIDED, record=MaterialStatus.PROVIDED, form=None
):
    """A submitted case: the photo and the record each uploaded, deferred or committed."""
    case = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers={},
        form_data=form or FORM,
    )
    case_material_add(actor=applicant, case=case, seq=1, status=MaterialStatus.LICENCE)
    for seq, way in ((2, photo), (3, record)):
        if way == MaterialStatus.PROVIDED:
            case_material_add(actor=applicant, case=case, seq=seq, name=f"{seq}.png", data=PNG)
        else:
            case_material_add(actor=applicant, case=case, seq=seq, status=way)
    case_material_add(actor=applicant, case=case, seq=4, name="4.png", data=PNG)
    return case_submit(actor=applicant, case=case)


def accepted(applicant, clerk, code, **ways):
    return case_accept(actor=clerk, case=filed(applicant, code, **ways))
