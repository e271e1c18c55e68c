"""People and enterprises: registration, validation, duplicates, authorisations, accounts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from stdnum.cn import ric

from tongban.core.errors import CoreErrorCode, NotFound, ValidationFailed
from tongban.core.models import Enterprise, EnterpriseAuthorisation, Person, User
from tongban.core.models.people import AuthorisationRole, Gender
from tongban.core.selectors import get_person_for_user
from tongban.core.services import (
    applicant_account_create,
    enterprise_authorise,
    enterprise_register,
    person_register,
)

from ..factories import EnterpriseFactory, PersonFactory, UserFactory, make_credit_code

pytestmark = pytest.mark.django_db


PASSWORD = "correct-horse-battery"


def id_number(birth: str = "19880715", order: str = "003", place: str = "330106") -> str:
    """A valid ID number (``ric.calc_check_digit`` wants the check position present: "0")."""
    body = place + birth + order
    return body + ric.calc_check_digit(body + "0")


def counts() -> dict[str, int]:
    return {
        "people": Person.objects.count(),
        "enterprises": Enterprise.objects.count(),
        "authorisations": EnterpriseAuthorisation.objects.count(),
        "users": User.objects.count(),
    }


def test_register_derives_birth_date_and_gender():
    person = person_register(
        name=" 张晓明 ", id_number=id_number(), phone="139 0571 0001", address="学府路 18 号"
    )
    person.refresh_from_db()
    assert person.name == "张晓明"
    assert person.id_number == "330106198807150031"
    assert person.birth_date == dt.date(1988, 7, 15)
    assert person.gender == Gender.MALE
    assert person.phone == "13905710001"
    assert person.user is None


def test_register_woman_and_lowercase_check_character():
    number = id_number(birth="19920304", order="004")
    woman = person_register(name="李春梅", id_number=number)
    assert woman.gender == Gender.FEMALE
    assert woman.birth_date == dt.date(1992, 3, 4)

    with_x = next(n for n in (id_number(order=f"{i:03d}") for i in range(200)) if n.endswith("X"))
    person = person_register(name="王五", id_number=" " + with_x.lower() + " ")
    assert person.id_number == with_x


BAD_NUMBERS = [
    ("", "不能为空。"),
    ("33010619880715003", "应为 18 位，当前为 17 位。"),
    ("3301061988071500311", "应为 18 位，当前为 19 位。"),
    ("33010619880715A031", "前 17 位应为数字，最后一位为数字或 X。"),
    ("33010619880715003Y", "前 17 位应为数字，最后一位为数字或 X。"),
    (id_number(birth="19900230"), "出生日期不存在。"),
    (id_number(birth="19881315"), "出生日期不存在。"),
    (id_number(birth="20990101"), "出生日期晚于今天。"),
    (id_number()[:17] + "2", "校验位不正确，请核对号码。"),
    (id_number(place="990000"), "前 6 位不是有效的行政区划代码。"),
]


@pytest.mark.parametrize(("number", "problem"), BAD_NUMBERS)
def test_register_refuses_invalid_numbers_and_changes_nothing(number, problem):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        person_register(name="张三", id_number=number)
    assert exc.value.code == CoreErrorCode.INVALID_ID_NUMBER
    assert exc.value.field == "id_number"
    assert exc.value.message == "身份证号码：" + problem
    assert counts() == before


def test_register_refuses_a_birthplace_stdnum_knows_without_a_county():
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        person_register(name="张三", id_number=id_number(place="330199"))
    assert exc.value.code == CoreErrorCode.INVALID_ID_NUMBER
    assert exc.value.message == "身份证号码：前 6 位不是有效的行政区划代码。"
    assert counts() == before


def test_register_refuses_a_duplicate_with_a_clear_message_and_changes_nothing():
    first = person_register(name="张晓明", id_number=id_number(), phone="13905710001")
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        person_register(name="另一人", id_number=" " + id_number() + " ", phone="13905710009")
    assert exc.value.code == CoreErrorCode.DUPLICATE
    assert exc.value.field == "id_number"
    assert exc.value.message == "身份证号码：该证件号码已登记。"
    assert counts() == before
    first.refresh_from_db()
    assert (first.name, first.phone) == ("张晓明", "13905710001")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"name": "  "}, "name", "姓名：不能为空。"),
        (
            {"phone": "12345678"},
            "phone",
            "电话号码：格式不正确：手机号为 11 位数字，固定电话需带区号（如 0571-87654321）。",
        ),
    ],
)
def test_register_refuses_other_bad_fields_and_changes_nothing(kwargs, field, message):
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        person_register(**{"name": "张三", "id_number": id_number(), **kwargs})
    assert (exc.value.field, exc.value.message) == (field, message)
    assert counts() == before


def test_enterprise_by_credit_code_gives_the_legal_representative_an_authorisation():
    boss = PersonFactory(name="张晓明")
    code = make_credit_code(7)
    with time_machine.travel(dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC), tick=False):
        enterprise = enterprise_register(
            name="云溪示范科技有限公司", credit_code=code.lower(), legal_representative=boss
        )
    assert enterprise.credit_code == code
    assert enterprise.legal_representative == boss
    auth = EnterpriseAuthorisation.objects.get()
    assert (auth.person, auth.enterprise) == (boss, enterprise)
    assert auth.role == AuthorisationRole.LEGAL_REPRESENTATIVE
    # 17:30 UTC is already 2 March in Asia/Shanghai: the authorisation starts on the business date.
    assert auth.valid_from == dt.date(2026, 3, 2)
    assert (auth.valid_until, auth.revoked_at) == (None, None)


def test_enterprise_without_representative_has_no_authorisation():
    enterprise_register(name="无代表人合作社", credit_code=make_credit_code(8))
    assert EnterpriseAuthorisation.objects.count() == 0


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "统一社会信用代码：不能为空。"),
        ("91330199MA2CXY8K1", "统一社会信用代码：应为 18 位，当前为 17 位。"),
        (make_credit_code(7)[:17] + "0", "统一社会信用代码：校验位不正确，请核对代码。"),
    ],
)
def test_enterprise_refuses_bad_credit_codes_and_changes_nothing(code, message):
    boss = PersonFactory()
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        enterprise_register(name="某公司", credit_code=code, legal_representative=boss)
    assert exc.value.code == CoreErrorCode.INVALID_CREDIT_CODE
    assert (exc.value.field, exc.value.message) == ("credit_code", message)
    assert counts() == before


def test_enterprise_duplicate_is_refused_and_leaves_no_authorisation_behind():
    enterprise_register(name="甲公司", credit_code=make_credit_code(9))
    other = PersonFactory()
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        enterprise_register(
            name="乙公司", credit_code=make_credit_code(9), legal_representative=other
        )
    assert exc.value.code == CoreErrorCode.DUPLICATE
    assert exc.value.message == "统一社会信用代码：该代码已登记。"
    assert counts() == before
    assert Enterprise.objects.get().name == "甲公司"


def test_authorise_a_manager_and_renew_a_revoked_authorisation():
    person, enterprise = PersonFactory(), EnterpriseFactory()
    auth = enterprise_authorise(
        person=person,
        enterprise=enterprise,
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    assert auth.role == AuthorisationRole.MANAGER
    EnterpriseAuthorisation.objects.filter(pk=auth.pk).update(revoked_at=dt.datetime.now(dt.UTC))
    again = enterprise_authorise(
        person=person, enterprise=enterprise, valid_from=dt.date(2026, 2, 1)
    )
    assert again.pk == auth.pk
    again.refresh_from_db()
    assert (again.valid_from, again.valid_until, again.revoked_at) == (
        dt.date(2026, 2, 1),
        None,
        None,
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"valid_until": dt.date(2025, 12, 31)}, "valid_until", "失效日期：不能早于生效日期。"),
        ({"role": "owner"}, "role", "身份：不是可选的授权身份。"),
    ],
)
def test_authorise_refuses_bad_input_and_changes_nothing(kwargs, field, message):
    person, enterprise = PersonFactory(), EnterpriseFactory()
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        enterprise_authorise(
            person=person, enterprise=enterprise, valid_from=dt.date(2026, 1, 1), **kwargs
        )
    assert (exc.value.field, exc.value.message) == (field, message)
    assert counts() == before


def test_applicant_account_links_a_user_to_the_person():
    person = person_register(name="张晓明", id_number=id_number())
    user = applicant_account_create(username=" zhangxm ", password=PASSWORD, person=person)
    person.refresh_from_db()
    assert person.user == user
    assert user.person == person
    assert (user.username, user.display_name) == ("zhangxm", "张晓明")
    assert user.check_password(PASSWORD)
    assert PASSWORD not in user.password
    assert (user.is_staff, user.is_superuser, user.groups.count()) == (False, False, 0)


def _refused(call, field: str, message: str) -> None:
    before = counts()
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert (exc.value.field, exc.value.message) == (field, message)
    assert counts() == before


def test_applicant_account_refusals_change_nothing():
    person = person_register(name="张晓明", id_number=id_number())
    UserFactory(username="taken")

    _refused(
        lambda: applicant_account_create(username="  ", password=PASSWORD, person=person),
        "username",
        "用户名：不能为空。",
    )
    _refused(
        lambda: applicant_account_create(username="taken", password=PASSWORD, person=person),
        "username",
        "用户名：taken 已被使用。",
    )
    person.refresh_from_db()
    assert person.user is None
    with pytest.raises(ValidationFailed) as exc:
        applicant_account_create(username="zhangxm", password="12345", person=person)
    assert exc.value.field == "password"
    assert exc.value.message.startswith("密码：")
    assert not User.objects.filter(username="zhangxm").exists()

    applicant_account_create(username="zhangxm", password=PASSWORD, person=person)
    _refused(
        lambda: applicant_account_create(username="zhangxm2", password=PASSWORD, person=person),
        "person",
        "申请人账号：此人已有账号。",
    )


def test_person_lookup_is_not_found_for_missing_and_forbidden_alike(
    applicant_a, applicant_b, clerk, supervisor
):
    own = applicant_a.person
    orphan = PersonFactory()  # registered at a counter, no online account
    assert get_person_for_user(user=applicant_a, pk=own.pk) == own
    assert get_person_for_user(user=clerk, pk=orphan.pk) == orphan
    missing = Person.objects.order_by("-pk").first().pk + 100
    refusals = [
        (applicant_b, own.pk),
        (applicant_a, orphan.pk),
        (supervisor, own.pk),
        (AnonymousUser(), own.pk),
        (AnonymousUser(), orphan.pk),
        (applicant_a, missing),
        (clerk, missing),
    ]
    messages = set()
    for user, pk in refusals:
        with pytest.raises(NotFound) as exc:
            get_person_for_user(user=user, pk=pk)
        messages.add((exc.value.code, exc.value.message))
    assert messages == {(CoreErrorCode.NOT_FOUND, "未找到该记录。")}
