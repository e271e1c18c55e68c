from tongban.cases.models import MaterialStatus
from tongban.cases.services import case_create, case_material_add, case_submit

from .conftest import PNG

FORM = {"address": "云溪区学府路 18 号"}  # the item's form: the phone comes from the person


def submitted_case(applicant, code, answers=None):
    """A case with its required materials uploaded (answers: the item's situations)."""
    case = case_create(
        actor=applicant,
        item_code=code,
        applicant=applicant.person,
        channel="web",
        answers=answers or {"self": "yes"},
        form_data=FORM,
    )
    case_material_add(actor=applicant, case=case, seq=1, status=MaterialStatus.LICENCE)
    case_material_add(actor=applicant, case=case, seq=2, name="照片.png", data=PNG)
    return case_submit(actor=applicant, case=case)
