"""Adapter for HTML boards with paged listings and one detail page per ad (巴山人才网 style,
`kind: html_listing`).

The listing gives title, company, salary and date; the detail page adds education, experience,
location, headcount and the description. A detail page that is gone (404/410) keeps the ad with the
listing's fields; a listing page without ads is a layout change and stops the extraction.

The listing is newest first: ads dated after the window are passed over, and paging stops after the
first page that is wholly older than the window, so a daily run reads a page or two and fetches
detail pages only for the ads it lands. Resume state is the next listing page's URL; ads that a
crash let the board push down a page are read twice and deduplicated by id, none is skipped."""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterator
from datetime import date
from urllib.parse import urljoin, urlsplit

from extractors.errors import SourceError
from extractors.htmltext import Node, parse_html
from extractors.job_boards.base import BoardAdapter, Page
from extractors.job_boards.normalize import parse_date

log = logging.getLogger("extractors.job_boards.rencai")

# Labels of the detail page's <dl class="job-meta"> → raw ad field.
META_LABELS = {
    "学历要求": "education",
    "学历": "education",
    "工作经验": "experience",
    "经验要求": "experience",
    "工作地点": "location",
    "工作地址": "location",
    "招聘人数": "headcount",
    "发布日期": "posted_at",
    "发布时间": "posted_at",
    "更新日期": "posted_at",
}
MAX_PAGES = 10_000  # a pager that never ends is a bug on one side or the other


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    text = node.text()
    return text or None


def _source_id(url: str | None) -> str | None:
    if not url:
        return None
    name = posixpath.basename(urlsplit(url).path)
    return name.rsplit(".", 1)[0] or None


def parse_listing(html: str, page_url: str) -> tuple[list[dict], str | None, bool]:
    """(items, next_page_url, has_list_container) of one listing page."""
    doc = parse_html(html)
    container = doc.find("ul", "job-list")
    items = []
    for li in doc.find_all("li", "job-item"):
        link = li.find("a", "job-link") or li.find("a")
        href = link.get("href") if link is not None else None
        items.append(
            {
                "title": _text(link),
                "url": urljoin(page_url, href) if href else None,
                "company": _text(li.find(None, "company")),
                "salary": _text(li.find(None, "salary")),
                "location": _text(li.find(None, "area")),
                "posted_at": _text(li.find(None, "date")),
            }
        )
    next_url = None
    for a in doc.find_all("a"):
        if "next" in a.classes or (a.text() or "").strip() == "下一页":
            href = a.get("href")
            if href and not href.startswith(("javascript:", "#")):
                next_url = urljoin(page_url, href)
                break
    return items, next_url, container is not None


def parse_detail(html: str) -> dict:
    """Fields of one detail page; absent elements give None."""
    doc = parse_html(html)
    fields: dict[str, str | None] = {
        "title": _text(doc.find("h1", "job-title") or doc.find("h1")),
        "company": _text(doc.find(None, "company-name")),
        "salary": _text(doc.find(None, "salary")),
        "description": _text(doc.find(None, "job-desc")),
    }
    meta = doc.find("dl", "job-meta")
    if meta is not None:
        label = None
        for node in meta.iter():
            if node.tag == "dt":
                label = (node.text() or "").strip().rstrip("：:")
            elif node.tag == "dd" and label:
                field = META_LABELS.get(label)
                if field:
                    fields[field] = _text(node)
                label = None
    return fields


class HtmlListingAdapter(BoardAdapter):
    def iter_pages(self, state: dict | None = None) -> Iterator[Page]:
        state = dict(state or {})
        url: str | None = state.get("url", self.url)
        visited: set[str] = set(state.get("visited", []))
        page = int(state.get("page", 0))
        since, until = self.window.since, self.window.until
        while url:
            if url in visited:
                raise SourceError("pager links back to a page already read (pagination loop)", where=url)
            if page >= MAX_PAGES:
                raise SourceError(f"more than {MAX_PAGES} listing pages", where=url)
            visited.add(url)
            page += 1
            result = self.fetch(url)
            items, next_url, has_list = parse_listing(result.text, result.url)
            if not items:
                # Listing pages exist only because they list ads: none means the markup changed,
                # and landing "no ads" would read as zero demand downstream.
                what = "an empty job list" if has_list else "no job list"
                raise SourceError(
                    f"listing page {page} has {what} (layout change?)", where=result.url, field="li.job-item"
                )
            records = []
            skipped = {"before_window": 0, "after_window": 0}
            readable = []
            for index, item in enumerate(items, start=1):
                day = _listing_date(item["posted_at"])
                if day is not None:
                    readable.append(day)
                # An unreadable or pre-2000 date is landed whatever the window, for the validator
                # to quarantine with the value visible; a plausible date outside the window
                # belongs to another run.
                if day is not None and day >= PLAUSIBLE_SINCE:
                    if since is not None and day < since:
                        skipped["before_window"] += 1
                        continue
                    if until is not None and day > until:
                        skipped["after_window"] += 1
                        continue
                records.append(self._record(item, page, index))
            log.info(
                "%s listing page %d: %d items, %d in window (%d older, %d newer)",
                self.name,
                page,
                len(items),
                len(records),
                skipped["before_window"],
                skipped["after_window"],
            )
            # Newest first: once a whole page is older than the window, the rest is too.
            done = since is not None and readable and max(readable) < since
            url = None if done else next_url
            next_state = {"url": url, "visited": sorted(visited), "page": page} if url else None
            yield Page(records, next_state, result.url, seen=len(items), skipped=skipped)

    def _record(self, item: dict, page: int, index: int) -> dict:
        fields = dict(item)
        if item["url"]:
            result = self.fetch(item["url"], ok_statuses=(404, 410))
            if result.status in (404, 410):
                log.warning(
                    "%s: detail page gone (HTTP %d), keeping listing fields: %s",
                    self.name,
                    result.status,
                    item["url"],
                )
            else:
                detail = parse_detail(result.text)
                if not any(detail.values()):
                    log.warning("%s: nothing readable on detail page %s", self.name, item["url"])
                    fields["parse_error"] = (
                        f"detail page {item['url']} has none of h1.job-title, .company-name, "
                        "dl.job-meta, .job-desc (malformed page or layout change)"
                    )
                # The detail page is the fuller source; the listing fills its gaps.
                fields.update({k: v for k, v in detail.items() if v is not None})
        else:
            log.warning(
                "%s: listing item %d on page %d has no link; keeping listing fields", self.name, index, page
            )
        fields["source_id"] = _source_id(item["url"])
        return self.raw_record(**fields)


PLAUSIBLE_SINCE = date(2000, 1, 1)


def _listing_date(text: str | None) -> date | None:
    iso = parse_date(text)
    return date.fromisoformat(iso) if iso else None
