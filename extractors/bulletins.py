"""Statistics bulletins (国民经济和社会发展统计公报): crawl the bureau's listings, fetch every bulletin
of the configured regions, keep the original page bytes and land one row per indicator.

The parser lives in `extractors.bulletin_parser` (text normalisation in `extractors.textnorm`);
this module is the crawl, the incremental logic and the landing shape:

- **Crawl.** Every configured listing (`bulletins.listing_url` plus `bulletins.listings[].url`) is
  walked page by page through its 下一页 link; entries whose title is a bulletin
  (`年份 + 国民经济和社会发展统计公报`, optionally "（修订）") of one of `bulletins.regions` are fetched.
  Pages are decoded by header charset, then `<meta charset>`, then the bytes.
- **Incremental.** A page whose bytes (sha256) were already landed in another partition is not
  landed again. A page whose bytes changed lands as a new **vintage**: `vintage` is the date this
  version of the figures was published (the listing date, else the date the page states), or the
  run's partition date when a page was silently corrected under an unchanged date. `fetched_at` is
  when this version of the page was first fetched, so re-running a partition lands identical bytes.
- **Bad pages** never stop the crawl: a page that is not a bulletin, or a bulletin whose core
  indicators (gdp, resident_population) cannot be found, lands with `parse_error` set on its rows
  (one placeholder row when nothing was read), and the validation suite quarantines them with the
  reason and the sentence. Plausibility of the values is checked by the suite as well.
Longer than ~400 lines on purpose: crawl, vintage bookkeeping and landing of one source share the
history of earlier landings and are easiest to follow in one place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from extractors.bulletin_parser import (
    CATALOGUE,
    CORE_INDICATORS,
    Parsed,
    html_to_text,
    parse_document,
    parse_text,
)
from extractors.bulletin_parser import parse_title as parse_title
from extractors.charset import CharsetError
from extractors.errors import SourceError
from extractors.htmltext import parse_html
from extractors.http import HttpClient
from extractors.landing import Landing, LandingResult, land, list_landings
from extractors.privacy import scrub_document
from extractors.textnorm import normalise

log = logging.getLogger("extractors.bulletins")

MAX_LISTING_PAGES = 200
SOURCE = "bulletins"
# The indicators of the walking skeleton; kept for callers that want the short list.
SKELETON_INDICATORS = (
    "gdp",
    "gdp_growth_pct",
    "industry_structure",
    "resident_population",
    "urbanization_rate_pct",
    "rural_labour_outflow",
    "labour_income",
)
INDICATOR_KEYS = tuple(CATALOGUE)
# Attributes a bulletin states beside a value that the warehouse keeps as rows of their own.
EXTRA_ROWS = {"share_of_gdp_pct": ("private_economy_share_of_gdp_pct", "%")}
WAREHOUSE_INDICATORS = INDICATOR_KEYS + tuple(key for key, _ in EXTRA_ROWS.values())

_STATED_DATE = (
    re.compile(r"发布(?:时间|日期)[:]?(\d{4})-(\d{1,2})-(\d{1,2})"),
    re.compile(r"^\(?(\d{4})年(\d{1,2})月(\d{1,2})日\)?$"),
)


# --------------------------------------------------------------------------- parsing entry points


def _public(indicators: dict[str, dict], *, keep_value_text: bool) -> dict[str, dict]:
    out = {}
    for key, ind in indicators.items():
        entry = {"value": ind["value"], "unit": ind["unit"], "text": ind["text"]}
        if keep_value_text:
            entry["value_text"] = ind["value_text"]
        for extra in ("growth_pct", "share_of_gdp_pct"):
            if ind.get(extra) is not None:
                entry[extra] = ind[extra]
        out[key] = entry
    return out


def parse_bulletin_text(text: str) -> dict:
    """Parse a bulletin's plain text (one paragraph a line).

    Returns `{"title", "region", "year", "indicators": {key: {"value", "value_text", "unit", "text",
    "growth_pct"?, "share_of_gdp_pct"?}}, "unparsed_sections"}`; title/region/year are None when
    the text does not say. `text` is the clause as published. `skipped`: values read for a part of
    the region (民营经济, 区本级, …) or with an unclear scope, each with `reason`; never landed."""
    parsed = parse_text(text)
    return {
        "title": parsed.title,
        "region": parsed.region,
        "year": parsed.year,
        "indicators": _public(parsed.indicators, keep_value_text=True),
        "unparsed_sections": parsed.unparsed_sections,
        "skipped": parsed.skipped,
    }


def parse_bulletin_file(path: Path) -> dict:
    """What `talent bulletin parse FILE` prints for one saved page (HTML or text, UTF-8 or
    GB2312/GBK/GB18030/Big5): `{"file", "region", "year", "indicators": {key: {"value", "unit",
    "growth_pct" (when stated), "text"}}, "unparsed_sections", "skipped"}`. Indicators a bulletin
    does not state are absent; `skipped` lists values left out because of their scope."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read bulletin file: {exc.strerror}", where=str(path)) from exc
    content_type = "text/html" if path.suffix.lower() in (".html", ".htm", ".shtml") else None
    try:
        parsed, encoding = parse_document(content, content_type)
    except CharsetError as exc:
        raise SourceError(f"undecodable bulletin file: {exc}", where=str(path)) from exc
    log.info(
        "%s: %s %s, %d indicators (%s)", path, parsed.region, parsed.year, len(parsed.indicators), encoding
    )
    return {
        "file": str(path),
        "region": parsed.region,
        "year": parsed.year,
        "indicators": _public(parsed.indicators, keep_value_text=False),
        "unparsed_sections": parsed.unparsed_sections,
        "skipped": parsed.skipped,
    }


