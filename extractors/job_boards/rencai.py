"""Adapter for HTML boards with paged listings and one detail page per ad (巴山人才网 style,
`kind: html_listing`).

The listing gives title, company, salary and date; the detail page adds education, experience,
location, headcount and the description. A detail page that is gone (404/410) keeps the ad with the
listing's fields; a listing page without ads is a layout change and stops the extraction.

Completeness (docs/fault-matrix.md): a listing must end the way its pager says (a 第n/N页 with n < N
and no 下一页 link, a page cut off before `</html>`, a pager that vanishes, or a page shorter than the
board's page size while the pager continues stops the board). Every detail page must hold the
elements every detail page has (DETAIL_REQUIRED; no fallback to any `h1`): one that lacks them, or a
"页面不存在" page served with 200 (a soft 404), becomes a record with `parse_error` (quarantined), and
when most detail pages are like that the board fails, because that is a layout change.

The listing is newest first: ads dated after the window are passed over, and paging stops after the
first page that is wholly older than the window, so a daily run reads a page or two and fetches
detail pages only for the ads it lands. A page's detail pages are fetched together (up to the
board's `max_concurrency`), and not at all when the ad's listing row is unchanged since its page was
read (extractors/job_boards/detail_cache.py), so a re-walk costs the listing pages only. Resume state is the next listing page's URL; ads that a
crash let the board push down a page are read twice and deduplicated by id, none is skipped."""

from __future__ import annotations

import logging
import posixpath
import re
from collections.abc import Iterator
from datetime import date
from urllib.parse import urljoin, urlsplit

from extractors.errors import SourceError
from extractors.htmltext import Node, parse_html
from extractors.http import FetchResult
from extractors.job_boards.base import BoardAdapter, Page
from extractors.job_boards.detail_cache import DetailCache, listing_marker
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
# Elements every detail page of the board has ((tag or None, class), as `Node.find` takes them);
# a board block may name its own with `detail_required: ["h1.job-title", ".job-desc"]`.
DETAIL_REQUIRED = ("h1.job-title", ".company-name", "dl.job-meta", ".job-desc")
# More broken detail pages than this share (once there are a few) is a layout change, not bad ads.
BROKEN_DETAIL_SHARE = 0.5
BROKEN_DETAIL_MIN = 3
PAGE_INFO = re.compile(r"第\s*(\d+)\s*/\s*(\d+)\s*页")
# What "not found" pages served with HTTP 200 say (soft 404s), in their title or heading.
SOFT_404 = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|此)?页面|页面已删除|职位(?:已下线|不存在|已删除|已关闭)|"
    r"信息(?:不存在|已删除)|404\s*not\s*found|page\s*not\s*found",
    re.I,
)


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


def soft_404(doc: Node) -> str | None:
    """The "not found" wording of a page served with 200, or None."""
    for node in (doc.find("title"), doc.find("h1")):
        text = _text(node)
        if text and SOFT_404.search(text):
            return text
    return None


def parse_listing(html: str, page_url: str, doc: Node | None = None) -> tuple[list[dict], str | None, bool]:
    """(items, next_page_url, has_list_container) of one listing page (`doc`: the page parsed)."""
    doc = doc or parse_html(html)
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


def _selector(spec: str) -> tuple[str | None, str | None]:
    tag, _, cls = spec.partition(".")
    return tag or None, cls or None


