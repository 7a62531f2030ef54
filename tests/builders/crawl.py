"""Crawl a served workbridge as one logged-in browser page and find words in the wrong language.

:func:`crawl` follows same-origin links (GET only; never logout, delete, downloads, the JSON
API, static files or the language switch) and addresses shown in ``<code>`` (the lender's
acknowledgement links), one page per kind: ids and tokens in the path and free query
values are normalised, so one vacancy page stands for all. On each page it reads what a
person sees: every visible text node (closed ``<details>`` opened first), the ``<title>``,
placeholders, option texts and button values. Text inside ``<code>``, ``<pre>``, ``<kbd>``,
``<samp>`` or an element marked ``translate="no"`` is skipped: that is how a page shows
machine text (a command, an address) or a deliberately fixed language.

:func:`findings` judges that text. Data are not UI: what people and organisations typed or
the demo generated (names of enterprises, agencies and people, also masked, vacancy and
request titles, descriptions, skills, provinces, sites, notes, subsidy rule names, token
names) is shown as stored, in whatever language it was written (:class:`DataWords`, read
from the database by :func:`data_words`). Districts are not data: they have English names
(``web/labels.py``'s ``|district``). Notifications, outbox messages and audit details are
not data either: the system wrote them, they follow the reader's language.

- zh pages: an English run of two or more words (``open gaps``, ``Ranked by``) or a word of
  :data:`UI_WORDS`, unless it is data; emails, URLs, numbers, ``km``, the brand and the
  language switch's ``English`` are allowed.
- en pages: a run of Chinese characters, unless it is data (a short run must be a whole data
  value or made of whole values, e.g. skill chips) or the switch's ``中文`` / the brand's
  ``就业桥``; a district in Chinese.
- both: a raw code (``long_term``, ``net_fen``, any snake_case or dotted code, a text that
  is just an enum value such as ``approved``, on en pages when the en catalog has another
  English for it), a field code (``email:``), ``user:4``, a time with seconds, ``{{``,
  ``Traceback``, an address with a query string, a server error (HTTP 5xx); ``None`` on
  zh pages (on en pages it is also the English of the word ``none``).
"""

from __future__ import annotations

import functools
import gettext
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import select

from builders.crawl_rules import (
    ALLOWED_ASCII,
    ALLOWED_CJK,
    ALWAYS,
    ASCII_WORD,
    CJK_RUN,
    DATA_COLUMNS,
    DISTRICT_NAMES,
    DOTTED,
    EMAIL_URL,
    EN_MO,
    EN_RUN,
    ENUM_VALUES,
    FIELD_CODE,
    FREE_KEYS,
    MODE_VALUE,
    NONE,
    PERSON_NAMES,
    RAW_ADDRESS,
    SKIP_PATH,
    SKIP_QUERY,
    SNAKE,
    TOKENISH,
    UI_WORDS,
)
from matcher.db import UnitOfWork

log = logging.getLogger(__name__)

