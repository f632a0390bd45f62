"""Thin normalisation of raw job ads: salary range, county, industry, education level, dedup key.

Every function takes the text as the board shows it and returns None for what it cannot read:
a missing value is data the validator can count and quarantine, a guessed one is silent error.
Deliberately simple; keyword tables are meant to grow with the real boards' vocabulary."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime

# ---------------------------------------------------------------------------------------------
# salary

WORKING_DAYS_PER_MONTH = 21.75  # the statutory monthly average (人社部 2008)
HOURS_PER_DAY = 8
_UNITS = {"k": 1000, "千": 1000, "w": 10000, "万": 10000, "元": 1, None: 1}
_NUM = r"(\d+(?:\.\d+)?)\s*(k|千|万|w|元)?"
_RANGE = re.compile(_NUM + r"\s*(?:-|~|至|到|—|–)+\s*" + _NUM)
_SINGLE = re.compile(_NUM)
_MONTHS = re.compile(r"(\d{1,2})\s*薪")


def _tidy(text: str) -> str:
    # NFKC folds full-width digits, letters and "～" so one set of patterns covers both widths.
    return unicodedata.normalize("NFKC", text).lower().replace(",", "").replace("，", "")


def _number(value: float) -> float | int:
    value = round(value, 2)
    return int(value) if value == int(value) else value


def parse_salary(text: str | None) -> tuple[float | int | None, float | int | None, int | None]:
    """(salary_min, salary_max, salary_months) in CNY per month; all None when unreadable or 面议.

    6-8K·13薪 → (6000, 8000, 13); 4000-6000元/月 → (4000, 6000, 12); 10-15万/年 → (8333.33, 12500, 12);
    1.5万-2万 → (15000, 20000, 12); 200元/天 → (4350, 4350, 12); 5000元以上 → (5000, None, 12)."""
    if not text:
        return None, None, None
    s = _tidy(text)
    if "面议" in s or "negotiable" in s or "待遇优厚" == s.strip():
        return None, None, None
    months = None
    m = _MONTHS.search(s)
    if m:
        months = int(m.group(1))
        s = s[: m.start()] + s[m.end() :]

    if re.search(r"年薪|/年|每年|元年|万年", s):
        per_month = 1 / 12
    elif re.search(r"日薪|/天|/日|每天|元天|元日", s):
        per_month = WORKING_DAYS_PER_MONTH
    elif re.search(r"时薪|/小时|/时|每小时", s):
        per_month = WORKING_DAYS_PER_MONTH * HOURS_PER_DAY
    else:
        per_month = 1.0

    lo = hi = None
    r = _RANGE.search(s)
    if r:
        lo_v, lo_u, hi_v, hi_u = r.groups()
        # "6-8K", "1.5-2万": a unit written once applies to both ends.
        lo_u = lo_u or hi_u
        hi_u = hi_u or lo_u
        lo = float(lo_v) * _UNITS[lo_u] * per_month
        hi = float(hi_v) * _UNITS[hi_u] * per_month
        if lo > hi:
            lo, hi = hi, lo
    else:
        single = _SINGLE.search(s)
        if not single:
            return None, None, None
        value = float(single.group(1)) * _UNITS[single.group(2)] * per_month
        tail = s[single.end() :]
        if re.search(r"以上|起|及以上|\+", tail):
            lo = value
        elif re.search(r"以下|以内|封顶", tail):
            hi = value
        else:
            lo = hi = value

    # Below 100 CNY a month is not a wage: a bare "6-8" whose unit the board dropped. Better
    # unknown than off by a factor of 1000.
    if any(v is not None and v < 100 for v in (lo, hi)):
        return None, None, None
    return (
        _number(lo) if lo is not None else None,
        _number(hi) if hi is not None else None,
        months or 12,
    )


# ---------------------------------------------------------------------------------------------
# county

BAZHONG_CITY = "巴中市"
COUNTIES = ("巴州区", "恩阳区", "通江县", "南江县", "平昌县", "巴中经开区")
_COUNTY_PATTERNS = (
    ("恩阳区", re.compile(r"恩阳")),
    ("通江县", re.compile(r"通江")),
    ("南江县", re.compile(r"南江")),
    ("平昌县", re.compile(r"平昌")),
)
_DEV_ZONE = re.compile(r"经开区|经济技术开发区|经济开发区|开发区")


def parse_county(location: str | None) -> tuple[str | None, bool | None]:
    """(county, in_region) from a location such as "巴中·恩阳区" or "巴中 巴州区".

    A Bazhong county → (county, True); only the city → ("巴中市", True); elsewhere → (None, False);
    no location at all → (None, None), because unknown is not the same as outside."""
    if not location or not location.strip():
        return None, None
    s = unicodedata.normalize("NFKC", location).replace(" ", "")
    for county, pattern in _COUNTY_PATTERNS:
        if pattern.search(s):
            return county, True
    # "巴州" alone is also Xinjiang's 巴音郭楞 prefecture: only trust it with 区 or next to 巴中.
    if "巴州区" in s or ("巴州" in s and "巴中" in s):
        return "巴州区", True
    if _DEV_ZONE.search(s):
        # Every city has a 经开区; it is ours only when no other city is named.
        other_city = re.search(r"([\u4e00-\u9fff]{2,3})市", s)
        if "巴中" in s or not other_city or other_city.group(1) == "巴中":
            return "巴中经开区", True
    if "巴中" in s:
        return BAZHONG_CITY, True
    return None, False


# ---------------------------------------------------------------------------------------------
# industry

OTHER_INDUSTRY = "其他"
# Domain words: they name the industry whether they sit in a title or a company name. When several
# match, the longest keyword wins ("电子陶瓷" is new materials although "电子" is electronics,
# "健康管理师" is a 康养 post although a "健康管理" company is biomedicine).
INDUSTRY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "新材料": (
        "新材料",
        "材料",
        "陶瓷",
        "电子陶瓷",
        "石墨烯",
        "光伏",
        "硅能",
        "CVD",
        "PVD",
        "镀膜",
        "烧结",
        "锂电",
    ),
    "生物医药": (
        "医药",
        "制药",
        "药品",
        "药业",
        "药物",
        "中药",
        "药剂",
        "药师",
        "GMP",
        "配方颗粒",
        "原料药",
        "制剂",
        "生物科技",
        "生物医药",
        "生物制药",
        "医疗器械",
        "疫苗",
        "健康管理",
        "护士",
    ),
    "食品饮料": (
        "食品",
        "饮料",
        "白酒",
        "酒业",
        "酿酒",
        "酿造",
        "调味",
        "茶叶",
        "茶业",
        "冷链",
        "农产品",
        "农特产品",
        "粮油",
        "烘焙",
        "HACCP",
        "生态农业",
        "自动化包装线",
    ),
    "文旅康养": (
        "旅游",
        "文旅",
        "导游",
        "景区",
        "讲解员",
        "酒店",
        "民宿",
        "客房",
        "康养",
        "养老",
        "康复",
        "护理员",
        "健康管理师",
        "文创",
        "OTA",
        "餐饮",
        "温泉",
        "度假",
        "文化传媒",
        "研学",
    ),
    "电子信息": (
        "电子",
        "芯片",
        "半导体",
        "集成电路",
        "显示",
        "光电",
        "PCB",
        "SMT",
        "AOI",
        "软件",
        "开发工程师",
        "嵌入式",
        "通信",
        "网络",
        "IT运维",
        "信息技术",
        "数据标注",
        "智能科技",
    ),
    "智能制造": (
        "智能制造",
        "数控",
        "CNC",
        "PLC",
        "机器人",
        "机电",
        "智能装备",
        "装备",
        "机械",
        "自动化",
        "模具",
        "汽车零部件",
    ),
}
# Trades that every factory hires: they say "manufacturing" only when nothing else speaks.
WEAK_INDUSTRY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "智能制造": ("焊工", "焊接", "钳工", "车工", "电工", "装配", "设备维修", "设备维护", "机修"),
}
# Employers whose names carry no industry word (from the planning documents).
KNOWN_EMPLOYERS: dict[str, str] = {
    "通友微电": "新材料",
    "国药天江": "生物医药",
    "高显科技": "电子信息",
    "鑫亚商显": "电子信息",
}
# Words that contain an industry keyword but belong elsewhere.
_INDUSTRY_STOPWORDS = ("电子商务", "电子邮件", "电子邮箱", "电商")


def _best_keyword(text: str | None, table: dict[str, tuple[str, ...]]) -> str | None:
    if not text:
        return None
    s = unicodedata.normalize("NFKC", text)
    for stop in _INDUSTRY_STOPWORDS:
        s = s.replace(stop, " ")
    upper = s.upper()
    best, best_len = None, 0
    for industry, keywords in table.items():
        for k in keywords:
            if len(k) > best_len and (k.upper() in upper if k.isascii() else k in s):
                best, best_len = industry, len(k)
    return best


def classify_industry(title: str | None, company: str | None = None) -> str:
    """Industry of an ad: a domain word in the title, else a known employer, else a domain word in
    the company name, else a factory trade in the title, else 其他.

    The title comes first because staffing agencies post for every industry; the company next
    because "焊工" or "质检员" belong to whatever the employer makes."""
    found = _best_keyword(title, INDUSTRY_KEYWORDS)
    if found:
        return found
    if company:
        for name, industry in KNOWN_EMPLOYERS.items():
            if name in company:
                return industry
    return (
        _best_keyword(company, INDUSTRY_KEYWORDS)
        or _best_keyword(title, WEAK_INDUSTRY_KEYWORDS)
        or OTHER_INDUSTRY
    )


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
    ("junior_high", re.compile(r"初中")),
    # 职高 (vocational high school) is secondary, 高职 (higher vocational college) is associate.
    ("secondary_vocational", re.compile(r"中专|中职|职高|技校|中技|职中|技工")),
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
    s = unicodedata.normalize("NFKC", text)
    if re.search(r"不限|无要求|无学历|不要求", s):
        return "none"
    found = [level for level, pattern in _EDUCATION_PATTERNS if pattern.search(s)]
    if not found:
        return None
    return min(found, key=EDUCATION_LEVELS.index)


# ---------------------------------------------------------------------------------------------
# dates, counts and the dedup key

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
)


def parse_date(text: str | None) -> str | None:
    """YYYY-MM-DD or None."""
    if not text:
        return None
    s = unicodedata.normalize("NFKC", str(text)).strip()
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
    m = re.search(r"\d+", unicodedata.normalize("NFKC", str(value)))
    return int(m.group(0)) if m else None


def normalise_text_key(text: str | None) -> str:
    """Fold width and case and drop all whitespace: how two boards' copies of one ad compare equal."""
    if not text:
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def place_key(county: str | None, location: str | None) -> str:
    """The place part of the dedup identity: the county, or for ads outside Bazhong (county None)
    the location's city ("成都·高新区" → "成都"), so that equal titles in two cities stay apart."""
    if county:
        return county
    if not location:
        return ""
    return normalise_text_key(re.split(r"[·・•\-/ ]", location.strip(), maxsplit=1)[0])