# --------------------------------------------------------------------------- crawling


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
        log.info("bulletin listing %s page %d: %d entries", listing_url, page, entries)
        url = None
        for a in doc.find_all("a"):
            if a.text().strip() == "下一页" or "next" in a.classes:
                href = a.get("href")
                if href and not href.startswith(("javascript:", "#")):
                    url = urljoin(result.url, href)
                    break


def _file_name(url: str) -> str:
    """Where a page's bytes go under files/: its URL path, so the landing mirrors the site."""
    return urlsplit(url).path.lstrip("/") or "index.html"


def stored_page(content: bytes, text: str | None, encoding: str | None, url: str) -> bytes:
    """The bytes kept under files/: the page as fetched, unless it holds personal data (a contact
    line in the footer, say), which is masked in the page's own encoding so the stored copy still
    decodes as it declares. Change detection uses the sha256 of the fetched bytes, not of these."""
    masked = scrub_document(text) if text else text
    if masked == text:
        return content
    log.info("personal data masked in the stored copy of %s", url)
    return masked.encode(encoding or "utf-8", errors="xmlcharrefreplace")


def _listing_urls(settings: dict, config: dict) -> list[str]:
    urls = []
    if settings.get("listing_url"):
        urls.append(settings["listing_url"])
    for item in settings.get("listings") or []:
        url = item.get("url") if isinstance(item, dict) else item
        if url and url not in urls:
            urls.append(url)
    if not urls:
        raise SourceError(
            "no bulletins.listing_url in the sources config",
            where=config.get("config_path"),
            field="bulletins.listing_url",
        )
    return urls


def _regions(settings: dict) -> list[str]:
    regions = list(settings.get("regions") or [])
    if settings.get("region") and settings["region"] not in regions:
        regions.insert(0, settings["region"])
    return regions


