"""The tolerant skill matcher: synonyms, Chinese/English, case, width, implications."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.skills import SkillMatcher, SkillVocabularyError, get_skill_matcher, normalize


@pytest.fixture(scope="module")
def sm() -> SkillMatcher:
    return get_skill_matcher()


@pytest.mark.parametrize("written", [
    "forklift license", "Forklift Licence", "ＦＯＲＫＬＩＦＴ　ＬＩＣＥＮＳＥ", "forklift-license",
    "叉车证", "N1证", "特种设备作业人员证（叉车）", "  叉车操作证 ",
])
def test_licence_names_are_one_skill(sm: SkillMatcher, written: str) -> None:
    assert sm.canonical(written) == "forklift_license"
    assert sm.match(["叉车证"], [written]).missing == ()


def test_licence_implies_the_skill_but_not_the_reverse(sm: SkillMatcher) -> None:
    assert sm.match(["叉车", "forklift"], ["叉车证"]).missing == ()
    assert sm.match(["叉车证"], ["叉车", "forklift driving"]).missing == ("叉车证",)


def test_implications_are_transitive(sm: SkillMatcher) -> None:
    # A1 covers B1 and B2, which cover C1.
    assert sm.match(["C1驾照", "B2"], ["A1驾照"]).missing == ()
    assert sm.match(["A1驾照"], ["C1"]).missing == ("A1驾照",)


def test_different_trades_sharing_a_word_do_not_match(sm: SkillMatcher) -> None:
    assert sm.match(["叉车"], ["叉车维修"]).missing == ("叉车",)
    assert sm.match(["保安"], ["网络安全"]).missing == ("保安",)


def test_unknown_skills_match_by_normalized_name(sm: SkillMatcher) -> None:
    assert normalize("Ｓｐａｒｋ Streaming") == normalize("spark-streaming")
    result = sm.match(["Spark Streaming", "Hadoop"], ["ｓｐａｒｋ　streaming"])
    assert result.matched == ("Spark Streaming",)
    assert result.missing == ("Hadoop",)
    assert result.coverage == 0.5


def test_match_reports_names_as_written_and_counts_duplicates_once(sm: SkillMatcher) -> None:
    result = sm.match(["叉车证", "Forklift License", "", "仓库管理"], ["forklift licence"])
    assert result.matched == ("叉车证",)
    assert result.missing == ("仓库管理",)
    assert result.coverage == 0.5
    assert sm.match([], ["叉车"]).coverage == 0.0


def test_held_includes_implied_and_required_does_not(sm: SkillMatcher) -> None:
    assert {"forklift", "forklift_license"} <= sm.held(["叉车证"])
    assert sm.required(["叉车证"]) == frozenset({"forklift_license"})


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "skills.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_name_claimed_by_two_skills_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "skills:\n  a: {names: [叉车]}\n  b: {names: [ 叉车 ]}\n")
    with pytest.raises(SkillVocabularyError, match=r"skills.yaml: skills.b.names: '.*' is "
                                                   r"already a name of 'a'"):
        SkillMatcher.from_file(path)


def test_unknown_implication_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "skills:\n  a: {names: [x], implies: [nope]}\n")
    with pytest.raises(SkillVocabularyError, match="skills.a.implies: unknown skill 'nope'"):
        SkillMatcher.from_file(path)


def test_broken_file_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "skills: [unclosed\n")
    with pytest.raises(SkillVocabularyError, match="skills.yaml"):
        SkillMatcher.from_file(path)
    with pytest.raises(SkillVocabularyError, match="non-empty mapping"):
        SkillMatcher.from_mapping({"skills": {}})