def dedup_key(title: str | None, company: str | None, place: str | None, posted_at: str | None) -> str | None:
    """sha1 of normalised title|company|place|YYYY-MM; None when title or month is unknown.

    `place` is `place_key(county, location)`: the county inside Bazhong."""
    if not title or not posted_at or not re.match(r"^\d{4}-\d{2}-\d{2}$", posted_at):
        return None
    ident = "|".join((normalise_text_key(title), normalise_text_key(company), place or "", posted_at[:7]))
    return hashlib.sha1(ident.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------

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


def normalize_ad(raw: dict) -> dict:
    """A raw ad (RAW_FIELDS) → the landed record (contract section 2, `job_board_*`).

    A posted_at that cannot be read is kept as the board wrote it, so the validator quarantines the
    row with the offending value visible instead of it vanishing as a null."""
    rec = {field: raw.get(field) for field in RAW_FIELDS}
    posted = parse_date(rec["posted_at"])
    if posted is not None:
        rec["posted_at"] = posted
    elif isinstance(rec["posted_at"], str) and not rec["posted_at"].strip():
        rec["posted_at"] = None
    rec["headcount"] = parse_headcount(rec["headcount"])
    rec["salary_min"], rec["salary_max"], rec["salary_months"] = parse_salary(rec["salary"])
    rec["county"], rec["in_region"] = parse_county(rec["location"])
    rec["industry"] = classify_industry(rec["title"], rec["company"])
    rec["education_level"] = education_level(rec["education"])
    rec["dedup_key"] = dedup_key(
        rec["title"], rec["company"], place_key(rec["county"], rec["location"]), posted
    )
    return rec
