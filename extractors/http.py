"""A small, polite HTTP client for the extractors.

Why not plain `requests.get`: government and job-board sites time out, rate-limit (429) and serve
GB2312/GBK pages that `requests` mis-decodes as ISO-8859-1, and every landing must record what was
fetched. `HttpClient.get` retries through urllib3's `Retry` mounted on the session (bounded
exponential backoff plus jitter, `Retry-After` honoured and capped), decodes text with
`extractors.charset.decode_bytes`, and returns a `FetchResult` whose `manifest_entry()` goes into the
landing manifest."""

from __future__ import annotations

import hashlib
import logging
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from extractors.charset import decode_bytes
from extractors.errors import SourceError

log = logging.getLogger("extractors.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Upper bounds so a hostile or broken server cannot park a pipeline task for hours.
MAX_BACKOFF_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 120

_TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|xhtml\+xml|javascript|.*\+json|.*\+xml))", re.I)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass
class FetchResult:
    """One successful fetch. `text` is empty and `encoding` None for binary bodies (e.g. XLSX)."""

    url: str
    status: int
    content: bytes
    text: str
    encoding: str | None
    fetched_at: str
    sha256: str
    content_type: str | None = None

    def json(self) -> Any:
        import json

        try:
            return json.loads(self.text)
        except ValueError as exc:
            raise SourceError(f"response is not valid JSON: {exc}", where=self.url) from exc

    def manifest_entry(self) -> dict:
        """The `fetches[]` entry of a landing manifest (contract section 2)."""
        return {
            "url": self.url,
            "fetched_at": self.fetched_at,
            "sha256": self.sha256,
            "bytes": len(self.content),
            "status": self.status,
            "encoding": self.encoding,
        }


def _with_params(url: str, params: dict[str, Any] | None) -> str:
    if not params:
        return url
    parts = urlsplit(url)
    extra = urlencode({k: v for k, v in params.items() if v is not None})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


class _PoliteRetry(Retry):
    """urllib3's Retry with this client's backoff: `backoff_factor * 2**n` plus up to 50% jitter from
    the first retry on (urllib3 retries the first time at once), capped at MAX_BACKOFF_SECONDS; an
    unreadable Retry-After falls back to the backoff instead of failing the request."""

    # Only these statuses say "come back after"; the others in RETRY_STATUSES retry on backoff.
    RETRY_AFTER_STATUS_CODES = frozenset({429, 503})

    def get_backoff_time(self) -> float:
        base = self.backoff_factor * (2 ** max(0, len(self.history) - 1))
        # Jitter spreads retries of parallel tasks so they do not hit a recovering server together.
        return min(base + random.uniform(0, base / 2), MAX_BACKOFF_SECONDS)

    def get_retry_after(self, response) -> float | None:
        if response.status not in self.RETRY_AFTER_STATUS_CODES:
            return None
        try:
            return super().get_retry_after(response)
        except InvalidHeader:
            return None

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        if error is None:  # urllib3 itself warns about broken connections and timeouts, not statuses
            where = f"{_pool.scheme}://{_pool.host}:{_pool.port}{url}" if _pool is not None else url
            status = response.status if response is not None else "?"
            log.warning("GET %s -> %s; retry %d/%d", where, status, len(new.history), self.retries_allowed)
        return new

    @property
    def retries_allowed(self) -> int:
        return len(self.history) + int(self.total or 0)


class HttpClient:
    """requests.Session with timeouts, bounded retries, charset handling and a fetch log.

    `retries` is the number of extra attempts after the first (so `retries=3` means at most four
    requests for one URL). `backoff` is the base of the exponential delay (backoff * 2**n plus up
    to 50% jitter, capped at MAX_BACKOFF_SECONDS); tests set it near zero."""

    def __init__(
        self,
        user_agent: str,
        timeout: float = 20.0,
        retries: int = 3,
        *,
        backoff: float = 0.5,
        session: requests.Session | None = None,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.session = session or requests.Session()
        self.session.headers.update({"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"})
        retry = _PoliteRetry(
            total=self.retries,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=self.backoff,
            retry_after_max=MAX_RETRY_AFTER_SECONDS,
            # The last 5xx/429 answer comes back as a response, so the error names its status and body.
            raise_on_status=False,
        )
        for scheme in ("http://", "https://"):
            self.session.mount(scheme, HTTPAdapter(max_retries=retry))
        # Every successful fetch, in order, for the landing manifest.
        self.fetch_log: list[dict] = []

    @classmethod
    def from_config(cls, config: dict, **kwargs: Any) -> HttpClient:
        return cls(
            config.get("user_agent") or "BazhongTalentWarehouse/0.1",
            timeout=config.get("timeout_seconds", 20),
            retries=config.get("retries", 3),
            **kwargs,
        )

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        ok_statuses: tuple[int, ...] = (),
    ) -> FetchResult:
        """Fetch `url` (with optional query `params`) and return a FetchResult.

        Raises SourceError when retries are exhausted or the final status is not 2xx (unless it is
        listed in `ok_statuses`, for callers that want to read an error body themselves)."""
        full_url = _with_params(url, params)
        started = time.monotonic()
        try:
            response = self.session.get(full_url, timeout=self.timeout)
        except requests.RequestException as exc:
            # Retries (connection errors, timeouts, RETRY_STATUSES) are exhausted by now.
            raise SourceError(
                f"request failed after {self.retries + 1} attempts: {type(exc).__name__}: {exc}",
                where=full_url,
            ) from exc
        status = response.status_code
        content = response.content
        content_type = response.headers.get("Content-Type")
        if content_type is None or _TEXT_TYPES.match(content_type):
            text, encoding = decode_bytes(content, content_type)
        else:
            text, encoding = "", None
        result = FetchResult(
            url=full_url,
            status=status,
            content=content,
            text=text,
            encoding=encoding,
            fetched_at=utc_now_iso(),
            sha256=hashlib.sha256(content).hexdigest(),
            content_type=content_type,
        )
        log.info(
            "GET %s status=%d bytes=%d encoding=%s %.0fms",
            full_url,
            status,
            len(content),
            encoding,
            (time.monotonic() - started) * 1000,
        )
        if not (200 <= status < 300) and status not in ok_statuses:
            snippet = text[:200].replace("\n", " ") if text else ""
            raise SourceError(f"HTTP {status} {snippet}".strip(), where=full_url)
        if 200 <= status < 300:
            self.fetch_log.append(result.manifest_entry())
        return result
