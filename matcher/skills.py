"""Tolerant skill matching: synonyms, Chinese/English names, case and full/half width.

Skill names are normalized (NFKC, case folding, spaces and punctuation removed) and looked
up in the vocabulary ``matcher/data/skills.yaml``, which maps every known name to a
canonical id and lists what each skill implies (a licence implies the skill it licenses,
never the reverse). Unknown names stay themselves, so "Excel" still matches "ＥＸＣＥＬ".

    sm = get_skill_matcher()
    sm.match(required=["叉车证"], have=["Forklift License"]).missing  # ()
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from matcher.config import PACKAGE_DATA

DEFAULT_SKILLS_FILE = PACKAGE_DATA / "skills.yaml"
# Separators and brackets dropped from the lookup key ("C++" and "C#" keep + and #).
_DROP = re.compile(r"[\s\-_/\\·•・.,，、;；:：'\"“”‘’()（）\[\]【】<>《》!！?？]+")


#: Names whose canonical id is remembered (a dict lookup instead of NFKC + regex per call).
CANONICAL_CACHE = 50_000


class SkillVocabularyError(ValueError):
    """The skills file is malformed; the message names the file and the key."""


def normalize(name: str) -> str:
    """The lookup key of a skill name: NFKC, case-folded, without spaces or punctuation."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return _DROP.sub("", text)


@dataclass(frozen=True)
class SkillMatch:
    """Which of a vacancy's skills a person has, as written on the vacancy."""

    matched: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def coverage(self) -> float:
        """Share of the listed skills the person has (0.0 when none are listed)."""
        total = len(self.matched) + len(self.missing)
        return len(self.matched) / total if total else 0.0


class SkillMatcher:
    """Maps skill names to canonical ids and checks requirements against what people have."""

    def __init__(self, aliases: dict[str, str], implies: dict[str, frozenset[str]]):
        self._aliases = aliases
        self._implies = implies
        self._closure_cache: dict[str, frozenset[str]] = {}
        self._canonical_cache: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path = DEFAULT_SKILLS_FILE) -> SkillMatcher:
        """Load and validate a vocabulary file."""
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise SkillVocabularyError(f"{path}: cannot read skills file: {exc}") from exc
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_mapping(cls, data: Any, source: str = "<skills>") -> SkillMatcher:
        """Build from the parsed YAML structure ``{"skills": {id: {names, implies}}}``."""
        skills = data.get("skills") if isinstance(data, dict) else None
        if not isinstance(skills, dict) or not skills:
            raise SkillVocabularyError(f"{source}: 'skills' must be a non-empty mapping")
        aliases: dict[str, str] = {}
        implies: dict[str, frozenset[str]] = {}
        for skill_id, entry in skills.items():
            where = f"{source}: skills.{skill_id}"
            if not isinstance(entry, dict) or not isinstance(entry.get("names", []), list):
                raise SkillVocabularyError(f"{where}: expected a mapping with a 'names' list")
            for name in [skill_id, *entry.get("names", [])]:
                key = normalize(str(name))
                if not key:
                    raise SkillVocabularyError(f"{where}.names: empty name {name!r}")
                other = aliases.setdefault(key, skill_id)
                if other != skill_id:
                    raise SkillVocabularyError(
                        f"{where}.names: {name!r} is already a name of {other!r}"
                    )
            implied = entry.get("implies", [])
            if not isinstance(implied, list):
                raise SkillVocabularyError(f"{where}.implies: expected a list")
            for target in implied:
                if target not in skills:
                    raise SkillVocabularyError(f"{where}.implies: unknown skill {target!r}")
            implies[skill_id] = frozenset(implied)
        return cls(aliases, implies)

    def canonical(self, name: str) -> str:
        """The canonical id of a name (the normalized name itself when unknown)."""
        found = self._canonical_cache.get(name)
        if found is not None:
            return found
        key = normalize(name)
        found = self._aliases.get(key, key)
        if len(self._canonical_cache) < CANONICAL_CACHE:  # names written in the data: bounded
            self._canonical_cache[name] = found
        return found

    def _closure(self, skill: str) -> frozenset[str]:
        cached = self._closure_cache.get(skill)
        if cached is not None:
            return cached
        seen = {skill}
        todo = [skill]
        while todo:
            for nxt in self._implies.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        result = frozenset(seen)
        with self._lock:
            self._closure_cache[skill] = result
        return result

    def held(self, names: Iterable[str]) -> frozenset[str]:
        """Canonical ids a person with these skills has, implications included."""
        out: set[str] = set()
        for name in names:
            if name and name.strip():
                out |= self._closure(self.canonical(name))
        return frozenset(out)

    def required(self, names: Iterable[str]) -> frozenset[str]:
        """Canonical ids of a requirement list (no implications: a requirement is exact)."""
        return frozenset(self.canonical(n) for n in names if n and n.strip())

    def match(self, required: Sequence[str], have: Iterable[str]) -> SkillMatch:
        """Split ``required`` (as written) into matched and missing against ``have``."""
        held = self.held(have)
        matched: list[str] = []
        missing: list[str] = []
        seen: set[str] = set()
        for name in required:
            if not name or not name.strip():
                continue
            canon = self.canonical(name)
            if canon in seen:
                continue
            seen.add(canon)
            (matched if canon in held else missing).append(name.strip())
        return SkillMatch(tuple(matched), tuple(missing))


_DEFAULT: SkillMatcher | None = None
_DEFAULT_LOCK = threading.Lock()


def get_skill_matcher() -> SkillMatcher:
    """The process-wide matcher over the packaged vocabulary (loaded on first use)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = SkillMatcher.from_file()
        return _DEFAULT
