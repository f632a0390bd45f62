"""Adapter for JSON job APIs with cursor pagination (巴中招聘网 style, `kind: json_api`).

`GET url?limit=N&cursor=C` → `{"code":0,"data":{"items":[…],"next_cursor":…,"total":…}}`."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from extractors.errors import SourceError
from extractors.job_boards.base import BoardAdapter, register

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


@register
class JsonApiAdapter(BoardAdapter):
    kind = "json_api"

    def iter_records(self) -> Iterator[dict]:
        page_size = int(self.settings.get("page_size", 100))
        params: dict[str, object] = {"limit": page_size}
        for key in ("posted_since", "posted_until"):
            if self.settings.get(key):
                params[key] = self.settings[key]
        cursor: str | None = None
        seen_cursors: set[str] = set()
        page = 0
        count = 0
        total = None
        while True:
            page += 1
            result = self.client.get(self.url, {**params, "cursor": cursor})
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
            recognised = 0
            for index, item in enumerate(items, start=1):
                if not isinstance(item, dict):
                    raise SourceError(
                        f"item is a {type(item).__name__}, not an object",
                        where=result.url,
                        row=index,
                        field="data.items",
                    )
                if KNOWN_KEYS & item.keys():
                    recognised += 1
                yield self._to_raw(item)
                count += 1
            if items and not recognised:
                raise SourceError(
                    "no item on this page has any known field (layout change?)",
                    where=result.url,
                    field="data.items",
                )
            log.info("%s page %d: %d items (%d so far, total %s)", self.name, page, len(items), count, total)
            if not next_cursor:
                break
            if next_cursor in seen_cursors:
                raise SourceError(
                    f"API returned cursor {next_cursor!r} twice (pagination loop)",
                    where=result.url,
                    field="next_cursor",
                )
            seen_cursors.add(next_cursor)
            cursor = next_cursor
        if total is not None and total != count:
            # The board can gain ads while we page through it; worth a look, not a failure.
            log.warning("%s: API announced total=%d but %d items were read", self.name, total, count)

    def _to_raw(self, item: dict) -> dict:
        fields = {raw: item.get(api) for api, raw in FIELD_MAP.items()}
        place = [str(item[k]).strip() for k in ("city", "district") if item.get(k) not in (None, "")]
        fields["location"] = "·".join(place) if place else None
        for key in (
            "source_id",
            "title",
            "company",
            "salary",
            "education",
            "experience",
            "description",
            "url",
        ):
            if fields[key] is not None and not isinstance(fields[key], str):
                fields[key] = str(fields[key])
        return self.raw_record(**fields)
