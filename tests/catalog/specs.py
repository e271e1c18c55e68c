"""Item specs for catalogue tests (plain data, as the demo loader and the import give them)."""

from __future__ import annotations

import copy

from tests.factories import DepartmentFactory, make_credit_code


def department(code: str, n: int):
    return DepartmentFactory(
        code=code, name=f"测试{code}", credit_code=make_credit_code(n, kind="11")
    )


BASE_SPEC = {
    "basic_code": "000107001000",
    "exercise_level": "4",
    "name": "老年人优待证办理",
    "aliases": "老年证、敬老卡",
    "item_type": "07",
    "legal_limit_days": 20,
    "promised_limit_days": 5,
    "outcome_name": "老年人优待证",
    "legal_bases": [{"law_name": "中华人民共和国老年人权益保障法", "clause_number": "第五十七条"}],
    "materials": [
        {"seq": 1, "name": "居民身份证", "source": "licence", "licence_type": "SFZ"},
        {"seq": 2, "name": "近期免冠照片"},
        {"seq": 3, "name": "授权委托书", "necessity": "conditional"},
        {"seq": 4, "name": "受托人身份证", "necessity": "conditional"},
        {"seq": 5, "name": "户口簿", "necessity": "optional"},
    ],
    "questions": [
        {
            "code": "self",
            "text": "是否本人办理？",
            "options": [
                {"code": "yes", "label": "是"},
                {"code": "no", "label": "否，委托他人办理", "adds": [3, 4]},
            ],
        },
        {
            "code": "photo",
            "text": "是否已有电子照片？",
            "shown_if": "self.no",
            "options": [
                {"code": "yes", "label": "有", "removes": [2]},
                {"code": "no", "label": "没有"},
            ],
        },
    ],
}


def spec(department_code: str, **changes) -> dict:
    out = copy.deepcopy(BASE_SPEC)
    out["department"] = department_code
    out.update(changes)
    return out
