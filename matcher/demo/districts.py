"""Demo locations scattered around district centres (:mod:`matcher.reference.districts`)."""

from __future__ import annotations

import math
import random

from matcher.reference.districts import District

KM_PER_DEGREE_LAT = 111.0


def scatter(district: District, rng: random.Random) -> tuple[float, float]:
    """A random point around the district centre (normal, ``spread_km`` standard deviation)."""
    dist = min(abs(rng.gauss(0.0, district.spread_km)), 2.5 * district.spread_km)
    angle = rng.uniform(0.0, 2 * math.pi)
    dlat = dist * math.sin(angle) / KM_PER_DEGREE_LAT
    dlon = dist * math.cos(angle) / (KM_PER_DEGREE_LAT * math.cos(math.radians(district.latitude)))
    return round(district.latitude + dlat, 5), round(district.longitude + dlon, 5)
