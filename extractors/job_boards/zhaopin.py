"""Adapter for JSON job APIs with cursor pagination (巴中招聘网 style, `kind: json_api`).

`GET url?limit=N&cursor=C&posted_since=D&posted_until=D` →
`{"code":0,"data":{"items":[…],"next_cursor":…,"total":…}}`. The window's dates go to the API's
date filters; the cursor is the resume state, so a crashed crawl continues from the page after the
last one landed. An item that is not an object, or holds a list where text belongs, becomes a record
with `parse_error` (quarantined by the validator) instead of stopping the rest of the page.

Completeness (docs/fault-matrix.md): the crawl must end as the API says it ends. A page with fewer
items than the limit while `next_cursor` continues, or fewer items read than the `total` announced,
fails the board (after the last page is read, so the error lists every short page, but before that
page is yielded: a checkpoint never records such a crawl as complete). A required field
(`required_fields`, default REQUIRED_FIELDS) absent from every item of a page, or a mapped field
absent everywhere while unknown keys appear (a rename: job_desc → description), fails the board
naming the field; one absent from a few items marks those items with `parse_error`."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from extractors.errors import SourceError
from extractors.job_boards.base import BoardAdapter, Page

log = logging.getLogger("extractors.job_boards.zhaopin")

# API field → raw ad field. `city`/`district` are joined into `location`.
FIELD_MAP = {
    "job_id": "source_id",
    "job_title": "title",
    "company_name": "company",
    "salary_text": "salary",
    "edu": "education",
    "exp": "experience",
    "job_desc": "description",
    "publish_time": "posted_at",
    "recruit_num": "headcount",
    "detail_url": "url",
}
KNOWN_KEYS = frozenset(FIELD_MAP) | {"city", "district"}
# Keys an item without which is no ad at all; a board block can list more (`required_fields`).
REQUIRED_FIELDS = ("job_id", "job_title", "company_name", "publish_time")
TEXT_FIELDS = ("source_id", "title", "company", "salary", "education", "experience", "description", "url")


class JsonApiAdapter(BoardAdapter):
    def iter_pages(self, state: dict | None = None) -> Iterator[Page]:
        page_size = int(self.settings.get("page_size", 100))
        params: dict[str, object] = {"limit": page_size}
        since, until = self.window.since, self.window.until
        params["posted_since"] = since.isoformat() if since else self.settings.get("posted_since")
        params["posted_until"] = until.isoformat() if until else self.settings.get("posted_until")
        state = dict(state or {})
        cursor: str | None = state.get("cursor")
        seen_cursors: set[str] = set(state.get("seen_cursors", []))
        page = int(state.get("page", 0))
        count = int(state.get("count", 0))
        total = state.get("total")
        short_pages: list[str] = list(state.get("short_pages", []))
        required = tuple(self.settings.get("required_fields") or REQUIRED_FIELDS)
        while True:
            page += 1
            result = self.fetch(self.url, {**params, "cursor": cursor})
            body = result.json()
            if not isinstance(body, dict) or body.get("code") != 0:
                msg = body.get("msg") if isinstance(body, dict) else None
                raise SourceError(
                    f"API answered code={body.get('code') if isinstance(body, dict) else '?'} msg={msg!r}",
                    where=result.url,
                    field="code",
                )
            data = body.get("data")
            items = data.get("items") if isinstance(data, dict) else None
            if not isinstance(items, list):
                raise SourceError(
                    "API response has no data.items list (layout change?)",
                    where=result.url,
                    field="data.items",
                )
            if total is None and isinstance(data.get("total"), int):
                total = data["total"]
            next_cursor = data.get("next_cursor")
            if not items and (cursor is not None or next_cursor or total):
                # A page in the middle of a crawl, or a first page that claims a total, must have ads.
                raise SourceError(
                    f"API page {page} has no items although more were announced",
                    where=result.url,
                    field="data.items",
                )
            records = []
            recognised = 0
            for index, item in enumerate(items, start=1):
                if not isinstance(item, dict):
                    records.append(
                        self.raw_record(
                            parse_error=f"item {index} on page {page} is a {type(item).__name__}, "
                            f"not an object ({result.url})"
                        )
                    )
                    continue
                if KNOWN_KEYS & item.keys():
                    recognised += 1
                absent = [key for key in required if key not in item]
                records.append(self._to_raw(item, page, index, absent))
            if items and not recognised:
                raise SourceError(
                    "no item on this page has any known field (layout change?)",
                    where=result.url,
                    field="data.items",
                )
            _check_fields(items, required, page, result.url)
            count += len(items)
            log.info("%s page %d: %d items (%d so far, total %s)", self.name, page, len(items), count, total)
            if next_cursor and len(items) < page_size:
                # The cursor moves on by the page size, so the missing items are never served.
                short_pages.append(f"page {page}: {len(items)} of {page_size} items ({result.url})")
                log.error("%s: API %s while next_cursor continues", self.name, short_pages[-1])
            if next_cursor and next_cursor in seen_cursors:
                raise SourceError(
                    f"API returned cursor {next_cursor!r} twice (pagination loop)",
                    where=result.url,
                    field="next_cursor",
                )
            if next_cursor:
                seen_cursors.add(next_cursor)
            next_state = None
            if next_cursor:
                next_state = {
                    "cursor": next_cursor,
                    "seen_cursors": sorted(seen_cursors),
                    "page": page,
                    "count": count,
                    "total": total,
                    "short_pages": short_pages,
                }
            else:
                self._check_end(short_pages, count, total, result.url)
            announced = {"total": total} if total is not None else {}
            yield Page(records, next_state, result.url, seen=len(items), announced=announced)
            if not next_cursor:
                break
            cursor = next_cursor

    def _check_end(self, short_pages: list[str], count: int, total: int | None, url: str) -> None:
        """The crawl is over: fail it unless it read what the API announced."""
        if short_pages:
            raise SourceError(
                f"{len(short_pages)} API page(s) returned fewer items than the limit while next_cursor "
                f"continued, so items were skipped: {'; '.join(short_pages[:5])}",
                where=url,
                field="data.items",
            )
        if total is not None and count < total:
            raise SourceError(
                f"API announced total={total} but the cursor ended after {count} items "
                f"({total - count} missing)",
                where=url,
                field="data.total",
            )
        if total is not None and count > total:
            # The board gained ads while we paged through it: nothing is missing.
            log.warning("%s: API announced total=%d but %d items were read", self.name, total, count)

    def _to_raw(self, item: dict, page: int, index: int, absent: list[str] | None = None) -> dict:
        fields = {raw: item.get(api) for api, raw in FIELD_MAP.items()}
        place = [str(item[k]).strip() for k in ("city", "district") if item.get(k) not in (None, "")]
        fields["location"] = "·".join(place) if place else None
        problems = [f"{key} is missing" for key in absent or ()]
        for key in TEXT_FIELDS:
            value = fields[key]
            if isinstance(value, (list, dict)):
                api = next(a for a, r in FIELD_MAP.items() if r == key)
                problems.append(f"{api} holds a {type(value).__name__}, not text")
                fields[key] = None
            elif value is not None and not isinstance(value, str):
                fields[key] = str(value)
        if problems:
            fields["parse_error"] = f"item {index} on page {page}: " + "; ".join(problems)
        return self.raw_record(**fields)


def _check_fields(items: list, required: tuple[str, ...], page: int, url: str) -> None:
    """Fail when a field is gone from every item of the page: the API changed, and landing its
    value as null on every ad would look like data."""
    objects = [item for item in items if isinstance(item, dict)]
    if not objects:
        return
    present = set().union(*(item.keys() for item in objects))
    unknown = sorted(present - KNOWN_KEYS)
    gone = [key for key in required if key not in present]
    if unknown:  # a mapped field gone while unknown ones appear was renamed
        gone += [key for key in FIELD_MAP if key not in present and key not in gone]
    if gone:
        hint = f"; unknown field(s) {', '.join(unknown)} appeared (renamed?)" if unknown else ""
        raise SourceError(
            f"API page {page}: field(s) {', '.join(gone)} missing from all {len(objects)} items{hint}",
            where=url,
            field=f"data.items[].{gone[0]}",
        )
