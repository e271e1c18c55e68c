"""Point-in-polygon for grid boundaries (rings of [lon, lat] pairs, GeoJSON order), in plain
Python: a district's grids are small polygons, no GIS library is needed."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

Point = tuple[float, float]


def ring_of(value) -> list[Point]:
    """The ring as floats, or ``ValueError`` naming what is wrong (at least 3 distinct points,
    longitudes within ±180 and latitudes within ±90; a closing point equal to the first is
    dropped)."""
    if not isinstance(value, Sequence) or isinstance(value, str | bytes):
        raise ValueError("not a list")
    ring: list[Point] = []
    for pair in value:
        if not isinstance(pair, Sequence) or isinstance(pair, str | bytes) or len(pair) != 2:
            raise ValueError("each point is [lon, lat]")
        lon, lat = (float(pair[0]), float(pair[1]))
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("coordinates out of range")
        ring.append((lon, lat))
    if len(ring) > 1 and ring[0] == ring[-1]:
        ring.pop()
    if len(set(ring)) < 3:
        raise ValueError("at least 3 points")
    return ring


def contains(ring: Sequence[Sequence[float]], lon: float | Decimal, lat: float | Decimal) -> bool:
    """Whether (lon, lat) lies inside the ring or on its edge (even-odd rule, ray casting)."""
    x, y = float(lon), float(lat)
    points = [(float(p[0]), float(p[1])) for p in ring]
    n = len(points)
    if n < 3:
        return False
    inside = False
    j = n - 1
    for i in range(n):
        xi, yi = points[i]
        xj, yj = points[j]
        if _on_segment(x, y, xi, yi, xj, yj):
            return True
        if (yi > y) != (yj > y):
            cross = (xj - xi) * (y - yi) / (yj - yi) + xi
            if x < cross:
                inside = not inside
        j = i
    return inside


def _on_segment(x, y, x1, y1, x2, y2, eps: float = 1e-12) -> bool:
    if abs((x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)) > eps:
        return False
    return (
        min(x1, x2) - eps <= x <= max(x1, x2) + eps and min(y1, y2) - eps <= y <= max(y1, y2) + eps
    )