EXTRACT_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const skip = 'code, pre, kbd, samp, script, style, noscript, template, [translate=no]';
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const t = n.nodeValue.replace(/\\s+/g, ' ').trim();
    const el = n.parentElement;
    if (!t || !el || el.closest(skip)) continue;
    const box = el.tagName === 'OPTION' ? el.closest('select') : el;
    if (box && !box.checkVisibility({visibilityProperty: true})) continue;
    texts.push(t);
  }
  document.querySelectorAll('[placeholder]').forEach(
      e => texts.push(e.getAttribute('placeholder')));
  document.querySelectorAll('input[type=submit], input[type=button]').forEach(
      e => texts.push(e.value));
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href).concat(
      Array.from(document.querySelectorAll('code')).map(c => c.innerText.trim())
        .filter(t => t.startsWith(location.origin + '/')));
  const fixed = document.documentElement.getAttribute('translate') === 'no';
  return {texts: fixed ? texts : [document.title, ...texts], links};
}"""


@dataclass
class DataWords:
    """Texts of data: whole values (lower-cased pieces) and one joined corpus."""

    tokens: set[str] = field(default_factory=set)
    corpus: str = ""

    def add(self, value: Any) -> None:
        """Add one stored value (a string or a JSON list of strings)."""
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if not isinstance(v, str) or not v.strip():
                continue
            low = v.strip().lower()
            self.tokens.add(low)
            self.tokens.update(p.strip() for p in CJK_RUN.findall(low))
            self.tokens.update(p.strip(" -'") for p in re.split(r"[^a-z0-9 '\-’]+", low)
                               if p.strip(" -'"))
            self.corpus += "\n" + low

    def has(self, text: str, long: bool) -> bool:
        """``text`` is a whole data value, or (``long``) appears inside one."""
        low = text.strip().lower()
        if low in self.tokens or self._joined(low):
            return True
        return long and re.search(rf"(?<![a-z]){re.escape(low)}(?![a-z])", self.corpus) is not None


    def _joined(self, run: str) -> bool:
        """A Chinese run made of whole data values of two or more characters (chips or a
        city and district shown side by side)."""
        if not CJK_RUN.fullmatch(run):
            return False
        ok = [True] + [False] * len(run)
        for end in range(2, len(run) + 1):
            ok[end] = any(ok[start] and run[start:end] in self.tokens
                          for start in range(max(0, end - 40), end - 1))
        return ok[-1]


def data_words(uow: UnitOfWork) -> DataWords:
    """Every data text of the database (see :data:`DATA_COLUMNS`)."""
    from matcher.models import Base

    words = DataWords()
    for name, columns in DATA_COLUMNS.items():
        table = Base.metadata.tables[name]
        for row in uow.s.execute(select(*(table.c[c] for c in columns))):
            for column, value in zip(columns, row, strict=True):
                words.add(value)
                if (name, column) in PERSON_NAMES and value:
                    words.tokens.add(str(value)[0])
    words.tokens -= DISTRICT_NAMES
    return words


@dataclass
class Finding:
    """One offending text on one page."""

    url: str
    lang: str
    kind: str
    text: str

    def __str__(self) -> str:
        return f"[{self.lang}] {self.url}  {self.kind}: {self.text!r}"


def _context(text: str, start: int, end: int, width: int = 120) -> str:
    """The text around one match (all of it when short)."""
    if len(text) <= width:
        return text
    left = max(0, min(start - width // 3, len(text) - width))
    tail = "…" if left + width < len(text) else ""
    return ("…" if left else "") + text[left:left + width] + tail


def findings(url: str, lang: str, seen: dict[str, Any], data: DataWords) -> list[Finding]:
    """What on one page breaks the language rules (``seen`` is :data:`EXTRACT_JS`'s result)."""
    segments = [str(t).strip() for t in seen.get("texts", ()) if t and str(t).strip()]
    out: list[Finding] = []
    found: set[str] = set()

    def add(kind: str, text: str, start: int = 0, end: int = 0) -> None:
        """One finding per text segment (the first kind found)."""
        if text not in found:
            found.add(text)
            out.append(Finding(url, lang, kind, _context(text, start, end)))

    for seg in segments:
        if seg in ENUM_VALUES and not data.has(seg, False) and (
                lang == "zh" or _english(seg) != seg):  # en: "open" where "Open" is meant
            add("raw enum value", seg)
            continue
        if lang == "zh" and (m := NONE.search(seg)):
            add("None", seg, m.start(), m.end())
        for kind, rx in ALWAYS:
            for m in rx.finditer(seg):
                add(kind, seg, m.start(), m.end())
        for m in RAW_ADDRESS.finditer(seg):
            add("address with a query in the text", seg, m.start(), m.end())
        clean = EMAIL_URL.sub(" ", seg)
        for m in SNAKE.finditer(clean):
            if not data.has(m.group(0), False):
                add("raw code", clean, m.start(), m.end())
        for m in DOTTED.finditer(clean):
            add("raw code", clean, m.start(), m.end())
        clean = DOTTED.sub(" ", clean)
        for m in FIELD_CODE.finditer(clean):
            if "_" in m.group(1) or m.start() == 0:
                add("field code", clean, m.start(), m.end())
        if lang == "zh":
            _zh(clean, data, add)
        else:
            _en(clean, data, add)
    return out


@functools.cache
def _catalog() -> gettext.NullTranslations:
    if not EN_MO.exists():
        return gettext.NullTranslations()
    with EN_MO.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def _english(code: str) -> str:
    """A code's English as the en catalog has it (the code itself when it has none)."""
    return _catalog().gettext(code)


def _zh(seg: str, data: DataWords, add: Any) -> None:
    """English runs (not data), else single English UI words, in one segment of a zh page."""
    runs = list(EN_RUN.finditer(seg))
    for m in runs:
        if m.group(0).lower() not in ALLOWED_ASCII and not data.has(m.group(0), True):
            add("English on a zh page", seg, m.start(), m.end())
            return
    covered = [(m.start(), m.end()) for m in runs]
    for m in ASCII_WORD.finditer(seg):
        word = m.group(0).lower()
        if word in UI_WORDS and not data.has(word, False) and \
                not any(a <= m.start() < b for a, b in covered):
            add("English UI word on a zh page", seg, m.start(), m.end())
            return


def _en(seg: str, data: DataWords, add: Any) -> None:
    for m in CJK_RUN.finditer(seg):
        run = m.group(0)
        if run in DISTRICT_NAMES:
            add("untranslated district on an en page", seg, m.start(), m.end())
            return
        if run in ALLOWED_CJK or data.has(run, len(run) >= 4):
            continue
        add("Chinese on an en page", seg, m.start(), m.end())
        return


def page_key(url: str, distinct: tuple[str, ...] = ()) -> str:
    """One key per kind of page: ids and tokens in the path (unless it matches a pattern of
    ``distinct``) and free query values (numbers, search words, names) normalised; a short
    lower-case query value (a status, a rule) makes a page of another kind."""
    parts = urlsplit(url)
    path = parts.path
    if not any(re.search(rx, path) for rx in distinct):
        path = "/".join("{id}" if TOKENISH.match(p) else p for p in path.split("/"))
    query = sorted((k, v if k not in FREE_KEYS and MODE_VALUE.match(v) else "*")
                   for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang")
    return path + ("?" + urlencode(query) if query else "")


def followable(url: str, origin: str) -> bool:
    """A same-origin GET page worth reading (no logout/delete/download/API/static/switch)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.scheme not in ("http", "https"):
        return False
    return not SKIP_PATH.search(parts.path) and not SKIP_QUERY.search(parts.query)


@dataclass
class CrawlResult:
    """The pages read (url -> status) and what was found on them."""

    pages: dict[str, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0


def crawl(page: Any, base: str, lang: str, data: DataWords, starts: tuple[str, ...] = ("/",),
          cap: int = 150, distinct: tuple[str, ...] = ()) -> CrawlResult:
    """Read every kind of page reachable from ``starts`` (breadth first, at most ``cap``);
    paths matching a pattern of ``distinct`` are read one by one (e.g. every agreement)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    result, t0 = CrawlResult(), time.monotonic()
    queue = [base.rstrip("/") + s for s in starts]
    keys = {page_key(queue[0], distinct)}  # the other starts (error pages) are read as well
    while queue and len(result.pages) < cap:
        url = queue.pop(0).split("#", 1)[0]
        try:
            resp = page.goto(url, wait_until="domcontentloaded")
        except Exception as exc:  # a download or a navigation error: reported, not followed
            log.info("skipped %s: %s", url, exc)
            continue
        status = resp.status if resp is not None else 0
        ctype = (resp.headers.get("content-type", "") if resp is not None else "")
        path = page.url[len(origin):] or "/"
        result.pages[path] = status
        if "html" not in ctype:
            continue
        if status >= 500:
            result.findings.append(Finding(path, lang, "HTTP status", str(status)))
        seen = page.evaluate(EXTRACT_JS)
        result.findings.extend(findings(path, lang, seen, data))
        for link in seen["links"]:
            link = link.split("#", 1)[0]
            if followable(link, origin) and (key := page_key(link, distinct)) not in keys:
                keys.add(key)
                queue.append(link)
    result.seconds = time.monotonic() - t0
    return result
