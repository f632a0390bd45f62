"""Adapter for JSON job APIs with cursor pagination (巴中招聘网 style, `kind: json_api`).

`GET url?limit=N&cursor=C&posted_since=D&posted_until=D` →
`{"code":0,"data":{"items":[…],"next_cursor":…,"total":…}}`. The window's dates go to the API's
date filters; the cursor is the resume state, so a crashed crawl continues from the page after the
last one landed. An item that is not an object, or holds a list where text belongs, becomes a record
with `parse_error` (quarantined by the validator) instead of stopping the rest of the page."""

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
                records.append(self._to_raw(item, page, index))
            if items and not recognised:
                raise SourceError(
                    "no item on this page has any known field (layout change?)",
                    where=result.url,
                    field="data.items",
                )
            count += len(items)
            log.info("%s page %d: %d items (%d so far, total %s)", self.name, page, len(items), count, total)
            if next_cursor and next_cursor in seen_cursors:
                raise SourceError(
                    f"API returned cursor {next_cursor!r} twice (pagination loop)",
                    where=result.url,
                    field="next_cursor",
                )
            if next_cursor:
                seen_cursors.add(next_cursor)
            next_state = (
                {
                    "cursor": next_cursor,
                    "seen_cursors": sorted(seen_cursors),
                    "page": page,
                    "count": count,
                    "total": total,
                }
                if next_cursor
                else None
            )
            yield Page(records, next_state, result.url, seen=len(items))
            if not next_cursor:
                break
            cursor = next_cursor
        if total is not None and total != count:
            # The board can gain ads while we page through it; worth a look, not a failure.
            log.warning("%s: API announced total=%d but %d items were read", self.name, total, count)

    def _to_raw(self, item: dict, page: int, index: int) -> dict:
        fields = {raw: item.get(api) for api, raw in FIELD_MAP.items()}
        place = [str(item[k]).strip() for k in ("city", "district") if item.get(k) not in (None, "")]
        fields["location"] = "·".join(place) if place else None
        problems = []
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
