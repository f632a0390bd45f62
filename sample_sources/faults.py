"""Faults the sample server can inject (`talent sources serve --faults NAME,…`), so every way a
hostile tester broke the job-board crawlers can be reproduced by hand and by tests/test_crawl_faults.py.

Each fault changes only the board answers it names; everything else is served as usual. `Faults`
decides per request what to send (`Delivery`) and how (`mode`): the server's handler carries out the
modes that need the socket (a body cut without Content-Length, a TCP reset, a trickle, an endless
body). The expected outcome of each is in docs/fault-matrix.md."""

from __future__ import annotations

import json
import logging
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

logger = logging.getLogger("sample_sources.faults")

FAULTS: dict[str, str] = {
    "truncate-listing": "rencai listing page 2 cut off halfway, sent without Content-Length (connection closed)",
    "renamed-classes": "rencai detail pages with renamed CSS classes (job-title → position-title, …)",
    "missing-pager": "rencai listing page 3 without its 下一页 link (its 第3/N页 still says more follow)",
    "soft-404": "every 5th rencai detail page is a 页面不存在 page served with HTTP 200",
    "renamed-json-fields": "zhaopin items carry description/headcount instead of job_desc/recruit_num",
    "short-page": "zhaopin API pages return a quarter of their items while next_cursor continues",
    "reset-mid-body": "the first answer to each listing/API page and every 10th detail page is cut by a TCP reset "
    "mid-body (the retry gets it whole)",
    "redirect-offsite": "the zhaopin API answers 302 to the same path on another origin (--offsite-url)",
    "slow-drip": "board answers trickle out one byte a second",
    "huge-response": "board answers are 100 MB of padding without Content-Length",
}
HUGE_BYTES = 100 * 1024 * 1024
# Headers that carry a credential: a request to the offsite origin with one of them is a leak.
CREDENTIAL_HEADER = re.compile(r"authorization|token|api[-_]?key|secret|cookie", re.I)
_RENAMED_CLASSES = {
    'class="job-title"': 'class="position-title"',
    'class="company-name"': 'class="corp-name"',
    'class="job-meta"': 'class="position-meta"',
    'class="job-desc"': 'class="position-desc"',
}
_RENAMED_FIELDS = {"job_desc": "description", "recruit_num": "headcount"}
SOFT_404_PAGE = (
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>页面不存在 - 巴山人才网</title>\n'
    '</head>\n<body>\n<div class="top"><a href="/boards/rencai/list/index.html">巴山人才网</a></div>\n'
    '<div class="error"><h1>页面不存在</h1><p>您访问的职位已下线或链接有误，3秒后返回首页。</p></div>\n'
    "</body>\n</html>\n"
)


@dataclass
class Delivery:
    """What to send and how: `normal`, `close` (no Content-Length, connection closed after the body),
    `reset` (full Content-Length, half the body, then a TCP reset), `drip` (a byte every
    `drip_seconds`) or `huge` (HUGE_BYTES of padding, no Content-Length)."""

    status: int
    content_type: str
    body: bytes
    mode: str = "normal"
    headers: dict[str, str] = field(default_factory=dict)


def parse_faults(text: str | list[str] | None) -> list[str]:
    """Fault names from `a,b` (or a list); unknown names raise ValueError listing the known ones."""
    if not text:
        return []
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    unknown = [n for n in names if n not in FAULTS]
    if unknown:
        raise ValueError(f"unknown fault(s) {', '.join(unknown)}; known: {', '.join(FAULTS)}")
    return names


class Faults:
    """The active faults of one server, and every request it saw (path and headers, for tests that
    check where a credential went)."""

    def __init__(
        self, names: str | list[str] | None = (), *, offsite_url: str | None = None, drip_seconds=1.0
    ):
        self.names = frozenset(parse_faults(list(names) if not isinstance(names, str) else names))
        self.offsite_url = offsite_url.rstrip("/") if offsite_url else None
        self.drip_seconds = float(drip_seconds)
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._hits: dict[str, int] = {}
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return True  # an empty fault set still records requests

    def record(self, path: str, headers: dict[str, str]) -> int:
        """Remember a request; returns how many times this path (with its query) was asked for."""
        with self._lock:
            if len(self.requests) < 100_000:
                self.requests.append((path, dict(headers)))
            self._hits[path] = self._hits.get(path, 0) + 1
            hit = self._hits[path]
        leaked = [name for name in headers if CREDENTIAL_HEADER.search(name)]
        if leaked:
            host = headers.get("Host") or headers.get("host")
            logger.info("request %s (Host %s) carried credential header(s) %s", path, host, ", ".join(leaked))
        return hit

    def plan(
        self, path: str, hit: int, status: int, content_type: str, body: bytes, host: str | None = None
    ) -> Delivery:
        """How to answer request number `hit` of `path` (asked of `host`) whose fault-free answer is given."""
        delivery = Delivery(status, content_type, body)
        if not path.startswith("/boards/") or status != 200:
            return delivery
        route = path.split("?", 1)[0]
        on = self.names.__contains__
        listing = re.fullmatch(r"/boards/rencai/list/(?:index|list_(\d+))\.html", route)
        page = int(listing[1] or 1) if listing else None
        detail = re.fullmatch(r"/boards/rencai/job/RC(\d+)\.html", route)
        api = route == "/boards/zhaopin/api/v1/jobs"
        # The offsite origin may be this very server under another name: answer there, or it loops.
        offsite = self.offsite_url and urlsplit(self.offsite_url).netloc == (host or "")
        if api and on("redirect-offsite") and self.offsite_url and not offsite:
            return Delivery(302, "text/plain", b"", headers={"Location": self.offsite_url + path})
        if detail and on("renamed-classes"):
            text = body.decode("utf-8")
            for old, new in _RENAMED_CLASSES.items():
                text = text.replace(old, new)
            delivery.body = text.encode("utf-8")
        if detail and on("soft-404") and int(detail[1]) % 5 == 0:
            delivery.body = SOFT_404_PAGE.encode("utf-8")
        if page == 3 and on("missing-pager"):
            delivery.body = re.sub(rb'<a class="next"[^>]*>[^<]*</a>', b"", body)
        if api and (on("renamed-json-fields") or on("short-page")):
            delivery.body = self._api_body(body)
        if page == 2 and on("truncate-listing"):
            delivery.body, delivery.mode = delivery.body[: len(delivery.body) // 2], "close"
        if on("reset-mid-body") and hit == 1 and (listing or api or (detail and int(detail[1]) % 10 == 0)):
            delivery.mode = "reset"
        if on("slow-drip"):
            delivery.mode = "drip"
        if on("huge-response"):
            delivery.mode = "huge"
        return delivery

    def _api_body(self, body: bytes) -> bytes:
        doc = json.loads(body)
        data = doc.get("data") or {}
        if "renamed-json-fields" in self.names:
            data["items"] = [
                {_RENAMED_FIELDS.get(k, k): v for k, v in item.items()} if isinstance(item, dict) else item
                for item in data.get("items", [])
            ]
        if "short-page" in self.names and data.get("next_cursor"):
            data["items"] = data["items"][: max(1, len(data["items"]) // 4)]
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
