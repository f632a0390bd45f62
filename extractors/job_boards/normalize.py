"""Normalisation of raw job ads: pay, education, experience, place, industry, occupation, skills,
masked description and the keys dedup works with.

Every reader takes the text as the board shows it and returns None for what it cannot read: a
missing value is data the validator can count and quarantine, a guessed one is silent error.
The vocabularies (industry keywords, known employers, occupation keywords, the skills taxonomy) are
data files in `extractors/job_boards/data/`, each row with its source, so a domain expert can grow
them without reading this code.

`normalize_jsonl(in_stream, out_stream, name=...)` is what `talent postings normalize` calls: JSON
lines of raw ads in, JSON lines of normalised ads out (docs/job_boards.md lists every field).

Longer than ~400 lines on purpose: one small section per field, all applied by one `process_ad`
and read top to bottom; the vocabularies themselves are data in `data/`."""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
import time
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from extractors.job_boards.blocks import in_blocks
from extractors.job_boards.minhash import MINHASH_PERMUTATIONS, MINHASH_SEED, minhash_values  # noqa: F401
from extractors.job_boards.pay import (  # noqa: F401 - re-exported: the normaliser's field readers
    HOURS_PER_MONTH,
    experience_years,
    parse_salary,
    salary_fields,
)
from extractors.job_boards.pay import fold as _fold
from extractors.job_boards.place import (  # noqa: F401 - re-exported: the normaliser's field readers
    BAZHONG_CITY,
    CITY_LEVEL,
    COUNTIES,
    COUNTY_LABELS,
    NOT_STATED,
    OUTSIDE,
    parse_county,
)
from extractors.privacy import MASKS, scrub, scrub_value

log = logging.getLogger("extractors.job_boards.normalize")

DATA_DIR = Path(__file__).resolve().parent / "data"

RAW_FIELDS = (
    "title",
    "company",
    "salary",
    "education",
    "experience",
    "location",
    "description",
    "posted_at",
    "headcount",
    "source",
    "source_id",
    "url",
)
# Free text a recruiter typed: personal data is masked in every one of these before anything is
# written. Identifiers, URLs and dates carry none (masking a digit run in an id would break lineage).
FREE_TEXT_FIELDS = ("title", "company", "salary", "education", "experience", "location", "description")


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


# ---------------------------------------------------------------------------------------------
# keyword tables (data files)

OTHER_INDUSTRY = "其他"
# Words that contain an industry keyword but belong elsewhere.
_INDUSTRY_STOPWORDS = (
    "电子商务",
    "电子邮件",
    "电子邮箱",
    "电商",
    "申报材料",
    "培训材料",
    "宣传材料",
    "网络销售",
)


class KeywordTable:
    """Keywords → values. ASCII keywords match case-insensitively and only as whole tokens ("OTA"
    must not fire inside "IOTA"); Chinese ones as substrings. Every keyword found counts, also one
    inside a longer one ("机修" inside "机修工"), so `best` can fall back to it."""

    def __init__(self, pairs: Iterable[tuple[str, Any]]):
        self.values: dict[str, list[Any]] = {}
        for keyword, value in pairs:
            key = keyword.lower()
            self.values.setdefault(key, []).append(value)
        # Longest first, so the first hit of `best` on a length tie is the table's order.
        self.keys = sorted(self.values, key=lambda k: -len(k))
        self._rank = {k: i for i, k in enumerate(self.keys)}
        # Keywords by first character: a text is searched only for the keywords that start with one
        # of its characters (one regex pass finds which) instead of for all of them (hundreds, over
        # every description).
        self._by_first: dict[str, list[str]] = {}
        for k in self.keys:
            self._by_first.setdefault(k[:1], []).append(k)
        self._everywhere = self._by_first.pop("", [])  # an empty keyword is in every text
        self._firsts = re.compile(
            "[" + "".join(map(re.escape, self._by_first)) + "]" if self._by_first else "(?!)"
        )
        self.ascii = {
            k: re.compile(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])") for k in self.keys if k.isascii()
        }

    def matches(self, text: str | None) -> list[tuple[str, list[Any]]]:
        """Every (keyword, values) found in the text, longest keyword first."""
        if not text:
            return []
        s = _fold(text).lower()
        found = [*self._everywhere]
        by_first = self._by_first
        for first in set(self._firsts.findall(s)):
            found.extend(k for k in by_first[first] if k in s)
        if self.ascii:
            found = [k for k in found if k not in self.ascii or self.ascii[k].search(s)]
        found.sort(key=self._rank.__getitem__)
        return [(k, self.values[k]) for k in found]

    def best(self, text: str | None, accept=lambda value: True) -> Any:
        """The value of the longest matching keyword whose value `accept`s (first on ties)."""
        for _keyword, values in self.matches(text):
            for value in values:
                if accept(value):
                    return value
        return None


