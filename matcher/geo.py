"""Distances on the Earth (haversine) and district centroids for approximate locations."""

from __future__ import annotations

import math

import numpy as np

from matcher.reference.districts import centroid, find

EARTH_RADIUS_KM = 6371.0088
#: The bureau's city: people records have no city column, they live where the bureau is.
DEFAULT_CITY = "北京市"


def district_name(name: str | None, language: str = "zh_CN") -> str:
    """A stored district (``朝阳区``) as people of ``language`` call it (``Chaoyang``)."""
    if not name:
        return ""
    found = find(name)
    if found is None or language.startswith("zh"):
        return found.name if found is not None else name
    return found.name_en


def valid_coordinates(lat: float | None, lon: float | None) -> bool:
    """Both given, finite, and in range."""
    if lat is None or lon is None:
        return False
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def haversine_km_many(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Distances in km from one point to arrays of points (NaN where a point is missing)."""
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons) - math.radians(lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def district_centroid(district: str | None) -> tuple[float, float] | None:
    """The centroid of a district ("朝阳区", "朝阳", "Chaoyang" or its code), if known."""
    found = centroid(district)
    return (float(found[0]), float(found[1])) if found else None


def approximate_location(
    lat: float | None, lon: float | None, district: str | None
) -> tuple[float, float, bool] | None:
    """``(lat, lon, exact)``: the coordinates, else the district centroid, else None."""
    if valid_coordinates(lat, lon):
        assert lat is not None and lon is not None
        return lat, lon, True
    centroid = district_centroid(district)
    return (centroid[0], centroid[1], False) if centroid else None
