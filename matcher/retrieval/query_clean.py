"""Cleaning noisy posting titles before they are matched: pay, perks, places, urgency.

Real posting titles carry more than the job: ``急招 抖音客服专员（郓城）+提成 月入3万 不加班``.
:func:`clean_query` keeps the job (``抖音客服专员``) by removing, in order: bracketed parts
(places, shifts: ``（郓城）``, ``【急聘】``, ``[Remote]``), pay (``月薪4万起``, ``8k-12k``,
``$25/hr``), recruiting words (``急招``, ``诚聘``, ``hiring``) and perks (``包吃住``, ``五险一金``,
``不加班``, ``双休``), Simplified and Traditional alike. A text that would come out empty is
returned as it was (minus surrounding whitespace). Measured on the public development sets
(``scripts/eval_matching.py --devsets``, README "Matching quality").
"""

from __future__ import annotations

import re

_BRACKETS = re.compile(r"（[^（）]*）|\([^()]*\)|【[^【】]*】|\[[^\[\]]*\]|〔[^〔〕]*〕|<[^<>]*>")
_NUM = r"\d+(?:[.,]\d+)?"
_PAY = re.compile(
    rf"(?:底薪|月薪|年薪|日薪|时薪|時薪|薪资|薪資|工资|工資|薪水|月入|年入|收入|提成|綜合薪資|综合薪资)"
    rf"\s*[:：]?\s*(?:{_NUM}\s*(?:[kKwW千万萬元块塊%]+)?\s*(?:[-~～至到]\s*{_NUM}\s*"
    rf"(?:[kKwW千万萬元块塊%]+)?)?\s*(?:起|以上|/月|每月)?|面议|面議)"
    rf"|{_NUM}\s*[kKwW千万萬]\s*(?:[-~～至到]\s*{_NUM}\s*[kKwW千万萬]?)?\s*(?:元|块|塊)?\s*(?:起|以上|/月)?"
    rf"|{_NUM}\s*(?:元|块|塊)\s*(?:/\s*(?:月|天|时|時|小时|小時))?"
    rf"|\$\s*{_NUM}(?:\s*[-~]\s*\$?\s*{_NUM})?\s*(?:[kK])?\s*(?:/\s*(?:hr|hour|h|yr|year|mo|month))?"
    rf"|[+＋]\s*(?:提成|奖金|獎金|分红|分紅)\s*(?:{_NUM}\s*%?)?"
    rf"|薪资面议|薪資面議|待遇从优|待遇從優|高薪",
    re.IGNORECASE,
)
_WORDS = re.compile(
    r"急招|急聘|急徵|急征|急需|诚聘|誠聘|高薪诚聘|高薪誠聘|直招|直聘|招聘|招募|热招|熱招|长期招|長期招"
    r"|包吃包住|包吃住|包住|包吃|五险一金|五險一金|六险一金|六險一金|不加班|无需加班|無需加班"
    r"|双休|雙休|单休|單休|周休二日|週休二日|做五休二|月休\d+天|可兼职|可兼職|无经验可|無經驗可"
    r"|经验不限|經驗不限|学历不限|學歷不限|包培训|包培訓|带薪培训|帶薪培訓|年底双薪|年底雙薪"
    r"|\b(?:urgent(?:ly)?|hiring|now hiring|immediate start|no experience needed|weekends off"
    r"|great pay|competitive pay|sign[- ]on bonus|full[- ]time|part[- ]time)\b",
    re.IGNORECASE,
)
_PUNCT = r"[\s+＋,，、;；:：/|｜\-–—~～!！.。*]+"
_EDGES = re.compile(rf"^{_PUNCT}|{_PUNCT}$")
_INNER = re.compile(r"\s*[+＋,，、;；|｜!！*]+\s*|\s{2,}")


def clean_query(text: str) -> str:
    """The job in a noisy posting title or search text (the text itself when nothing is left)."""
    original = " ".join((text or "").split())
    out = _BRACKETS.sub(" ", original)
    out = _PAY.sub(" ", out)
    out = _WORDS.sub(" ", out)
    out = _INNER.sub(" ", out)
    out = _EDGES.sub("", out).strip()
    return out if out else original