@lru_cache(maxsize=1)
def _tables() -> dict[str, Any]:
    industry_rows = _read_csv("industry_keywords.csv")
    strong = [(r["keyword"], r["industry"]) for r in industry_rows if r["strength"] == "strong"]
    weak = [(r["keyword"], r["industry"]) for r in industry_rows if r["strength"] == "weak"]
    # In descriptions only long or Latin keywords speak: two-character words ("材料", "网络",
    # "显示") turn up in every kind of ad text.
    described = [(k, v) for k, v in strong if len(k) >= 3]
    employers = [(r["employer"], r["industry"]) for r in _read_csv("employers.csv")]
    other = [(r["keyword"], r["industry"]) for r in industry_rows if r["strength"] == "other_employer"]
    occupations = [
        (r["keyword"], (r["industry"] or None, r["occupation_code"]))
        for r in _read_csv("occupation_keywords.csv")
    ]
    fallbacks = [
        (r["keyword"], (r["industry"] or None, r["occupation_code"]))
        for r in _read_csv("occupation_fallbacks.csv")
    ]
    occupation_table, fallback_table = KeywordTable(occupations), KeywordTable(fallbacks)
    for table in (occupation_table, fallback_table):
        for values in table.values.values():
            # a keyword's industry rows first: "普工" at a food plant is not the generic 普工
            values.sort(key=lambda v: v[0] is None)
    skills_rows = _read_csv("skills.csv")
    skill_order = {r["skill"]: i for i, r in enumerate(skills_rows)}
    skill_pairs = [
        (syn.strip(), r["skill"]) for r in skills_rows for syn in r["synonyms"].split("|") if syn.strip()
    ]
    return {
        "strong": KeywordTable(strong),
        "weak": KeywordTable(weak),
        "other": KeywordTable(other),
        "described": KeywordTable(described),
        "employers": KeywordTable(employers),
        "occupations": occupation_table,
        "occupation_fallbacks": fallback_table,
        "skills": KeywordTable(skill_pairs),
        "skill_order": skill_order,
    }


def _without_stopwords(text: str | None) -> str | None:
    if not text:
        return text
    s = _fold(text)
    for stop in _INDUSTRY_STOPWORDS:
        s = s.replace(stop, " ")
    return s


def classify_industry(title: str | None, company: str | None = None, description: str | None = None) -> str:
    """Industry of an ad: a domain word in the title, else a known employer, else a domain word in
    the company name, else a factory trade in the title, else a (long) domain word in the
    description, else 其他.

    The title comes first because staffing agencies post for every industry; the company next
    because "焊工" or "质检员" belong to whatever the employer makes. When several words match, the
    longest wins ("电子陶瓷" is new materials although "电子" is electronics)."""
    t = _tables()
    title_s, company_s = _without_stopwords(title), _without_stopwords(company)
    found = t["strong"].best(title_s) or t["employers"].best(company_s) or t["strong"].best(company_s)
    if found:
        return found
    if t["other"].best(company_s):
        # a builder's welder or a property firm's electrician does not make manufacturing demand
        return OTHER_INDUSTRY
    return t["weak"].best(title_s) or t["described"].best(_without_stopwords(description)) or OTHER_INDUSTRY


