"""Job postings for the two sample boards (巴中招聘网 `zhaopin`, 巴山人才网 `rencai`).

An *ad* is one vacancy an employer advertises in one month. Each ad becomes one or more *items*:
the ad on board zhaopin, on board rencai, or on both (a cross-board duplicate), plus reposts
(the same ad again on the same board with a new id later in the same month). The requested
`postings` count is the number of items over both boards.

The data is written month by month so memory stays flat however many postings are asked for:
`_data/zhaopin.jsonl` and `_data/rencai.jsonl` hold one item a line as
`YYYYMMDD<TAB>ID<TAB>{json}` in ascending (true publish time, id) order. The leading date is the
item's real date, which the server filters and sorts on even when the displayed date is broken
on purpose (the malformed rows a validator should quarantine).

Truth counts unique ads by the ad's identity (title + company + county + month) as the generator
drew it. Two ads that happen to draw the same identity are counted once, because the warehouse
cannot tell them apart either. Malformed items are standalone ads and are left out of the unique
counts.

Copies of an ad are not always verbatim, as on real boards: a repost or a cross-board copy may
decorate the title (【急招】焊工（包吃住）), write the employer without its province or legal form,
abbreviate the employer to its brand, paraphrase the title (焊工 → 电焊工) or add a line to the
description. The first two are undone by the warehouse's exact dedup key; the last three need its
near-duplicate step. `_data/postings_truth.jsonl` says, for every item, which ad it is a copy of
and how it was varied: the answer key for dedup precision and recall.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random

from sample_sources import vocabulary as vocab
from sample_sources.posting_texts import Weighted, ad_description, salary_texts
from sample_sources.posting_vocabulary import (
    _EMAIL_WORDS as _EMAIL_WORDS,
)
from sample_sources.posting_vocabulary import (
    _HOUR_WEIGHTS as _HOUR_WEIGHTS,
)
from sample_sources.posting_vocabulary import (
    _IMPLAUSIBLE_SALARIES as _IMPLAUSIBLE_SALARIES,
)
from sample_sources.posting_vocabulary import (
    _MOBILE_PREFIXES as _MOBILE_PREFIXES,
)
from sample_sources.posting_vocabulary import (
    _VARIANTS as _VARIANTS,
)
from sample_sources.posting_vocabulary import (
    MALFORMED_REASONS as MALFORMED_REASONS,
)
from sample_sources.posting_vocabulary import (
    SALARY_GROWTH as SALARY_GROWTH,
)

ZHAOPIN_DETAIL_URL = "https://www.bzzhaopin.example.cn/job/{}"
MONTHS_COVERED = 36
OUTSIDE_SHARE = 0.10  # ads for jobs outside Bazhong (成都市, 南充市, 达州市)
CITY_LEVEL_SHARE = 0.04  # Bazhong ads that name only the city (county 巴中市)
MALFORMED_SHARE = 0.027  # of ads; they are single items, so about 2% of items
_HOURS = Weighted(_HOUR_WEIGHTS.items())
_OUTSIDE_CITY = Weighted(vocab.OUTSIDE_SHARES)
_REPOSTS = Weighted(((0, 85), (1, 12), (2, 3)))
_VARIANT = Weighted(_VARIANTS)
_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司")


def company_core(name: str) -> str:
    """An employer without province prefix and legal form (四川通友微电科技有限公司 → 通友微电科技):
    invented employers must differ in this, or two of them would be one to any reader."""
    core = name.removeprefix("四川省").removeprefix("四川")
    for form in _LEGAL_FORMS:
        if core.endswith(form):
            return core.removesuffix(form)
    return core


_EDUCATION = {level: Weighted(pairs) for level, pairs in vocab.EDUCATION_BY_LEVEL.items()}
_EXPERIENCE = {level: Weighted(pairs) for level, pairs in vocab.EXPERIENCE_BY_LEVEL.items()}


@dataclass(frozen=True)
class Company:
    """An employer: where it is, how it signs its ads."""

    name: str
    industry: str
    county: str  # a Bazhong county or 成都市/南充市/达州市
    district: str  # board district for outside companies, "" for Bazhong ones
    weight: int
    contact: str  # 张经理
    mobile: str
    landline: str
    email: str
    qq: str
    wechat: str


@dataclass
class Ad:
    """One vacancy in one month, before it is split into board items."""

    industry: str
    title: str
    company: Company
    county: str
    in_region: bool
    zhaopin_city: str
    zhaopin_district: str
    rencai_location: str
    zhaopin_salary: str
    rencai_salary: str
    zhaopin_edu: str
    rencai_edu: str
    experience: str
    headcount: int
    rencai_headcount: str
    description: str


def month_list(end_month: str, count: int = MONTHS_COVERED) -> list[tuple[int, int]]:
    """The `count` months ending with `end_month` ("YYYY-MM"), oldest first."""
    try:
        year, month = (int(part) for part in end_month.split("-"))
        if not 1 <= month <= 12 or len(end_month) != 7:
            raise ValueError
    except ValueError:
        raise ValueError(f"end_month must look like 2026-10, got {end_month!r}") from None
    index = year * 12 + month - 1 - (count - 1)
    return [((index + offset) // 12, (index + offset) % 12 + 1) for offset in range(count)]


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder, deterministic)."""
    weight_sum = sum(weights)
    raw = [total * weight / weight_sum for weight in weights]
    counts = [int(value) for value in raw]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _mobile(rng: Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _landline(rng: Random, county: str) -> str:
    area = vocab.AREA_CODES.get(county, vocab.BAZHONG_AREA_CODE)
    if area == "028":
        return f"028-{rng.choice('68')}{rng.randrange(10**7):07d}"
    if area == vocab.BAZHONG_AREA_CODE:
        return f"0827-5{rng.randrange(10**6):06d}"
    return f"{area}-2{rng.randrange(10**6):06d}"


def _new_company(rng: Random, name: str, industry: str, county: str, weight: int) -> Company:
    district = ""
    if county in vocab.OUTSIDE_PLACES:
        district = rng.choice(vocab.OUTSIDE_PLACES[county][1])
    mobile = _mobile(rng)
    local = rng.choice(_EMAIL_WORDS) + str(rng.randrange(10, 9999))
    wechat = rng.choice((mobile, f"bz{rng.choice('hrjz')}{rng.randrange(1000, 99999)}", f"wx_{local}"))
    return Company(
        name=name,
        industry=industry,
        county=county,
        district=district,
        weight=weight,
        contact=rng.choice(vocab.SURNAMES) + rng.choice(vocab.CONTACT_TITLES),
        mobile=mobile,
        landline=_landline(rng, county),
        email=f"{local}@{rng.choice(vocab.EMAIL_DOMAINS)}",
        qq=str(rng.randrange(10**5, 10**10)),
        wechat=wechat,
    )


def build_companies(
    rng: Random, postings: int
) -> tuple[dict[str, list[Company]], dict[tuple[str, str], list[Company]]]:
    """Employers by industry (Bazhong) and by (outside city, industry).

    The pool grows with the number of postings so that a large site does not squeeze every ad
    into the same few (title, company) pairs.
    """
    used: set[str] = set()
    inside: dict[str, list[Company]] = {industry: [] for industry in vocab.INDUSTRIES}
    for name, industry, county, weight in vocab.NAMED_COMPANIES:
        used.add(company_core(name))
        inside[industry].append(_new_company(rng, name, industry, county, weight))

    suffixes = [s for s, _ in vocab.COMPANY_SUFFIXES]
    suffix_cum = list(accumulate(w for _, w in vocab.COMPANY_SUFFIXES))

    def invent(industry: str, county: str) -> str:
        while True:
            brand = "".join(rng.sample(vocab.BRAND_CHARS, 2))
            name = (
                rng.choice(vocab.COUNTY_PREFIXES[county])
                + brand
                + rng.choice(vocab.INDUSTRY_BUSINESS[industry])
                + rng.choices(suffixes, cum_weights=suffix_cum)[0]
            )
            if company_core(name) not in used:
                used.add(company_core(name))
                return name

    outside: dict[tuple[str, str], list[Company]] = {}
    for industry in vocab.INDUSTRIES:
        share = vocab.INDUSTRY_PROFILE[industry]["share"]
        generated = max(6, round(postings * share / 250))
        counties = list(vocab.INDUSTRY_COUNTIES[industry])
        county_cum = list(accumulate(vocab.INDUSTRY_COUNTIES[industry].values()))
        for _ in range(generated):
            county = rng.choices(counties, cum_weights=county_cum)[0]
            inside[industry].append(
                _new_company(rng, invent(industry, county), industry, county, rng.choice((1, 1, 1, 2, 3)))
            )
        for city, _share in vocab.OUTSIDE_SHARES:
            pool = [
                _new_company(rng, invent(industry, city), industry, city, rng.choice((1, 2)))
                for _ in range(max(2, generated // 4))
            ]
            outside[(city, industry)] = pool
    return inside, outside


class PostingWriter:
    """Draws ads month by month and streams both boards' items to `_data/`."""

    def __init__(self, out_dir: Path, seed: int, postings: int, end_month: str):
        self.out_dir = out_dir
        self.postings = postings
        self.months = month_list(end_month)
        self.seed = seed
        self.rng = Random(f"{seed}:postings")
        self.inside, self.outside = build_companies(Random(f"{seed}:companies"), postings)
        self.company_cum = {
            industry: list(accumulate(c.weight for c in pool)) for industry, pool in self.inside.items()
        }
        self.outside_cum = {
            key: list(accumulate(c.weight for c in pool)) for key, pool in self.outside.items()
        }
        self._title_cache: dict[str, list[tuple]] = {}
        self.zhaopin_next = 10_000 + self.rng.randrange(5_000)
        self.rencai_next = 2_000 + self.rng.randrange(1_000)

    def _titles_for(self, company: Company) -> list[tuple]:
        """Titles this employer plausibly advertises (a pharmacy does not hire welders)."""
        cached = self._title_cache.get(company.name)
        if cached is not None:
            return cached
        titles = vocab.TITLES[company.industry]
        only = next(
            (allowed for word, allowed in vocab.EMPLOYER_TITLES.items() if word in company.name), None
        )
        fitting = [
            spec
            for spec in titles
            if (only is None or spec[0] in only)
            and (
                spec[0] not in vocab.TITLE_EMPLOYERS
                or any(word in company.name for word in vocab.TITLE_EMPLOYERS[spec[0]])
            )
        ]
        if not fitting:
            fitting = [spec for spec in titles if spec[0] not in vocab.TITLE_EMPLOYERS]
        self._title_cache[company.name] = fitting
        return fitting

    def _weights(self) -> list[dict[str, float]]:
        """Hiring weight per month and industry: trend x seasonality x a little noise."""
        noise = Random(f"{self.seed}:weights")
        table = []
        for index, (_year, month) in enumerate(self.months):
            row = {}
            for industry in vocab.INDUSTRIES:
                profile = vocab.INDUSTRY_PROFILE[industry]
                row[industry] = (
                    profile["share"]
                    * vocab.MONTH_SEASON[month]
                    * profile["season"].get(month, 1.0)
                    * (1 + profile["growth"]) ** (index / 12)
                    * noise.lognormvariate(0, 0.07)
                )
            table.append(row)
        return table

    def _ad(self, industry: str, year_index: float) -> Ad:
        rng = self.rng
        if rng.random() < OUTSIDE_SHARE:
            city = _OUTSIDE_CITY.pick(rng)
            pool = self.outside[(city, industry)]
            company = rng.choices(pool, cum_weights=self.outside_cum[(city, industry)])[0]
            county, in_region = city, False
            board_city = vocab.OUTSIDE_PLACES[city][0]
            zhaopin_district = company.district
            rencai_location = f"{board_city}·{company.district}"
            pay_factor = 1.3 if city == "成都市" else 1.1
        else:
            company = rng.choices(self.inside[industry], cum_weights=self.company_cum[industry])[0]
            pick = rng.random()
            if pick < CITY_LEVEL_SHARE:
                county = "巴中市"
            elif pick < CITY_LEVEL_SHARE + 0.08:
                county = rng.choice(vocab.BAZHONG_COUNTIES)
            else:
                county = company.county
            in_region, board_city, pay_factor = True, "巴中", 1.0
            if county == "巴中市":
                zhaopin_district, rencai_location = "", "巴中"
            else:
                zhaopin_district = vocab.ZHAOPIN_DISTRICT[county]
                rencai_location = f"巴中·{vocab.RENCAI_DISTRICT[county]}"
        title, low, high, level, duties = rng.choice(self._titles_for(company))
        factor = pay_factor * (1 + SALARY_GROWTH) ** year_index * rng.lognormvariate(0, 0.08)
        zhaopin_salary, rencai_salary, months = salary_texts(rng, level, low, high, factor)
        edu = _EDUCATION[level].pick(rng)
        rencai_edu = edu
        if edu == "本科" and rng.random() < 0.6:
            rencai_edu = "本科及以上"
        elif edu == "中专/中技" and rng.random() < 0.5:
            rencai_edu = "中专"
        experience = _EXPERIENCE[level].pick(rng)
        low_count, high_count = vocab.HEADCOUNT_BY_LEVEL[level]
        headcount = rng.randint(low_count, high_count)
        rencai_headcount = "若干" if rng.random() < 0.04 else f"{headcount}人"
        description = ad_description(
            rng, title, duties, company, county, zhaopin_district, edu, headcount, months
        )
        return Ad(
            industry,
            title,
            company,
            county,
            in_region,
            board_city,
            zhaopin_district,
            rencai_location,
            zhaopin_salary,
            rencai_salary,
            edu,
            rencai_edu,
            experience,
            headcount,
            rencai_headcount,
            description,
        )

    def _placements(self, seconds_in_month: int, day_cum: list[float]) -> list[tuple[str, int]]:
        """Which boards carry the ad and when: [(board, second of the month), ...]."""
        rng = self.rng
        day = rng.choices(range(len(day_cum)), cum_weights=day_cum)[0]
        hour = _HOURS.pick(rng)
        first = day * 86400 + hour * 3600 + rng.randrange(3600)
        pick = rng.random()
        boards = ("zhaopin",) if pick < 0.5 else ("rencai",) if pick < 0.85 else ("zhaopin", "rencai")
        placed = []
        for number, board in enumerate(boards):
            # A cross-board copy goes up within a few days of the original, same month.
            start = (
                first
                if number == 0
                else min(max(0, first + rng.randint(-3 * 86400, 3 * 86400)), seconds_in_month - 1)
            )
            placed.append((board, start))
            reposts = _REPOSTS.pick(rng)
            when = start
            for _ in range(reposts):
                when = rng.randint(min(when + 3600, seconds_in_month - 1), seconds_in_month - 1)
                placed.append((board, when))
        return placed

    def write(self) -> dict:
        """Generate every month, write both data files, return the postings part of the truth."""
        data_dir = self.out_dir / "_data"
        data_dir.mkdir(parents=True, exist_ok=True)
        weights = self._weights()
        budgets = _allocate(self.postings, [sum(row.values()) for row in weights])
        counts = {"zhaopin": 0, "rencai": 0}
        malformed: dict[str, dict] = {board: {"count": 0, "ids": [], "by_reason": {}} for board in counts}
        unique_in_region = unique_total = cross_board = reposts = 0
        by_month: dict[str, int] = {}
        variants: dict[str, int] = {}
        ad_ids: dict[tuple[str, str, str, str], int] = {}
        with (
            open(data_dir / "zhaopin.jsonl", "w", encoding="utf-8", newline="\n") as zhaopin_file,
            open(data_dir / "rencai.jsonl", "w", encoding="utf-8", newline="\n") as rencai_file,
            open(data_dir / "postings_truth.jsonl", "w", encoding="utf-8", newline="\n") as truth_file,
        ):
            files = {"zhaopin": zhaopin_file, "rencai": rencai_file}
            for index, ((year, month), budget, row) in enumerate(
                zip(self.months, budgets, weights, strict=True)
            ):
                month_key = f"{year}-{month:02d}"
                days = calendar.monthrange(year, month)[1]
                # Fewer ads go up at weekends.
                day_cum = list(
                    accumulate(1.0 if calendar.weekday(year, month, d + 1) < 5 else 0.35 for d in range(days))
                )
                industries = list(row)
                industry_cum = list(accumulate(row.values()))
                items: list[tuple[str, int, int, Ad, str, str]] = []
                identities: set[tuple[str, str, str]] = set()
                month_in_region = 0
                remaining = budget
                while remaining > 0:
                    industry = self.rng.choices(industries, cum_weights=industry_cum)[0]
                    ad = self._ad(industry, index / 12)
                    if self.rng.random() < MALFORMED_SHARE:
                        board = self.rng.choice(("zhaopin", "rencai"))
                        second = self._placements(days * 86400, day_cum)[0][1]
                        reason = self.rng.choice(MALFORMED_REASONS[board])
                        items.append((board, second, len(items), ad, reason, ""))
                        remaining -= 1
                        continue
                    placed = self._placements(days * 86400, day_cum)[:remaining]
                    remaining -= len(placed)
                    if len({board for board, _ in placed}) == 2:
                        cross_board += 1
                    reposts += len(placed) - len({board for board, _ in placed})
                    for number, (board, second) in enumerate(placed):
                        variant = _VARIANT.pick(self.rng) if number else ""
                        items.append((board, second, len(items), ad, "", variant))
                    identity = (ad.title, ad.company.name, ad.county)
                    if identity not in identities:
                        identities.add(identity)
                        unique_total += 1
                        if ad.in_region:
                            month_in_region += 1
                by_month[month_key] = month_in_region
                unique_in_region += month_in_region
                items.sort(key=lambda item: (item[1], item[2]))
                month_start = datetime(year, month, 1)
                for board, second, _seq, ad, reason, variant in items:
                    if board == "zhaopin":
                        self.zhaopin_next += self.rng.choice((1, 1, 1, 2, 3))
                        item_id = f"ZP{self.zhaopin_next:08d}"
                    else:
                        self.rencai_next += self.rng.choice((1, 1, 1, 2, 3))
                        item_id = f"RC{self.rencai_next:07d}"
                    moment = month_start + timedelta(seconds=second)
                    record = self._render(board, item_id, ad, moment, reason, variant)
                    counts[board] += 1
                    if reason:
                        # a malformed item is an ad of its own, never a copy of another
                        ad_id = -1 - sum(m["count"] for m in malformed.values())
                    else:
                        ad_id = ad_ids.setdefault(
                            (ad.title, ad.company.name, ad.county, month_key), len(ad_ids)
                        )
                    if variant:
                        variants[variant] = variants.get(variant, 0) + 1
                    truth_line = {
                        "id": item_id,
                        "board": board,
                        "ad": ad_id,
                        "month": month_key,
                        "county": ad.county,
                        "in_region": ad.in_region,
                        "variant": variant,
                        "malformed": reason,
                    }
                    truth_file.write(json.dumps(truth_line, ensure_ascii=False, sort_keys=True) + "\n")
                    if reason:
                        malformed[board]["count"] += 1
                        malformed[board]["ids"].append(item_id)
                        malformed[board]["by_reason"][reason] = (
                            malformed[board]["by_reason"].get(reason, 0) + 1
                        )
                    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
                    files[board].write(f"{moment:%Y%m%d}\t{item_id}\t{line}\n")
        for board in malformed:
            malformed[board]["by_reason"] = dict(sorted(malformed[board]["by_reason"].items()))
        return {
            "zhaopin": counts["zhaopin"],
            "rencai": counts["rencai"],
            "unique_in_region": unique_in_region,
            "unique_total": unique_total,
            "unique_in_region_by_month": by_month,
            "months": [f"{y}-{m:02d}" for y, m in (self.months[0], self.months[-1])],
            "cross_board_ads": cross_board,
            "repost_items": reposts,
            "malformed": malformed,
            "copy_variants": dict(sorted(variants.items())),
            "truth_file": "_data/postings_truth.jsonl",
        }

    def _vary(self, ad: Ad, variant: str) -> tuple[str, str, str]:
        """(title, company, description) of a copy as `variant` changes them."""
        rng = self.rng
        title, company, description = ad.title, ad.company.name, ad.description
        if variant == "decorated_title":
            title = rng.choice(vocab.TITLE_PREFIXES) + title + rng.choice(vocab.TITLE_SUFFIXES)
        elif variant == "company_form":
            core = company.removeprefix("四川")
            company = core if core != company else company_core(company)
        elif variant == "company_abbreviation":
            prefixes = sorted(vocab.COUNTY_PREFIXES.get(ad.company.county, ()), key=len, reverse=True)
            core = company_core(company)
            for prefix in prefixes:
                if core.startswith(prefix) and len(core) > len(prefix) + 1:
                    core = core.removeprefix(prefix)
                    break
            company = core
        elif variant == "title_paraphrase":
            title = vocab.TITLE_PARAPHRASES.get(title, rng.choice(vocab.TITLE_PREFIXES) + title)
        elif variant == "edited_description":
            description = description + "\n" + rng.choice(vocab.DESCRIPTION_ADDENDA)
        return title, company, description

    def _render(
        self, board: str, item_id: str, ad: Ad, moment: datetime, reason: str, variant: str = ""
    ) -> dict:
        """The item as the board shows it; `reason` breaks it the way a validator should catch,
        `variant` is how a copy differs from the ad's first item."""
        rng = self.rng
        title, company, description = self._vary(ad, variant)
        title_value: object = title
        if reason == "empty_title":
            title_value = rng.choice(("", None)) if board == "zhaopin" else ""
        elif reason == "malformed_item":
            title_value = [title, title + "（急招）"]  # a list where text belongs
        zhaopin_salary, rencai_salary = ad.zhaopin_salary, ad.rencai_salary
        if reason == "implausible_salary":
            zhaopin_salary = rencai_salary = rng.choice(_IMPLAUSIBLE_SALARIES)
        if board == "zhaopin":
            publish_time = f"{moment:%Y-%m-%d %H:%M:%S}"
            if reason == "bad_publish_time":
                publish_time = rng.choice(
                    ("", "0000-00-00 00:00:00", f"{moment:%Y-%m}-32 {moment:%H:%M:%S}", "刚刚", "3天前")
                )
            elif reason == "future_date":
                publish_time = f"{moment.year + 8}-{moment:%m-%d %H:%M:%S}"
            elif reason == "before_2000":
                publish_time = f"1998-{moment:%m}-{min(moment.day, 28):02d} {moment:%H:%M:%S}"
            return {
                "job_id": item_id,
                "job_title": title_value,
                "company_name": company,
                "salary_text": zhaopin_salary,
                "edu": ad.zhaopin_edu,
                "exp": ad.experience,
                "city": ad.zhaopin_city,
                "district": ad.zhaopin_district,
                "job_desc": description,
                "publish_time": publish_time,
                "recruit_num": ad.headcount,
                "detail_url": ZHAOPIN_DETAIL_URL.format(item_id),
            }
        date = f"{moment:%Y-%m-%d}"
        if reason == "bad_publish_time":
            date = rng.choice(("", "0000-00-00", f"{moment:%Y-%m}-32", "刚刚", "昨天"))
        elif reason == "before_2000":
            date = f"1998-{moment:%m}-{min(moment.day, 28):02d}"
        return {
            "id": item_id,
            "title": title_value,
            "company": company,
            "salary": rencai_salary,
            "education": ad.rencai_edu,
            "experience": ad.experience,
            "location": ad.rencai_location,
            "headcount": ad.rencai_headcount,
            "date": date,
            "description": description,
        }


def write_postings(out_dir: Path, seed: int, postings: int, end_month: str) -> dict:
    """Write `_data/zhaopin.jsonl` and `_data/rencai.jsonl`; return the postings truth."""
    if postings < 0:
        raise ValueError("postings must be >= 0")
    return PostingWriter(out_dir, seed, postings, end_month).write()
