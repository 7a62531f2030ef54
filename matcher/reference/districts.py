"""Beijing's 16 districts: administrative codes, names and approximate centroids.

Centroids are the approximate geographic centres of each district's territory (WGS-84,
two decimals, about 1 km); ``spread_km`` is a typical distance of built-up places from
that centre (the demo city scatters locations with it); ``weight`` is a rough share of employers.
Production reads them for district names (:func:`canonical_district`) and approximate locations
(:func:`centroid`, via :mod:`matcher.geo`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    """One district of Beijing."""

    code: str  # GB/T 2260 administrative division code, also the ID-number region
    name: str  # Chinese name, the canonical value stored in ``district`` columns
    name_en: str
    latitude: float
    longitude: float
    spread_km: float
    weight: float


DISTRICTS: tuple[District, ...] = (
    District("110101", "东城区", "Dongcheng", 39.93, 116.42, 2.0, 5),
    District("110102", "西城区", "Xicheng", 39.91, 116.37, 2.0, 6),
    District("110105", "朝阳区", "Chaoyang", 39.95, 116.50, 6.0, 18),
    District("110106", "丰台区", "Fengtai", 39.84, 116.25, 5.0, 10),
    District("110107", "石景山区", "Shijingshan", 39.93, 116.18, 2.5, 3),
    District("110108", "海淀区", "Haidian", 40.03, 116.22, 6.0, 15),
    District("110109", "门头沟区", "Mentougou", 40.00, 115.80, 6.0, 1),
    District("110111", "房山区", "Fangshan", 39.72, 115.85, 9.0, 4),
    District("110112", "通州区", "Tongzhou", 39.80, 116.74, 7.0, 7),
    District("110113", "顺义区", "Shunyi", 40.13, 116.67, 7.0, 7),
    District("110114", "昌平区", "Changping", 40.22, 116.23, 8.0, 7),
    District("110115", "大兴区", "Daxing", 39.65, 116.42, 8.0, 8),
    District("110116", "怀柔区", "Huairou", 40.67, 116.55, 7.0, 2),
    District("110117", "平谷区", "Pinggu", 40.22, 117.13, 6.0, 2),
    District("110118", "密云区", "Miyun", 40.52, 116.96, 8.0, 2),
    District("110119", "延庆区", "Yanqing", 40.52, 116.12, 7.0, 1),
)

_ALIASES: dict[str, District] = {}
for _d in DISTRICTS:
    for _alias in (_d.name, _d.name.removesuffix("区"), _d.name_en, f"{_d.name_en} district",
                   _d.code, f"北京市{_d.name}"):
        _ALIASES[_alias.lower()] = _d


def find(name: str | None) -> District | None:
    """The district called ``name`` (Chinese with or without 区, English, or its code)."""
    if not name:
        return None
    return _ALIASES.get(" ".join(name.strip().lower().split()))


def canonical_district(name: str) -> str:
    """The Chinese name of a known Beijing district, else ``name`` unchanged."""
    found = find(name)
    return found.name if found else name


def centroid(name: str | None) -> tuple[float, float] | None:
    """``(latitude, longitude)`` of a district's centre, or None if unknown."""
    found = find(name)
    return (found.latitude, found.longitude) if found else None