UNCLASSIFIED = "unclassified"  # the occupations seed's 未分类 row: no code of the seed fits the title
MANAGER_CODE = "1-06-00-00"  # 企业负责人: a manager whose title names no trade the seed knows
_ENGINEER = re.compile(r"工程师|研究员|研发")
# 主管护师/主管药师 are professional grades, not managers.
_MANAGER = re.compile(r"主管(?!护师|药师|技师|医师)|经理|总监|店长|院长|厂长|主任|总经理")


def classify_occupation(title: str | None, industry: str | None = None) -> str:
    """国家职业分类大典 (2022) code of the post from its title, or "unclassified" (never None).

    A keyword may be tied to an industry ("质检员" is 药物检验员 at a pharmacy maker, 电子产品检验员
    at an electronics plant); the longest keyword that fits the ad's industry wins, and for one keyword
    the row of the ad's industry beats the row for any industry ("普工" at a food plant is 农产品初加工工,
    elsewhere 其他生产制造人员). Head words that name no trade (普工, 操作工, an industry's 工程师) are
    fallbacks (`data/occupation_fallbacks.csv`), read only when no trade word matches: 烧结炉操作工 is a
    ceramics firer, not a generic 操作工. The 工程师 of a line is not its operator (大典 category 6), so an
    engineer title takes the longest non-operator keyword, e.g. the industry's 工程技术人员. A manager
    keeps a trade word the title names (景区运营主管 → 景区运营管理员) unless it is an operator's,
    else is 企业负责人."""
    folded = _fold(title or "")
    # 总经理助理 and 店长助理 assist a manager; they are not one
    engineer = bool(_ENGINEER.search(folded))
    manager = bool(_MANAGER.search(folded)) and "助理" not in folded
    if engineer or manager:

        def accept(v):
            return _fits(v, industry) and not (v[1] or "").startswith("6-")
    else:

        def accept(v):
            return _fits(v, industry)

    t = _tables()
    hit = t["occupations"].best(title, accept=accept) or t["occupation_fallbacks"].best(title, accept=accept)
    code = hit[1] if hit else None
    if not code and manager:
        return MANAGER_CODE
    return code or UNCLASSIFIED


def _fits(value: tuple[str | None, str], industry: str | None) -> bool:
    return value[0] is None or value[0] == industry


def extract_skills(*texts: str | None) -> list[str]:
    """Canonical skill names (skills taxonomy order) found in the texts via their synonyms."""
    t = _tables()
    found = {value for text in texts for _, values in t["skills"].matches(text) for value in values}
    return sorted(found, key=t["skill_order"].__getitem__)


# ---------------------------------------------------------------------------------------------
# education

EDUCATION_LEVELS = (
    "none",
    "junior_high",
    "high_school",
    "secondary_vocational",
    "associate",
    "bachelor",
    "master",
    "doctor",
)
_EDUCATION_PATTERNS = (
    ("junior_high", re.compile(r"初中|小学")),
    # 职高 (vocational high school) is secondary, 高职 (higher vocational college) is associate.
    ("secondary_vocational", re.compile(r"中专|中职|职高|技校|中技|职中|技工学校|技工")),
    ("high_school", re.compile(r"高中")),
    ("associate", re.compile(r"大专|专科|高职")),
    ("bachelor", re.compile(r"本科|学士|统招本")),
    ("master", re.compile(r"硕士|研究生")),
    ("doctor", re.compile(r"博士")),
)


def education_level(text: str | None) -> str | None:
    """The minimum education an ad asks for; "none" for 不限, None when not stated or unreadable.

    "大专及以上" → associate; "中专/高中" → the lower one."""
    if not text or not text.strip():
        return None
    s = _fold(text)
    if re.search(r"不限|无要求|无学历|不要求|学历不限", s):
        return "none"
    found = [level for level, pattern in _EDUCATION_PATTERNS if pattern.search(s)]
    if not found:
        return None
    return min(found, key=EDUCATION_LEVELS.index)


# ---------------------------------------------------------------------------------------------
# dates and counts

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
)


