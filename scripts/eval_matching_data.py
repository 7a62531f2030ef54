"""Build matcher/data/eval_matching.json from the hand-written scripts/eval_matching_source.yaml.

Usage: ``.venv/bin/python scripts/eval_matching_data.py [--check]``

Each vacancy's description is its hand-written duties plus 2-4 generic boilerplate sentences
(benefits, hours, company blurb) drawn with a fixed seed, so the output is reproducible and
looks like real postings, where the generic part is most of the text. ``--check`` only
verifies that the committed JSON is up to date.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scripts" / "eval_matching_source.yaml"
TARGET = ROOT / "matcher" / "data" / "eval_matching.json"
SEED = 20240611

_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def language(*parts: str) -> str:
    """Classify text as ``zh``, ``en`` or ``mixed`` (Latin words of 3+ letters count as English)."""
    text = " ".join(parts)
    has_cjk = bool(_CJK.search(text))
    has_latin = bool(_LATIN_WORD.search(text))
    if has_cjk and has_latin:
        return "mixed"
    return "zh" if has_cjk else "en"


def split_line(line: str, what: str) -> tuple[str, list[str], str]:
    """Split ``"head | a; b | free text"`` into its three parts."""
    parts = [p.strip() for p in line.split(" | ")]
    if len(parts) != 3:
        raise ValueError(f"{what}: expected 'x | a; b | text', got {line!r}")
    items = [s.strip() for s in parts[1].split(";") if s.strip()]
    return parts[0], items, parts[2]


def describe(duties: str, lang: str, pools: dict[str, list[str]], rng: random.Random) -> str:
    """Duties plus sampled boilerplate in the posting's language (zh for mixed postings)."""
    pool = pools["en"] if lang == "en" else pools["zh"]
    extra = rng.sample(pool, rng.randint(2, 4))
    blurb_first = rng.random() < 0.3  # some postings open with the company blurb
    sentences = [extra[0], duties, *extra[1:]] if blurb_first else [duties, *extra]
    return (" " if lang == "en" else "").join(sentences)


def build(source: dict[str, Any]) -> dict[str, Any]:
    """Turn the parsed YAML source into the evaluation-set document."""
    pools = source["boilerplate"]
    vague = set(source.get("vague_titles", []))
    rng = random.Random(SEED)
    families: list[dict[str, Any]] = []
    vacancies: list[dict[str, Any]] = []
    seekers: list[dict[str, Any]] = []
    for family_id, family in source["families"].items():
        families.append(
            {
                "id": family_id,
                "name": family["name"],
                "distractor": bool(family.get("distractor", False)),
            }
        )
        for line in family["vacancies"]:
            title, skills, duties = split_line(line, f"{family_id} vacancy")
            lang = language(title, " ".join(skills), duties)
            vacancies.append(
                {
                    "id": f"v{len(vacancies) + 1:03d}",
                    "family": family_id,
                    "lang": lang,
                    "title": title,
                    "skills": skills,
                    "description": describe(duties, lang, pools, rng),
                    "vague_title": title in vague,
                }
            )
        for line in family.get("seekers", []):
            desired, skills, experience = split_line(line, f"{family_id} seeker")
            positions = [p.strip() for p in desired.split(";") if p.strip()]
            seekers.append(
                {
                    "id": f"s{len(seekers) + 1:03d}",
                    "family": family_id,
                    "relevant_families": [family_id, *family.get("also_relevant", [])],
                    "lang": language(desired, " ".join(skills), experience),
                    "desired_positions": positions,
                    "skills": skills,
                    "experience": experience,
                }
            )
    return {
        "about": (
            "Hand-written job-matching evaluation set (workbridge). A seeker's relevant "
            "vacancies are those whose family is in its relevant_families. Built by "
            "scripts/eval_matching_data.py from scripts/eval_matching_source.yaml."
        ),
        "version": 1,
        "families": families,
        "vacancies": vacancies,
        "seekers": seekers,
    }


def render(document: dict[str, Any]) -> str:
    """Serialize with one entity per line, readable and diff-friendly."""
    lines = ["{"]
    lines.append(f'  "about": {json.dumps(document["about"], ensure_ascii=False)},')
    lines.append(f'  "version": {document["version"]},')
    for key in ("families", "vacancies", "seekers"):
        rows = [f"    {json.dumps(row, ensure_ascii=False)}" for row in document[key]]
        closing = "]" if key == "seekers" else "],"
        lines.append(f'  "{key}": [')
        lines.append(",\n".join(rows))
        lines.append(f"  {closing}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with ``--check`` verify) the evaluation set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the JSON is out of date")
    args = parser.parse_args(argv)
    text = render(build(yaml.safe_load(SOURCE.read_text(encoding="utf-8"))))
    json.loads(text)  # the hand-rolled layout must stay valid JSON
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run scripts/eval_matching_data.py", file=sys.stderr)
            return 1
        print(f"{TARGET} is up to date")
        return 0
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    document = json.loads(text)
    print(
        f"wrote {TARGET}: {len(document['families'])} families, "
        f"{len(document['vacancies'])} vacancies, {len(document['seekers'])} seekers"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
