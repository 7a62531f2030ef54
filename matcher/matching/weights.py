"""Ranking weights as dated data (``matcher/data/ranking_weights.yaml``), validated on load.

Each version has ``valid_from``; :meth:`RankingWeights.on` gives the version in force on a
day. Errors name the file and the key (``ranking_weights.yaml: versions[0].weights.skills:
must be a number >= 0``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import yaml

from matcher.enums import AgreementStatus, KeyTier, Urgency

COMPONENTS = ("semantic", "skills", "distance", "key_tier", "urgency", "agreement", "freshness")
#: The key-enterprise bonus may be at most this share of the semantic weight, so a much
#: better ordinary match is never starved by a weak key-enterprise one.
MAX_KEY_TIER_SHARE = 0.5
_PARAMS = ("distance_scale_km", "unknown_distance", "freshness_half_life_days")
_MAPS: dict[str, tuple[str, ...]] = {
    "key_tier_values": tuple(t.value for t in KeyTier),
    "urgency_values": tuple(u.value for u in Urgency),
    "agreement_values": tuple(a.value for a in AgreementStatus),
}


class WeightsError(ValueError):
    """The weights file is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class WeightsVersion:
    """One dated set of weights and component parameters."""

    valid_from: date
    weights: Mapping[str, float]
    distance_scale_km: float
    unknown_distance: float
    freshness_half_life_days: float
    key_tier_values: Mapping[str, float]
    urgency_values: Mapping[str, float]
    agreement_values: Mapping[str, float]
    note: str = ""
    skills_min_listed: int = 1

    def lookup(self, table: str, keys: tuple[Any, ...]) -> np.ndarray:
        """The values of ``table`` (``key_tier_values``, ...) for ``keys`` as an array to
        index with the keys' positions (built once per version)."""
        cache: dict[tuple[str, tuple[Any, ...]], np.ndarray] = self.__dict__.setdefault(
            "_lookups", {})
        found = cache.get((table, keys))
        if found is None:
            values: Mapping[str, float] = getattr(self, table)
            found = cache[(table, keys)] = np.array([values[str(k)] for k in keys])
        return found

    @property
    def max_bonus(self) -> float:
        """The largest total of all non-semantic contributions (values are at most 1)."""
        return sum(w for name, w in self.weights.items() if name != "semantic")


@dataclass(frozen=True)
class RankingWeights:
    """All versions, oldest first."""

    versions: tuple[WeightsVersion, ...]
    source: str

    def on(self, day: date) -> WeightsVersion:
        """The version in force on ``day``."""
        current = None
        for version in self.versions:
            if version.valid_from <= day:
                current = version
        if current is None:
            first = self.versions[0].valid_from
            raise WeightsError(f"{self.source}: no weights in force on {day} (first: {first})")
        return current


def _number(value: Any, where: str, low: float = 0.0, high: float | None = None) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f">= {low:g}"
        raise WeightsError(f"{where}: must be a number {bound}, got {value!r}")
    return float(value)


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise WeightsError(f"{where}: must be a mapping")
    return value


def _version(raw: Any, where: str) -> WeightsVersion:
    raw = _mapping(raw, where)
    valid_from = raw.get("valid_from")
    if not isinstance(valid_from, date):
        raise WeightsError(f"{where}.valid_from: must be a date like 2020-03-01")
    weights = _mapping(raw.get("weights"), f"{where}.weights")
    unknown = sorted(set(weights) - set(COMPONENTS))
    if unknown:
        raise WeightsError(f"{where}.weights.{unknown[0]}: unknown component")
    values = {}
    for name in COMPONENTS:
        if name not in weights:
            raise WeightsError(f"{where}.weights.{name}: missing")
        values[name] = _number(weights[name], f"{where}.weights.{name}")
    if values["semantic"] <= 0:
        raise WeightsError(f"{where}.weights.semantic: must be > 0")
    if values["key_tier"] > MAX_KEY_TIER_SHARE * values["semantic"]:
        raise WeightsError(f"{where}.weights.key_tier: the key-enterprise bonus may be at most "
                           f"{MAX_KEY_TIER_SHARE:g} x the semantic weight")
    params = _mapping(raw.get("params"), f"{where}.params")
    scalars = {name: _number(params.get(name), f"{where}.params.{name}") for name in _PARAMS}
    if scalars["distance_scale_km"] <= 0 or scalars["freshness_half_life_days"] <= 0:
        raise WeightsError(f"{where}.params: scales and half-lives must be > 0")
    if scalars["unknown_distance"] > 1:
        raise WeightsError(f"{where}.params.unknown_distance: must be at most 1")
    min_listed = _number(params.get("skills_min_listed", 1), f"{where}.params.skills_min_listed")
    if min_listed < 1 or min_listed != int(min_listed):
        raise WeightsError(f"{where}.params.skills_min_listed: must be a whole number >= 1")
    maps: dict[str, Mapping[str, float]] = {}
    for name, keys in _MAPS.items():
        table = _mapping(params.get(name), f"{where}.params.{name}")
        extra = sorted(set(table) - set(keys))
        if extra:
            raise WeightsError(f"{where}.params.{name}.{extra[0]}: unknown key")
        checked = {k: _number(v, f"{where}.params.{name}.{k}", 0.0, 1.0) for k, v in table.items()}
        if name != "agreement_values":  # agreements not listed count 0
            for key in keys:
                if key not in checked:
                    raise WeightsError(f"{where}.params.{name}.{key}: missing")
        maps[name] = MappingProxyType(checked)
    return WeightsVersion(
        valid_from=valid_from, weights=MappingProxyType(values), note=str(raw.get("note", "")),
        distance_scale_km=scalars["distance_scale_km"],
        unknown_distance=scalars["unknown_distance"],
        freshness_half_life_days=scalars["freshness_half_life_days"],
        key_tier_values=maps["key_tier_values"], urgency_values=maps["urgency_values"],
        agreement_values=maps["agreement_values"], skills_min_listed=int(min_listed),
    )


def parse_weights(data: Any, source: str) -> RankingWeights:
    """Validate parsed YAML ``{"versions": [...]}``."""
    name = Path(source).name
    versions = data.get("versions") if isinstance(data, dict) else None
    if not isinstance(versions, list) or not versions:
        raise WeightsError(f"{name}: versions: must be a non-empty list")
    parsed = [_version(v, f"{name}: versions[{i}]") for i, v in enumerate(versions)]
    days = [v.valid_from for v in parsed]
    if len(set(days)) != len(days):
        raise WeightsError(f"{name}: versions: two versions share a valid_from date")
    return RankingWeights(tuple(sorted(parsed, key=lambda v: v.valid_from)), name)


_CACHE: dict[tuple[str, float], RankingWeights] = {}
_LOCK = threading.Lock()


def load_weights(path: Path) -> RankingWeights:
    """Read and validate a weights file (cached until the file changes)."""
    path = Path(path)
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except OSError as exc:
        raise WeightsError(f"{path.name}: cannot read ranking weights: {exc}") from exc
    with _LOCK:
        if key not in _CACHE:
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as exc:
                raise WeightsError(f"{path.name}: cannot read ranking weights: {exc}") from exc
            _CACHE[key] = parse_weights(data, str(path))
        return _CACHE[key]
