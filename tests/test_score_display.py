"""Scores people understand: 0-100 on one fixed scale, 2-4 plain reasons, the breakdown a
click away."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from builders.accounts import PASSWORD
from test_pages import csrf

from matcher.enums import Role
from matcher.recommend.explain import SCALE_KNOTS, SIMILAR_WORK, plain_reasons, score_100


@dataclass
class Match:
    """The fields of a ranked result that the reasons read."""

    score: float = 0.9
    matched_skills: tuple[str, ...] = ("叉车证", "仓库管理", "叉车")
    missing_skills: tuple[str, ...] = ()
    distance_km: float | None = 4.6
    distance_approximate: bool = False
    key_tier: str = "none"
    agreement: str | None = None
    urgency: str = "normal"
    kind: str = "seeker"
    #: a text similarity under SIMILAR_WORK: the text alone is not named as a reason
    components: dict[str, Any] = field(
        default_factory=lambda: {"semantic": {"value": SIMILAR_WORK - 0.05}})


def test_the_scale_is_fixed_monotone_and_clipped() -> None:
    assert score_100(SCALE_KNOTS[0] - 0.3) == 0 and score_100(5.0) == 100
    assert score_100(SCALE_KNOTS[5]) == 50 and score_100(None) is None
    grid = [0.5 + i / 100 for i in range(80)]
    mapped = [score_100(s) or 0 for s in grid]
    assert mapped == sorted(mapped) and all(0 <= m <= 100 for m in mapped)


def test_every_required_skill_reads_n_of_n_and_preferred_gaps_are_a_plus() -> None:
    codes = plain_reasons(Match())
    assert codes[0] == ("skills_all", {"have": 3, "total": 3})
    assert ("distance", {"km": "4.6"}) in codes and 2 <= len(codes) <= 4
    lacking = plain_reasons(Match(matched_skills=("叉车证",), missing_skills=("仓库管理",)))
    assert lacking[0] == ("skills_required", {})
    assert ("plus_skills", {"skills": "仓库管理"}) in lacking


def test_key_enterprise_borrowable_and_approximate_distance() -> None:
    codes = dict(plain_reasons(Match(key_tier="key", kind="surplus", distance_km=12.3,
                                     distance_approximate=True)))
    assert codes["distance_approx"] == {"km": "12"}
    assert "key_enterprise" in codes and "borrowable" in codes
    assert len(plain_reasons(Match(matched_skills=(), distance_km=None))) >= 2


def test_api_adds_score_100_and_reasons_beside_the_fixed_fields(world_app) -> None:
    app, world = world_app
    token = world.party(Role.SEEKER).token
    client = app.test_client()
    body = client.get("/api/v1/me/recommendations?lang=zh_CN",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    first = body["items"][0]
    assert {"score", "components", "matched_skills", "missing_skills"} <= set(first)
    assert first["score_100"] == score_100(first["score"]) and 0 <= first["score_100"] <= 100
    assert 2 <= len(first["reasons"]) <= 4
    assert first["reasons"][0] == {"code": "skills_all", "text": "具备技能 1/1"}
    english = client.get("/api/v1/me/recommendations?lang=en",
                         headers={"Authorization": f"Bearer {token}"}).get_json()
    assert english["items"][0]["reasons"][0]["text"] == "Has the required skills 1/1"


def test_pages_show_0_100_reasons_and_the_breakdown_behind_a_click(world_app) -> None:
    app, world = world_app
    client = app.test_client()
    resp = client.post("/auth/login", data={"email": world.party(Role.SEEKER).email,
                                            "password": PASSWORD, "csrf_token": csrf(client)})
    assert resp.status_code == 302
    html = client.get("/seeker/recommendations").get_data(as_text=True)
    assert "匹配度" in html and "具备技能 1/1" in html
    assert "<details>" in html and "匹配度如何计算" in html  # the full breakdown, one click away
    assert "✘" not in html and "欠缺技能" not in html
    assert "0.667" not in html


def test_recommendations_page_reasons_in_english_and_no_raw_weights(world_app) -> None:
    import re

    app, world = world_app
    client = app.test_client()
    client.post("/auth/login", data={"email": world.party(Role.SEEKER).email,
                                     "password": PASSWORD, "csrf_token": csrf(client)})
    html = client.get("/seeker/recommendations?lang=en").get_data(as_text=True)
    assert "Has the required skills 1/1" in html and "How the score is computed" in html
    assert "missing" not in html.lower() and not re.search(r"\d\.\d{4}", html)
    zh = client.get("/seeker/recommendations?lang=zh_CN").get_data(as_text=True)
    assert "具备技能 1/1" in zh and not re.search(r"\d\.\d{4}", zh)


def test_text_similarity_is_a_reason_only_from_the_calibrated_threshold() -> None:
    near = Match(components={"semantic": {"value": SIMILAR_WORK}})
    below = Match(components={"semantic": {"value": SIMILAR_WORK - 0.01}})
    assert plain_reasons(near)[1] == ("similar_work", {})
    assert ("similar_work", {}) not in plain_reasons(below)
