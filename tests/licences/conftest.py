"""Fixtures shared by the e-licence tests: the holder 王秀英 (a signed-in citizen with a Person)
the licence type most tests issue (老年人优待证) and that licence issued to the holder. A test
module may override any of them."""

import pytest

from tests.factories import PersonFactory, UserFactory
from tests.licences.factories import LicenceTypeFactory, issue


@pytest.fixture
def holder(db):
    user = UserFactory(username="holder")
    PersonFactory(name="王秀英", user=user)
    return user


@pytest.fixture
def licence_type(db):
    return LicenceTypeFactory(name="老年人优待证")


@pytest.fixture
def licence(licence_type, holder):
    return issue(licence_type, holder=holder.person)