# What boards almost always send: read without strptime (its parse is most of this field's cost).
# Only a valid date returns here; anything else takes the formats below, so results are the same.
_PLAIN_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?: ([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?)?")


def parse_date(text: str | None) -> str | None:
    """YYYY-MM-DD or None."""
    if not text:
        return None
    s = _fold(str(text)).strip()
    plain = _PLAIN_DATE.fullmatch(s)
    if plain:
        try:
            return datetime(*(int(part) for part in plain.groups() if part is not None)).date().isoformat()
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(s).date().isoformat()  # 2025-03-05T10:22:00+08:00
    except ValueError:
        return None


def parse_headcount(value: object) -> int | None:
    """3, "3", "3人", "招3人" → 3; "若干", blanks → None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    m = re.search(r"\d+", _fold(str(value)))
    return int(m.group(0)) if m else None


# ---------------------------------------------------------------------------------------------
# dedup keys and the description signature

_BRACKETS = re.compile(r"【[^】]*】|\[[^\]]*\]|\([^)]*\)|（[^）]*）|<[^>]*>|《[^》]*》")
# "招聘" and "招" alone are not stripped: 招聘专员 and 招商经理 are jobs.
_DIGITS_TO_LETTERS = str.maketrans("0123456789", "ghijklmnop")
_TITLE_PREFIX = re.compile(
    r"^(?:高薪诚聘|高薪急聘|高薪招聘|长期招聘|急招|急聘|诚聘|直招|急需|热招|急缺|高薪)+"
)
_TITLE_SUFFIX = re.compile(r"(?:急招|急聘|若干名?|数名|多名|\d+名|\d+人)+$")
_PUNCT = re.compile(r"[\s·・•\-_—–~!！?？,，.。:：;；、|/\\*#★☆]+")
_COMPANY_PREFIX = re.compile(r"^(?:四川省|四川)")
_COMPANY_SUFFIX = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|集团|分公司|公司)+$")


def normalise_text_key(text: str | None) -> str:
    """Fold width and case and drop all whitespace: how two boards' copies of one ad compare equal."""
    if not text:
        return ""
    # Scrubbed (again) before folding: a key must never turn a full-width phone into plain digits.
    return re.sub(r"\s+", "", _fold(scrub(text))).lower()


def title_key(title: str | None) -> str:
    """The title without what boards and recruiters decorate it with: 【急招】焊工（包吃住）→ 焊工."""
    if not title:
        return ""
    s = _fold(scrub(title)).lower()  # masks are brackets, so they drop out below
    core = _BRACKETS.sub("", s)
    core = _PUNCT.sub("", core)
    core = _TITLE_SUFFIX.sub("", _TITLE_PREFIX.sub("", core))
    return core or normalise_text_key(title)


def company_key(company: str | None) -> str:
    """The employer without province prefix and legal form: 四川通友微电科技有限公司 → 通友微电科技."""
    if not company:
        return ""
    s = _PUNCT.sub("", _BRACKETS.sub("", _fold(company).lower()))
    core = _COMPANY_SUFFIX.sub("", _COMPANY_PREFIX.sub("", s))
    return core or normalise_text_key(company)


def place_key(county: str | None, location: str | None) -> str:
    """The place part of the dedup identity: the county (巴中市 for 市本级), or for ads outside
    Bazhong or of no stated place the location's city ("成都·高新区" → "成都"), so that equal titles in two cities stay apart."""
    if county == CITY_LEVEL:
        return BAZHONG_CITY  # the name keys were made with before issue 12: reposts keep their key
    if county and county not in COUNTY_LABELS:
        return county
    if not location:
        return ""
    return normalise_text_key(re.split(r"[·・•\-/ ]", location.strip(), maxsplit=1)[0])


def dedup_key(title: str | None, company: str | None, place: str | None, posted_at: str | None) -> str | None:
    """sha1 of title_key|company_key|place|YYYY-MM, its digits written as the letters g-p (40
    letters a-p); None when title or month is unknown.

    Hex keys in the warehouse now and then hold a run like 13912345678, which every privacy check
    downstream rightly takes for a phone number: a key without digits can never look like one."""
    if not title or not posted_at or not _ISO_DAY.match(posted_at):
        return None
    return _dedup_hash(title_key(title), company_key(company), place, posted_at)


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _dedup_hash(title_k: str, company_k: str, place: str | None, posted_at: str) -> str:
    ident = "|".join((title_k, company_k, place or "", posted_at[:7]))
    return hashlib.sha1(ident.encode("utf-8")).hexdigest().translate(_DIGITS_TO_LETTERS)


SHINGLE_SIZE = 3
_MASK_RE = re.compile("|".join(re.escape(m) for m in MASKS))
_NON_TEXT = re.compile(r"[\W_]+")
_HEX_TO_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def description_shingles(description: str | None) -> set[bytes]:
    """Character 3-grams of the description without masks, spaces and punctuation."""
    if not description:
        return set()
    s = _NON_TEXT.sub("", _MASK_RE.sub("", _fold(description).lower()))
    if len(s) < SHINGLE_SIZE:
        return {s.encode("utf-8")} if s else set()
    return {s[i : i + SHINGLE_SIZE].encode("utf-8") for i in range(len(s) - SHINGLE_SIZE + 1)}


def description_minhash(description: str | None) -> str | None:
    """MinHash signature (datasketch, 128 permutations, fixed seed) of the description as 128
    8-letter values: equal positions / 128 estimates the Jaccard similarity of two ads' texts.
    The warehouse compares signatures to find near-duplicates (int_postings_near_duplicates_flagged).

    Each 32-bit value is written in hex with the letters a-p for 0-f: a signature without digits can
    never look like a phone or ID number to the privacy checks downstream."""
    shingles = description_shingles(description)
    if not shingles:
        return None
    return minhash_values(shingles).astype(">u4").tobytes().hex().translate(_HEX_TO_LETTERS)


# ---------------------------------------------------------------------------------------------
# the record


def scrub_ad(raw: dict) -> dict:
    """A copy of a raw ad with personal data masked in every string, at any depth (a board's
    extra fields can be lists or objects); only identifiers (IDENTIFIER_KEYS) are kept as they are."""
    return scrub_value(raw)


def _as_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _iso_date(value: date | str | None) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


# Short fields repeat from ad to ad (大专, 1-3年, 4000-6000元/月, the same employers and titles) and
# their readers are pure: each distinct value is read once. The description, which rarely repeats,
# is not a key of any of these.
_salary_fields = lru_cache(maxsize=8192)(salary_fields)  # a shared dict: only copied from, never changed
_education_level = lru_cache(maxsize=1024)(education_level)
_experience_years = lru_cache(maxsize=1024)(experience_years)
_parse_date = lru_cache(maxsize=8192)(parse_date)
_title_key = lru_cache(maxsize=8192)(title_key)
_company_key = lru_cache(maxsize=8192)(company_key)
_classify_occupation = lru_cache(maxsize=8192)(classify_occupation)


def normalize_ad(raw: dict, *, window_end: date | str | None = None, signature: bool = False) -> dict:
    """A raw ad (RAW_FIELDS, personal data already masked) → the normalised record.

    A posted_at that cannot be read is kept as the board wrote it, so the validator quarantines the
    row with the offending value visible instead of it vanishing as a null. `window_end` (the last
    day the extraction covered) lets the validator refuse ads dated after it; `signature` adds the
    description MinHash the warehouse's near-duplicate step needs."""
    rec: dict[str, Any] = {field: raw.get(field) for field in RAW_FIELDS}
    for field in (*FREE_TEXT_FIELDS, "source", "source_id", "url"):
        rec[field] = _as_text(rec[field])
    rec["parse_error"] = raw.get("parse_error")
    posted = _parse_date(rec["posted_at"]) if type(rec["posted_at"]) is str else parse_date(rec["posted_at"])
    if posted is not None:
        rec["posted_at"] = posted
    elif isinstance(rec["posted_at"], str) and not rec["posted_at"].strip():
        rec["posted_at"] = None
    elif rec["posted_at"] is not None:
        rec["posted_at"] = _as_text(rec["posted_at"])
    rec["headcount"] = parse_headcount(raw.get("headcount"))
    rec.update(_salary_fields(rec["salary"]))
    rec["education_level"] = _education_level(rec["education"])
    rec["experience_min_years"], rec["experience_max_years"] = _experience_years(rec["experience"])
    rec["county"], rec["in_region"] = parse_county(rec["location"], rec["description"])
    rec["industry"] = classify_industry(rec["title"], rec["company"], rec["description"])
    rec["occupation_code"] = _classify_occupation(rec["title"], rec["industry"])
    rec["skills"] = extract_skills(rec["title"], rec["description"])
    rec["skill_tags"] = "|" + "|".join(rec["skills"]) + "|" if rec["skills"] else None
    title_k, company_k = _title_key(rec["title"]), _company_key(rec["company"])
    rec["title_key"] = title_k or None
    rec["company_key"] = company_k or None
    # dedup_key(), with the keys made once
    rec["dedup_key"] = (
        _dedup_hash(title_k, company_k, place_key(rec["county"], rec["location"]), posted)
        if rec["title"] and posted and _ISO_DAY.match(posted)
        else None
    )
    rec["window_end"] = _iso_date(window_end)
    if signature:
        rec["description_minhash"] = description_minhash(rec["description"])
    return rec


def process_ad(raw: dict, **kwargs: Any) -> dict:
    """Scrub, then normalise: the dedup key and classifiers never see (or leak) a phone number."""
    return normalize_ad(scrub_ad(raw), **kwargs)


_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # = json.dumps(…, same options)


def normalize_jsonl(
    in_stream: IO[str], out_stream: IO[str], *, name: str = "<stdin>", workers: int = 1
) -> dict:
    """Read JSON lines of raw ads, write one JSON line per input line, return counts.

    Each output line is the ad with personal data masked and every normalised field added (see
    docs/job_boards.md). A line that is not a JSON object is not skipped: its output line is
    `{"error": "<name>:<line>: …", "input": name, "line": n}` and a warning names the same place.
    Blank lines are ignored. `workers` > 1 normalises blocks of lines in that many processes and
    writes them in input order: the same output, faster on a large file."""
    name = "<stdin>" if name in ("-", "") else name
    started = time.perf_counter()
    stats = {"input": name, "lines": 0, "records": 0, "errors": 0, "blank": 0}
    for out, counts, warnings in in_blocks(in_stream, _normalize_block, name, workers):
        for message in warnings:
            log.warning("%s", message)
        out_stream.write(out)
        for key, count in counts.items():
            stats[key] += count
    elapsed = time.perf_counter() - started
    stats["seconds"] = round(elapsed, 3)
    stats["ads_per_second"] = round(stats["records"] / elapsed, 1) if elapsed > 0 else None
    return stats


def _normalize_block(first: int, lines: list[str], name: str) -> tuple[str, dict, list]:
    """Output text, counts and warnings of input lines numbered from `first`."""
    out: list[str] = []
    warnings: list[str] = []
    counts = {"lines": len(lines), "records": 0, "errors": 0, "blank": 0}
    for number, line in enumerate(lines, start=first):
        if not line.strip():
            counts["blank"] += 1
            continue
        try:
            raw = json.loads(line)
            if not isinstance(raw, dict):
                raise ValueError(f"expected a JSON object, got {type(raw).__name__}")
        except ValueError as exc:
            message = f"{name}:{number}: malformed input line: {exc}"
            warnings.append(message)
            out.append(
                json.dumps({"error": message, "input": name, "line": number}, ensure_ascii=False) + "\n"
            )
            counts["errors"] += 1
            continue
        rec = process_ad(raw)
        extra = {k: v for k, v in raw.items() if k not in rec and k not in FREE_TEXT_FIELDS}
        # keys the contract does not know pass through, text ones masked like the rest
        for key, value in extra.items():
            rec[key] = scrub_value(value)
        out.append(_ENCODE(rec) + "\n")
        counts["records"] += 1
    return "".join(out), counts, warnings
