"""The compiled list dump (``web.api.fast_dump.FastList``) gives what marshmallow gives, for
every list envelope of the API, on items built from each item schema's own fields."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, date, datetime
from typing import Any

import pytest
from marshmallow import Schema, fields

import web.api
from matcher.recommend.service import Candidate, MatchResult
from web import create_app
from web.api.fast_dump import FastList, plan
from web.api.schemas import PAGED

pytestmark = pytest.mark.unit


def _app() -> Any:
    """The app (Flask-Babel bound, for the reasons' words); nothing touches a database."""
    return create_app({"database_url": "sqlite:///:memory:"})


def _envelopes() -> list[type[Schema]]:
    """Every item schema the API lists through ``paged`` (the blueprints imported)."""
    for info in pkgutil.iter_modules(web.api.__path__):
        importlib.import_module(f"web.api.{info.name}")
    found = {s._declared_fields["items"]._item_schema for s in PAGED.values()}
    return sorted(found, key=lambda s: s.__name__)


def _value(field: fields.Field, i: int) -> Any:
    """A value of ``field``'s type (``i`` varies it; every third is None)."""
    if i % 3 == 2 and field.allow_none:
        return None
    if isinstance(field, fields.List):
        return [_value(field.inner, i), _value(field.inner, i + 1)]
    if isinstance(field, fields.Boolean):
        return i % 2 == 0
    if isinstance(field, fields.Integer):
        return 7 + i
    if isinstance(field, fields.Float):
        return 0.25 * i
    if isinstance(field, fields.Date):  # before DateTime: marshmallow's Date is one
        return date(2026, 12, 5 - i % 3)
    if isinstance(field, fields.DateTime):
        return datetime(2026, 12, 5, 8, i % 60, tzinfo=UTC)
    if isinstance(field, fields.Dict):
        return {"a": {"value": 0.5 * i, "weight": 1.0}}
    if isinstance(field, fields.Nested):
        return {}
    return f"text {i}"


def _items(schema: type[Schema]) -> list[dict[str, Any]]:
    """Three dict items filled from the schema's dump fields, the last missing one key."""
    out = []
    for i in range(3):
        item = {f.attribute or name: _value(f, i + j)
                for j, (name, f) in enumerate(schema().dump_fields.items())}
        if i == 2 and item:
            item.pop(next(iter(item)))
        out.append(item)
    return out


def test_every_paged_item_schema_dumps_as_marshmallow_does(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("web.i18n.MISSING", set())  # the filler text is no catalog word
    schemas = _envelopes()
    assert len(schemas) >= 10  # the API's lists (recommendations, candidates, claims, ...)
    compiled = 0
    with _app().test_request_context("/api/v1/me/recommendations"):
        for schema in schemas:
            items = _items(schema)
            expected = fields.List(fields.Nested(schema)).serialize("x", {"x": items})
            assert FastList(schema).serialize("x", {"x": items}) == expected, schema.__name__
            compiled += plan(schema) is not None
    assert compiled == len(schemas)


def _match(**over: Any) -> MatchResult:
    base: dict[str, Any] = dict(
        vacancy_id=3, external_id="V-3", title="叉车司机", enterprise="顺丰", enterprise_id=2,
        score=0.91, components={"semantic": {"value": 0.8, "weight": 1.0, "contribution": 0.8}},
        matched_skills=("叉车证",), missing_skills=(), distance_km=4.2,
        distance_approximate=False, key_tier="tier1", urgency="urgent", agreement=None,
        rank=1, weights_valid_from=date(2026, 1, 1))
    base.update(over)
    return MatchResult(**base)


def test_match_and_candidate_results_dump_as_marshmallow_does() -> None:
    from web.api.schemas import CandidateOut, MatchOut

    matches = [_match(), _match(distance_km=None, enterprise_id=None, agreement="signed",
                                missing_skills=("英语",), key_tier="none")]
    candidates = [Candidate(
        kind="surplus", person_id=5, external_id="S-5", name=None, district="海淀区",
        enterprise="火锅店", enterprise_id=9, score=0.88, components={}, matched_skills=(),
        missing_skills=(), distance_km=12.0, distance_approximate=True, agreement="proposed",
        rank=2, weights_valid_from=date(2026, 1, 1))]
    with _app().test_request_context("/api/v1/me/recommendations"):
        for schema, items in ((MatchOut, matches), (CandidateOut, candidates)):
            assert plan(schema) is not None
            expected = fields.List(fields.Nested(schema)).serialize("x", {"x": items})
            got = FastList(schema).serialize("x", {"x": items})
            assert got == expected
            assert got[0]["reasons"] and "score_100" in got[0]
