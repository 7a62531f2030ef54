"""Fit the 0-100 match scale of matcher/recommend/explain.py on the hand-labelled set.

For every (seeker, vacancy) pair of ``matcher/data/eval_matching.json`` the engine's text
and skills components are computed with the default encoder and the weights in force today
(the other components need locations and dates the hand set does not have; they add at
most a few hundredths). The scale's knots are the deciles of the scores of the RELEVANT
pairs: a match scores 50 when it is as good as the median true match of the hand set, 90
when it beats nine in ten of them; scores below the weakest true match read 0. The result
is printed as the ``SCALE_KNOTS`` constant to paste into explain.py, with ``SIMILAR_WORK``:
the cosine that the same share of relevant pairs reaches as with e5-small's 0.85 (78%).

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/fit_score_scale.py
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np

from matcher import texts
from matcher.config import PACKAGE_DATA
from matcher.matching.weights import load_weights
from matcher.runtime import Runtime
from matcher.skills import get_skill_matcher

#: Share of the relevant pairs whose text similarity is itself a reason ("similar work"):
#: the share e5-small's 0.85 had on this set (0.781), kept when the encoder changes.
SIMILAR_WORK_SHARE = 0.78


def main() -> None:
    """Print the knots and how relevant and other pairs spread over the scale."""
    data = json.loads((PACKAGE_DATA / "eval_matching.json").read_text(encoding="utf-8"))
    rt = Runtime()
    w = load_weights(rt.settings.ranking_weights).on(date.today())
    vac, seek = data["vacancies"], data["seekers"]
    dv = rt.encoder.encode_documents(
        [texts.vacancy_text(v["title"], v["skills"], v["description"]) for v in vac])
    qs = rt.encoder.encode_queries(
        [texts.seeker_text(s["desired_positions"], s["skills"], s["experience"]) for s in seek])
    sims = qs @ dv.T
    sm = get_skill_matcher()
    scores, relevant = [], []
    for i, s in enumerate(seek):
        for j, v in enumerate(vac):
            m = sm.match(v["skills"], s["skills"])
            share = len(m.matched) / max(len(v["skills"]), w.skills_min_listed) if v["skills"] \
                else 0.0
            scores.append(w.weights["semantic"] * sims[i, j] + w.weights["skills"] * share)
            relevant.append(v["family"] in s["relevant_families"])
    score, rel = np.array(scores), np.array(relevant)
    knots = np.percentile(score[rel], np.arange(0, 101, 10)).round(4)
    print("SCALE_KNOTS =", tuple(float(k) for k in knots))
    rel_cos = sims.reshape(-1)[rel]
    similar = round(float(np.percentile(rel_cos, 100 * (1 - SIMILAR_WORK_SHARE))), 2)
    other_cos = sims.reshape(-1)[~rel]
    print(f"SIMILAR_WORK = {similar}  # reached by {np.mean(rel_cos >= similar):.3f} of the "
          f"relevant pairs, {np.mean(other_cos >= similar):.3f} of the others")
    mapped = np.interp(score, knots, np.arange(0, 101, 10))
    print(f"relevant pairs: {rel.sum()}, median on the scale {np.median(mapped[rel]):.0f}; "
          f"other pairs: {(~rel).sum()}, median {np.median(mapped[~rel]):.0f}, "
          f"share at 50 or more {np.mean(mapped[~rel] >= 50):.3f}")


if __name__ == "__main__":
    main()
