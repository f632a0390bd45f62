"""Adapter for HTML boards with paged listings and one detail page per ad (巴山人才网 style,
`kind: html_listing`).

The listing gives title, company, salary and date; the detail page adds education, experience,
location, headcount and the description. A detail page that is gone (404/410) keeps the ad with the
listing's fields; a listing page without ads is a layout change and stops the extraction."""

from __future__ import annotations

import logging
import posixpath
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from extractors.errors import SourceError
from extractors.htmltext import Node, parse_html
from extractors.job_boards.base import BoardAdapter, register

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


@register
class HtmlListingAdapter(BoardAdapter):
    kind = "html_listing"

    def iter_listing(self) -> Iterator[dict]:
        url: str | None = self.url
        visited: set[str] = set()
        page = 0
        while url:
            if url in visited:
                raise SourceError("pager links back to a page already read (pagination loop)", where=url)
            if page >= MAX_PAGES:
                raise SourceError(f"more than {MAX_PAGES} listing pages", where=url)
            visited.add(url)
            page += 1
            result = self.client.get(url)
            items, next_url, has_list = parse_listing(result.text, result.url)
            if not items:
                # Listing pages exist only because they list ads: none means the markup changed,
                # and landing "no ads" would read as zero demand downstream.
                what = "an empty job list" if has_list else "no job list"
                raise SourceError(
                    f"listing page {page} has {what} (layout change?)", where=result.url, field="li.job-item"
                )
            log.info("%s listing page %d: %d items", self.name, page, len(items))
            yield from items
            url = next_url

    def iter_records(self) -> Iterator[dict]:
        for index, item in enumerate(self.iter_listing(), start=1):
            fields = dict(item)
            if item["url"]:
                result = self.client.get(item["url"], ok_statuses=(404, 410))
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
                    # The detail page is the fuller source; the listing fills its gaps.
                    fields.update({k: v for k, v in detail.items() if v is not None})
            else:
                log.warning("%s: listing item %d has no link; keeping listing fields", self.name, index)
            fields["source_id"] = _source_id(item["url"])
            yield self.raw_record(**fields)
