import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongban.grid.geometry import contains, ring_of

SQUARE = [[0, 0], [10, 0], [10, 10], [0, 10]]
# A "U" (concave): the notch 4..6 × 5..10 is outside.
U_SHAPE = [[0, 0], [10, 0], [10, 10], [6, 10], [6, 5], [4, 5], [4, 10], [0, 10]]


@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [
        (5, 5, True),
        (0, 5, True),  # on an edge
        (10, 10, True),  # a corner
        (10.01, 5, False),
        (-1, -1, False),
        (5, 11, False),
    ],
)
def test_square(x, y, inside):
    assert contains(SQUARE, x, y) is inside


@pytest.mark.parametrize(
    ("x", "y", "inside"), [(5, 7, False), (2, 7, True), (8, 7, True), (5, 3, True)]
)
def test_concave(x, y, inside):
    assert contains(U_SHAPE, x, y) is inside


@given(st.floats(0.001, 9.999), st.floats(0.001, 9.999))
def test_every_point_strictly_inside_the_square_is_inside(x, y):
    assert contains(SQUARE, x, y)


def test_ring_of_drops_the_closing_point_and_refuses_bad_rings():
    assert ring_of([[0, 0], [1, 0], [1, 1], [0, 0]]) == [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0)]
    for bad in ([[0, 0], [1, 1]], [[0, 0], [1, 0], [200, 1]], "abc", [[0, 0, 0]], [[0, 0]] * 4):
        with pytest.raises(ValueError):
            ring_of(bad)
