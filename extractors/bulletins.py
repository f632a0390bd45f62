"""Statistics bulletins (国民经济和社会发展统计公报): crawl the listing, fetch every bulletin, keep
the original page bytes and land one row per skeleton indicator.

The parser is deliberately thin: one regular expression per indicator over the bulletin's
sentences, each row carrying the sentence it came from so a reader can check the number.
`parse_bulletin_text` works on plain text, so `talent bulletin parse` and tests can use it alone."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from extractors.errors import SourceError
from extractors.htmltext import parse_html
from extractors.http import HttpClient
from extractors.landing import LandingResult, land

log = logging.getLogger("extractors.bulletins")

TITLE_RE = re.compile(
    r"^\s*(?P<pre>[\u4e00-\u9fff]{0,12}?)(?P<year>(?:19|20)\d{2})\s*年\s*(?P<post>[\u4e00-\u9fff]{0,12}?)"
    r"国民经济和社会发展统计公报\s*$"
)
_REGION_RE = re.compile(r"[\u4e00-\u9fff]{1,10}?(?:省|自治区|市|自治州|州|地区|盟|县|区)")
MAX_LISTING_PAGES = 200

_NUM = r"(-?\d+(?:\.\d+)?)"
_RATIO = re.compile(r"(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)")
# indicator → (pattern, unit). Group 1 is the number; a "下降" group flips the sign of growth.
INDICATORS: dict[str, tuple[re.Pattern, str]] = {
    "gdp": (re.compile(r"(?:地区生产总值|GDP)[^。；]*?" + _NUM + r"\s*亿元"), "亿元"),
    "gdp_growth_pct": (
        re.compile(r"(?:地区生产总值|GDP)[^。；]*?(?:比上年)?(增长|下降)" + _NUM + r"\s*%"),
        "%",
    ),
    # Only the anchor: a sentence can give the old and the new structure ("由…调整为…"), the last wins.
    "industry_structure": (re.compile(r"三次产业结构"), "a:b:c"),
    "resident_population": (re.compile(r"(?:年末)?常住人口(?:为|达)?\s*" + _NUM + r"\s*万人"), "万人"),
    "urbanization_rate_pct": (re.compile(r"(?<!户籍人口)城镇化率(?:为|达到|达)?\s*" + _NUM + r"\s*%"), "%"),
    "rural_labour_outflow": (
        re.compile(
            r"(?:转移输出农村劳动力|农村劳动力转移输出|转移输出劳动力|输出农村劳动力)(?:人数)?(?:为|达)?\s*"
            + _NUM
            + r"\s*万人"
        ),
        "万人",
    ),
    "labour_income": (re.compile(r"劳务(?:经济)?收入(?:为|达)?\s*" + _NUM + r"\s*亿元"), "亿元"),
}
SKELETON_INDICATORS = tuple(INDICATORS)


def parse_title(title: str) -> tuple[str | None, int] | None:
    """(region, year) of a bulletin title, or None if the title is not a bulletin.

    Handles both "巴中市2024年国民经济…" and "2024年巴中市国民经济…"."""
    s = unicodedata.normalize("NFKC", title or "").replace(" ", "")
    m = TITLE_RE.match(s)
    if not m:
        return None
    region = None
    for part in (m.group("pre"), m.group("post")):
        r = _REGION_RE.search(part or "")
        if r:
            region = r.group(0)
            break
    return region, int(m.group("year"))


def split_sentences(text: str) -> list[str]:
    """Sentences split after 。；！？ (either width) and at line breaks, stripped, empty ones dropped."""
    parts = re.split(r"(?<=[。；;！？!?])|\n", text)
    return [p.strip() for p in parts if p and p.strip()]


def _match_indicator(name: str, pattern: re.Pattern, sentence: str) -> tuple[float | None, str] | None:
    """(value, value_text) of one indicator in one NFKC-folded sentence, or None."""
    m = pattern.search(sentence)
    if not m:
        return None
    if name == "industry_structure":
        ratios = _RATIO.findall(sentence[m.end() :])
        if not ratios:
            return None
        return None, ":".join(ratios[-1])
    if name == "gdp_growth_pct":
        value_text = ("-" if m.group(1) == "下降" else "") + m.group(2)
    else:
        value_text = m.group(1)
    return float(value_text), value_text


def parse_bulletin_text(text: str) -> dict:
    """Parse a bulletin's plain text.

    Returns `{"title", "region", "year", "indicators": {name: {"value", "value_text", "unit", "text"}}}`;
    title/region/year are None when no line looks like a bulletin title. The first sentence that
    matches an indicator wins (the headline figure comes before any breakdown). `text` is the
    sentence as published; matching runs on its NFKC form so full-width ：％， need no extra patterns."""
    title = region = year = None
    for line in (text or "").splitlines():
        parsed = parse_title(line)
        if parsed:
            title = line.strip()
            region, year = parsed
            break
    indicators: dict[str, dict] = {}
    for sentence in split_sentences(text or ""):
        folded = unicodedata.normalize("NFKC", sentence)
        folded = re.sub(r"(?<=\d),(?=\d{3})", "", folded)  # thousands separators
        for name, (pattern, unit) in INDICATORS.items():
            if name in indicators:
                continue
            found = _match_indicator(name, pattern, folded)
            if found:
                value, value_text = found
                indicators[name] = {"value": value, "value_text": value_text, "unit": unit, "text": sentence}
    return {"title": title, "region": region, "year": year, "indicators": indicators}


def article_text(html: str) -> str:
    """The article body's text, one paragraph a line (the whole page if the container is missing)."""
    doc = parse_html(html)
    container = doc.find("div", "article-content") or doc.find("body") or doc
    return container.text()