def _iso_date(text: str | None) -> str | None:
    m = re.search(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", normalise(text or ""))
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _stated_date(page_text: str) -> str | None:
    """The publication date a page states (发布时间：2025-03-21, or a "（2025年3月21日）" line)."""
    for line in page_text.splitlines()[:80]:
        norm = normalise(line)
        for pattern in _STATED_DATE:
            m = pattern.search(norm)
            if m:
                found = _iso_date("-".join(m.groups()))
                if found:
                    return found
    return None


def _history(raw_dir, partition: str) -> tuple[dict[str, dict], dict[str, dict[str, str]], list[Landing]]:
    """What earlier landings hold: page sha256 → first sighting, url → {sha: vintage}, the landings."""
    pages: dict[str, dict] = {}
    by_url: dict[str, dict[str, str]] = {}
    landings = list_landings(raw_dir, SOURCE)
    for landing in landings:
        path = landing.path / "records.jsonl"
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError:
            continue
        for line in lines:
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            sha = rec.get("page_sha256") if isinstance(rec, dict) else None
            if not sha:
                continue  # landed before pages were tracked: cannot be matched, is re-landed once
            seen = pages.setdefault(
                sha,
                {
                    "partitions": set(),
                    "fetched_at": rec.get("fetched_at"),
                    "vintage": rec.get("vintage"),
                },
            )
            seen["partitions"].add(landing.partition)
            if rec.get("url") and rec.get("vintage"):
                by_url.setdefault(rec["url"], {})[sha] = rec["vintage"]
    return pages, by_url, landings


def _page_problem(parsed: Parsed, listing_title: str) -> str | None:
    if not parsed.indicators and parsed.title is None:
        return f"page is not a statistics bulletin (no bulletin title and no indicator; listed as {listing_title!r})"
    missing = [key for key in CORE_INDICATORS if key not in parsed.indicators]
    if missing:
        return f"core indicator(s) not found: {', '.join(missing)} (layout change?)"
    if parsed.region is None or parsed.year is None:
        return "the bulletin's region or year cannot be read from the page or its listing title"
    return None


def _first_sentence(text: str) -> str | None:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return None


def page_records(
    parsed: Parsed,
    *,
    url: str,
    title: str,
    vintage: str,
    fetched_at: str | None,
    page_sha256: str | None,
    problem: str | None,
    fallback_text: str | None,
) -> list[dict]:
    """The landing rows of one bulletin page (see contract section 2)."""
    base = {
        "region": parsed.region,
        "year": parsed.year,
        "url": url,
        "title": title,
        "vintage": vintage,
        "fetched_at": fetched_at,
        "page_sha256": page_sha256,
        "parse_error": problem,
    }
    rows = []
    for key, ind in parsed.indicators.items():
        structure = CATALOGUE[key].unit == "a:b:c"
        rows.append(
            {
                **base,
                "indicator": key,
                "value": None if structure else ind["value"],
                "value_text": ind["value_text"],
                "unit": ind["unit"],
                "growth_pct": ind.get("growth_pct"),
                "text": ind["text"],
            }
        )
        for attr, (extra_key, unit) in EXTRA_ROWS.items():
            if ind.get(attr) is not None:
                rows.append(
                    {
                        **base,
                        "indicator": extra_key,
                        "value": ind[attr],
                        "value_text": format(ind[attr], "g"),
                        "unit": unit,
                        "growth_pct": None,
                        "text": ind["text"],
                    }
                )
    if not rows:
        rows.append(
            {
                **base,
                "indicator": None,
                "value": None,
                "value_text": None,
                "unit": None,
                "growth_pct": None,
                "text": fallback_text,
            }
        )
    return rows


def extract_bulletins(
    config: dict, partition: str, raw_dir, *, client: HttpClient | None = None
) -> LandingResult:
    """Crawl the bulletin listings, parse new or changed bulletins and land source `bulletins`."""
    settings = config.get("bulletins") or {}
    listing_urls = _listing_urls(settings, config)
    regions = _regions(settings)
    default_region = settings.get("region")
    title_filter = re.compile(settings["title_regex"]) if settings.get("title_regex") else None
    client = client or HttpClient.from_config(config)

    bulletins: dict[str, tuple[str, str | None]] = {}
    skipped = 0
    for listing_url in listing_urls:
        for title, url, listed_on in iter_listing(client, listing_url):
            parsed_title = parse_title(title)
            if parsed_title is None or (title_filter and not title_filter.search(title)):
                skipped += 1
                log.debug("not a bulletin, skipped: %s", title)
                continue
            if regions and parsed_title[0] and parsed_title[0] not in regions:
                # Channels also repost the province's or a neighbour's bulletin: not our regions.
                skipped += 1
                log.info("bulletin of another region skipped: %s", title)
                continue
            bulletins.setdefault(url, (title, listed_on))
    if not bulletins:
        raise SourceError(
            "no statistics bulletin found on the listing (layout or title change?)",
            where=", ".join(listing_urls),
        )
    log.info("%d bulletins found, %d other entries skipped", len(bulletins), skipped)

    history, by_url, landings = _history(raw_dir, partition)
    records: list[dict] = []
    files: dict[str, bytes] = {}
    unchanged = failed = 0
    for url, (listing_title, listed_on) in bulletins.items():
        try:
            result = client.get(url)
        except SourceError as exc:
            # One dead link must not hold back the other bulletins: the page is quarantined (and,
            # with no bytes to remember, fetched again on the next run).
            failed += 1
            log.warning("bulletin page quarantined: %s (%s): %s", listing_title, url, exc)
            title_region, title_year = parse_title(listing_title) or (None, None)
            records.extend(
                page_records(
                    Parsed(region=title_region or default_region, year=title_year),
                    url=url,
                    title=listing_title,
                    vintage=_iso_date(listed_on) or partition,
                    fetched_at=None,
                    page_sha256=None,
                    problem=f"page could not be fetched: {exc}",
                    fallback_text=listing_title,
                )
            )
            continue
        sha = hashlib.sha256(result.content).hexdigest()
        seen = history.get(sha)
        if seen and seen["partitions"] - {partition}:
            unchanged += 1
            log.info("unchanged since %s: %s", min(seen["partitions"]), listing_title)
            continue
        parsed, _encoding = parse_document(result.content, result.content_type)
        page_text = html_to_text(result.text)[0] if result.text else ""
        title_region, title_year = parse_title(listing_title) or (None, None)
        parsed.region = parsed.region or title_region or default_region
        parsed.year = parsed.year or title_year
        if seen:
            vintage, fetched_at = seen["vintage"], seen["fetched_at"]
        else:
            vintage = (
                _iso_date(listed_on) or _stated_date(page_text) or _stated_date(result.text) or partition
            )
            if vintage in by_url.get(result.url, {}).values():
                # Same URL, same stated date, different bytes: corrected in place. The figures
                # became public when we saw them.
                vintage = partition
            fetched_at = result.fetched_at
        problem = _page_problem(parsed, listing_title)
        if problem:
            failed += 1
            log.warning("bulletin page quarantined: %s (%s): %s", listing_title, result.url, problem)
        files[_file_name(result.url)] = stored_page(result.content, result.text, result.encoding, result.url)
        records.extend(
            page_records(
                parsed,
                url=result.url,
                title=parsed.title or listing_title,
                vintage=vintage,
                fetched_at=fetched_at,
                page_sha256=sha,
                problem=problem,
                fallback_text=_first_sentence(page_text) or listing_title,
            )
        )
        log.info(
            "bulletin %s %s (vintage %s): %d indicators, encoding %s",
            parsed.region,
            parsed.year,
            vintage,
            len(parsed.indicators),
            result.encoding,
        )
    log.info(
        "bulletins: %d pages to land (%d with problems), %d unchanged since an earlier partition",
        len(files),
        failed,
        unchanged,
    )
    if not records:
        # Sorted by partition then landed_at: the last is the newest.
        newest = landings[-1]
        log.info("no new or changed bulletin; newest landing is %s", newest.path)
        return LandingResult(
            SOURCE, newest.partition, str(newest.path), newest.sha256, newest.rows, "unchanged"
        )
    records.sort(
        key=lambda r: (r["region"] or "", r["year"] or 0, r["vintage"] or "", r["indicator"] or "", r["url"])
    )
    return land(SOURCE, partition, records, files, raw_dir=raw_dir, fetches=client.fetch_log)