def parse_detail(html: str, required: tuple[str, ...] = DETAIL_REQUIRED) -> dict:
    """Fields of one detail page; absent elements give None. No fallback to any `h1`: on a page
    whose classes changed that would pass the page's heading (or a "页面不存在") off as the title.

    `_missing` lists the `required` selectors the page lacks, `_soft_404` its "not found" wording."""
    doc = parse_html(html)
    fields: dict = {
        "title": _text(doc.find("h1", "job-title")),
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
    fields["_missing"] = [spec for spec in required if doc.find(*_selector(spec)) is None]
    fields["_soft_404"] = soft_404(doc) if fields["_missing"] else None
    return fields


class HtmlListingAdapter(BoardAdapter):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.required = tuple(self.settings.get("detail_required") or DETAIL_REQUIRED)
        size = self.settings.get("listing_page_size")
        self.page_size = int(size) if size else None  # else learned from the first page read
        self.details = {"read": 0, "broken": 0, "first_broken": None, "fetched": 0, "cached": 0}
        # extract_board hands in a DetailCache (extractors/job_boards/detail_cache.py) when it keeps one
        self.detail_cache: DetailCache | None = None

    def iter_pages(self, state: dict | None = None) -> Iterator[Page]:
        state = dict(state or {})
        url: str | None = state.get("url", self.url)
        visited: set[str] = set(state.get("visited", []))
        page = int(state.get("page", 0))
        self.page_size = self.page_size or state.get("page_size")
        self.details.update(state.get("details") or {})
        pages_announced: int | None = state.get("pages_announced")
        since, until = self.window.since, self.window.until
        while url:
            if url in visited:
                raise SourceError("pager links back to a page already read (pagination loop)", where=url)
            if page >= MAX_PAGES:
                raise SourceError(f"more than {MAX_PAGES} listing pages", where=url)
            visited.add(url)
            page += 1
            result = self.fetch(url)
            doc = parse_html(result.text)
            items, next_url, has_list = parse_listing(result.text, result.url, doc)
            if not items:
                # Listing pages exist only because they list ads: none means the markup changed,
                # and landing "no ads" would read as zero demand downstream.
                soft = soft_404(doc)
                what = "an empty job list" if has_list else "no job list"
                if soft:
                    what = f"a 'not found' page ({soft!r}, soft 404)"
                raise SourceError(
                    f"listing page {page} has {what} (layout change?)", where=result.url, field="li.job-item"
                )
            pages_announced = self._check_listing(result, doc, page, items, next_url, pages_announced)
            wanted = []
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
                wanted.append((index, item))
            fetched_before, cached_before = self.details["fetched"], self.details["cached"]
            records = self._records(wanted, page)
            log.info(
                "%s listing page %d: %d items, %d in window (%d older, %d newer); %d detail pages fetched, "
                "%d unchanged since read",
                self.name,
                page,
                len(items),
                len(records),
                skipped["before_window"],
                skipped["after_window"],
                self.details["fetched"] - fetched_before,
                self.details["cached"] - cached_before,
            )
            # Newest first: once a whole page is older than the window, the rest is too.
            done = since is not None and readable and max(readable) < since
            url = None if done else next_url
            self._check_details(last=url is None)
            next_state = None
            if url:
                next_state = {
                    "url": url,
                    "visited": sorted(visited),
                    "page": page,
                    "page_size": self.page_size,
                    "details": dict(self.details),
                    "pages_announced": pages_announced,
                }
            announced = {"pages": pages_announced} if pages_announced else {}
            yield Page(records, next_state, result.url, seen=len(items), skipped=skipped, announced=announced)

    def _check_listing(
        self,
        result: FetchResult,
        doc: Node,
        page: int,
        items: list,
        next_url: str | None,
        announced: int | None,
    ) -> int | None:
        """Fail unless the listing page is whole and its pager agrees with what was read; returns the
        page count the pager announces (None when the board prints none)."""
        if "</html>" not in result.text.lower():
            raise SourceError(
                f"listing page {page} ends before </html> after {len(result.content)} bytes (truncated)",
                where=result.url,
                field="</html>",
            )
        info = PAGE_INFO.search(doc.text())
        if info is None and announced:
            raise SourceError(
                f"listing page {page} has no pager (第n/N页) although earlier pages had one",
                where=result.url,
                field="div.pager",
            )
        if info is not None:
            current, total = int(info[1]), int(info[2])
            announced = total
            if next_url is None and current < total:
                raise SourceError(
                    f"listing page {page} says 第{current}/{total}页 but has no next-page link "
                    f"({total - current} pages not read)",
                    where=result.url,
                    field="a.next",
                )
        if self.page_size is None:
            self.page_size = len(items)
        elif next_url is not None and len(items) < self.page_size:
            raise SourceError(
                f"listing page {page} lists {len(items)} ads, fewer than the board's {self.page_size} "
                "a page, while the pager continues (ads missing)",
                where=result.url,
                field="li.job-item",
            )
        return announced

    def _check_details(self, *, last: bool) -> None:
        """Fail the board when most detail pages are broken: that is the markup, not the ads."""
        read, broken = self.details["read"], self.details["broken"]
        too_many = broken >= BROKEN_DETAIL_MIN and broken > BROKEN_DETAIL_SHARE * read
        if too_many or (last and read and broken == read):
            first = self.details["first_broken"] or ""
            raise SourceError(
                f"{broken} of {read} detail pages lack the elements every detail page has "
                f"(layout change?); first: {first}",
                where=first.split(" ", 1)[0],
                field=", ".join(self.required),
            )

    def _records(self, wanted: list[tuple[int, dict]], page: int) -> list[dict]:
        """Raw ads of one listing page's items in the window, in listing order: detail pages are
        fetched together (up to `max_concurrency` at once), except those of rows unchanged since
        their page was read (the detail cache)."""
        cache = self.detail_cache
        details: dict[int, dict | None] = {}
        markers: dict[int, str] = {}
        to_fetch: list[tuple[int, dict]] = []
        for index, item in wanted:
            if not item["url"]:
                continue
            if cache is not None:
                markers[index] = listing_marker(item, self.required)
                cached = cache.get(_source_id(item["url"]), markers[index])
                if cached is not None:
                    details[index] = cached
                    self.details["read"] += 1
                    self.details["cached"] += 1
                    continue
            to_fetch.append((index, item))
        results = self.fetch_all([item["url"] for _, item in to_fetch], ok_statuses=(404, 410))
        self.details["fetched"] += len(results)
        fresh = []
        for (index, item), result in zip(to_fetch, results, strict=True):
            details[index] = self._detail(item, result)
            if cache is not None and details[index] is not None and "parse_error" not in details[index]:
                fresh.append((index, _source_id(item["url"]), markers[index], details[index]))
        if cache is not None:
            # The ad's raw record takes the fields as the cache keeps them (scrubbed), so it is the
            # same whether its page was fetched or cached and the processed-record cache knows it.
            stored = cache.put_many([entry[1:] for entry in fresh])
            details.update((entry[0], fields) for entry, fields in zip(fresh, stored, strict=True))
        records = []
        for index, item in wanted:
            fields = dict(item)
            if not item["url"]:
                log.warning(
                    "%s: listing item %d on page %d has no link; keeping listing fields",
                    self.name,
                    index,
                    page,
                )
            detail = details.get(index)
            if detail:
                # The detail page is the fuller source; the listing fills its gaps.
                fields.update({k: v for k, v in detail.items() if v is not None})
            fields["source_id"] = _source_id(item["url"])
            records.append(self.raw_record(**fields))
        return records

    def _detail(self, item: dict, result: FetchResult) -> dict | None:
        """The fields a fetched detail page adds (with `parse_error` when it is broken); None when
        the page is gone, so the ad keeps its listing fields."""
        if result.status in (404, 410):
            log.warning(
                "%s: detail page gone (HTTP %d), keeping listing fields: %s",
                self.name,
                result.status,
                item["url"],
            )
            return None
        detail = parse_detail(result.text, self.required)
        missing, soft = detail.pop("_missing"), detail.pop("_soft_404")
        self.details["read"] += 1
        if missing:
            self.details["broken"] += 1
            problem = (
                f"is a 'not found' page served with HTTP {result.status} (soft 404: {soft!r})"
                if soft
                else f"lacks {', '.join(missing)} (malformed page or layout change)"
            )
            self.details["first_broken"] = self.details["first_broken"] or f"{item['url']} {problem}"
            detail["parse_error"] = f"detail page {item['url']} {problem}"
            log.warning("%s: %s", self.name, detail["parse_error"])
        return detail


PLAUSIBLE_SINCE = date(2000, 1, 1)


def _listing_date(text: str | None) -> date | None:
    iso = parse_date(text)
    return date.fromisoformat(iso) if iso else None