def iter_listing(client: HttpClient, listing_url: str) -> Iterator[tuple[str, str, str | None]]:
    """(title, absolute url, date) of every listing entry, following the pager."""
    url: str | None = listing_url
    visited: set[str] = set()
    page = 0
    while url and url not in visited:
        if page >= MAX_LISTING_PAGES:
            raise SourceError(f"more than {MAX_LISTING_PAGES} listing pages", where=url)
        visited.add(url)
        page += 1
        result = client.get(url)
        doc = parse_html(result.text)
        lists = doc.find_all("ul", "news-list") or [doc]
        entries = 0
        for ul in lists:
            for li in ul.find_all("li"):
                a = li.find("a")
                if a is None or not a.get("href"):
                    continue
                span = li.find("span")
                entries += 1
                yield (
                    a.text().strip(),
                    urljoin(result.url, a.get("href")),
                    span.text().strip() if span else None,
                )
        if not entries:
            raise SourceError(
                f"listing page {page} has no entries (layout change?)",
                where=result.url,
                field="ul.news-list li",
            )
        log.info("bulletin listing page %d: %d entries", page, entries)
        url = None
        for a in doc.find_all("a"):
            if a.text().strip() == "下一页" or "next" in a.classes:
                href = a.get("href")
                if href and not href.startswith(("javascript:", "#")):
                    url = urljoin(result.url, href)
                    break


def _file_name(url: str) -> str:
    """Where a page's bytes go under files/: its URL path, so the landing mirrors the site."""
    path = urlsplit(url).path.lstrip("/") or "index.html"
    return path


def extract_bulletins(
    config: dict, partition: str, raw_dir, *, client: HttpClient | None = None
) -> LandingResult:
    """Crawl the bulletin listing, parse every bulletin and land source `bulletins`."""
    settings = config.get("bulletins") or {}
    listing_url = settings.get("listing_url")
    if not listing_url:
        raise SourceError(
            "no bulletins.listing_url in the sources config",
            where=config.get("config_path"),
            field="bulletins.listing_url",
        )
    default_region = settings.get("region")
    title_filter = re.compile(settings["title_regex"]) if settings.get("title_regex") else None
    client = client or HttpClient.from_config(config)

    bulletins: dict[str, str] = {}
    skipped = 0
    for title, url, _date in iter_listing(client, listing_url):
        parsed = parse_title(title)
        if parsed is None or (title_filter and not title_filter.search(title)):
            skipped += 1
            log.debug("not a bulletin, skipped: %s", title)
            continue
        if default_region and parsed[0] and parsed[0] != default_region:
            # The channel also reposts the province's bulletin; it is not this region's data.
            skipped += 1
            log.info("bulletin of another region skipped: %s", title)
            continue
        bulletins.setdefault(url, title)
    if not bulletins:
        raise SourceError(
            "no statistics bulletin found on the listing (layout or title change?)", where=listing_url
        )
    log.info("%d bulletins found, %d other entries skipped", len(bulletins), skipped)

    records: list[dict] = []
    files: dict[str, bytes] = {}
    for url, listing_title in bulletins.items():
        result = client.get(url)
        files[_file_name(result.url)] = result.content
        parsed = parse_bulletin_text(article_text(result.text))
        title_region, title_year = parse_title(listing_title) or (None, None)
        region = parsed["region"] or title_region or default_region
        year = parsed["year"] or title_year
        if not parsed["indicators"]:
            raise SourceError(
                "bulletin page yields none of the skeleton indicators (layout change?)",
                where=result.url,
                field="div.article-content",
            )
        missing = [name for name in SKELETON_INDICATORS if name not in parsed["indicators"]]
        if missing:
            log.warning("%s (%s): indicators not found: %s", listing_title, result.url, ", ".join(missing))
        log.info(
            "bulletin %s %s: %d indicators, encoding %s",
            region,
            year,
            len(parsed["indicators"]),
            result.encoding,
        )
        for name, ind in parsed["indicators"].items():
            records.append(
                {
                    "region": region,
                    "year": year,
                    "indicator": name,
                    "value": ind["value"],
                    "value_text": ind["value_text"],
                    "unit": ind["unit"],
                    "text": ind["text"],
                    "url": result.url,
                    "title": parsed["title"] or listing_title,
                }
            )
    records.sort(key=lambda r: (r["region"] or "", r["year"] or 0, r["indicator"], r["url"]))
    return land("bulletins", partition, records, files, raw_dir=raw_dir, fetches=client.fetch_log)
