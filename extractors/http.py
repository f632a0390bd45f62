"""A small, polite HTTP client for the extractors.

Why not plain `requests.get`: government and job-board sites time out, rate-limit (429) and serve
GB2312/GBK pages that `requests` mis-decodes as ISO-8859-1, and every landing must record what was
fetched. `HttpClient.get` retries through urllib3's `Retry` mounted on the session (bounded
exponential backoff plus jitter, `Retry-After` honoured and capped), decodes text with
`extractors.charset.decode`, and returns a `FetchResult` whose `manifest_entry()` goes into the
landing manifest.

What urllib3 does not cover is done here, because a hostile or broken server found each gap:
- the body is streamed, so a connection reset or a short read mid-body is retried like a failed
  request (urllib3's Retry only sees errors before the headers);
- one fetch has a wall-clock deadline (a server trickling a byte a second never trips the socket
  timeout) and a size cap (a 100 MB answer is refused, not read into memory);
- redirects are followed here, so a board's credential headers go only to the board's own origin
  (requests strips only `Authorization` on a redirect to another host, never a custom token header)."""

from __future__ import annotations

import hashlib
import logging
import os
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import InvalidHeader
from urllib3.util.retry import Retry

from extractors.charset import CharsetError, decode
from extractors.errors import SourceError

log = logging.getLogger("extractors.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Upper bounds so a hostile or broken server cannot park a pipeline task for hours.
MAX_BACKOFF_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 120
# Defaults of the sources config's `deadline_seconds` and `max_response_bytes`: one fetch may take
# three minutes (longer than a Retry-After the client honours) and bring 20 MB (a school XLSX is
# well under that; a job page is a few kB).
DEFAULT_DEADLINE_SECONDS = 180.0
DEFAULT_MAX_RESPONSE_BYTES = 20_000_000
MAX_REDIRECTS = 10
_CHUNK = 65536
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

_TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|xhtml\+xml|javascript|.*\+json|.*\+xml))", re.I)


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the default port filled in: what a credential is bound to."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


class _BodyReadError(Exception):
    """The connection broke while the body was read: worth another attempt."""


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
    replaced_chars: int = 0  # undecodable byte sequences shown as U+FFFD (extractors.charset)

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
            # only when there were any, so manifests of clean fetches keep their shape
            **({"replaced_chars": self.replaced_chars} if self.replaced_chars else {}),
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
    to 50% jitter, capped at MAX_BACKOFF_SECONDS); tests set it near zero. `deadline` bounds the wall
    time of one attempt (headers and body), `max_bytes` the size of one (decoded) body."""

    def __init__(
        self,
        user_agent: str,
        timeout: float = 20.0,
        retries: int = 3,
        *,
        backoff: float = 0.5,
        session: requests.Session | None = None,
        deadline: float | None = None,
        max_bytes: int | None = None,
        pool_size: int = 2,
    ) -> None:
        self.user_agent = user_agent
        self.timeout = float(timeout)
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.deadline = float(deadline or DEFAULT_DEADLINE_SECONDS)
        self.max_bytes = int(max_bytes or DEFAULT_MAX_RESPONSE_BYTES)
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
            redirect=False,  # followed in `_send`, where credentials are kept to their origin
        )
        self._retry = retry
        self.pool_size = 0
        self.ensure_pool(pool_size)
        # requests reads the proxy variables (and no_proxy) from the environment on every request,
        # which cost a tenth of a crawl's time; they are read once per origin instead.
        self.session.trust_env = False
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        self._proxies: dict[tuple[str, str, int | None], dict[str, str]] = {}
        # Every successful fetch, in order, for the landing manifest.
        self.fetch_log: list[dict] = []
        # origin -> headers sent only to that origin (a board's token), never to a redirect target.
        self._credentials: dict[tuple[str, str, int | None], dict[str, str]] = {}

    @classmethod
    def from_config(cls, config: dict, **kwargs: Any) -> HttpClient:
        kwargs.setdefault("deadline", config.get("deadline_seconds"))
        kwargs.setdefault("max_bytes", config.get("max_response_bytes"))
        return cls(
            config.get("user_agent") or "BazhongTalentWarehouse/0.1",
            timeout=config.get("timeout_seconds", 20),
            retries=config.get("retries", 3),
            **kwargs,
        )

    def ensure_pool(self, size: int) -> None:
        """Keep up to `size` connections open per host, so `size` threads fetching at once each
        reuse a kept-alive connection (urllib3 would otherwise open and drop extra ones)."""
        size = max(1, int(size))
        if size <= self.pool_size:
            return
        self.pool_size = size
        for scheme in ("http://", "https://"):
            self.session.mount(
                scheme, HTTPAdapter(pool_connections=4, pool_maxsize=size, max_retries=self._retry)
            )

    def _proxies_for(self, url: str) -> dict[str, str]:
        key = origin(url)
        if key not in self._proxies:
            self._proxies[key] = requests.utils.get_environ_proxies(url)
        return self._proxies[key]

    def add_credentials(self, url: str, headers: dict[str, str]) -> None:
        """Send `headers` with every request to `url`'s origin (scheme, host, port) and to no other."""
        if headers:
            self._credentials.setdefault(origin(url), {}).update(headers)

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

        Raises SourceError when retries are exhausted, the final status is not 2xx (unless it is
        listed in `ok_statuses`, for callers that want to read an error body themselves), the
        deadline passes or the body is larger than `max_bytes`."""
        full_url = _with_params(url, params)
        attempt = 0
        while True:
            started = time.monotonic()
            final_url, response = self._send(full_url, started)
            try:
                content = self._read_body(response, final_url, started)
                break
            except _BodyReadError as exc:
                if attempt >= self.retries:
                    raise SourceError(
                        f"connection broke while reading the body, {attempt + 1} attempts: {exc}",
                        where=final_url,
                    ) from exc
                attempt += 1
                delay = min(self.backoff * 2 ** (attempt - 1) * random.uniform(1, 1.5), MAX_BACKOFF_SECONDS)
                log.warning(
                    "GET %s: body read failed (%s); retry %d/%d", final_url, exc, attempt, self.retries
                )
                time.sleep(delay)
        status = response.status_code
        content_type = response.headers.get("Content-Type")
        replaced = 0
        if content_type is None or _TEXT_TYPES.match(content_type):
            try:
                text, encoding, replaced = decode(content, content_type, where=full_url)
            except CharsetError as exc:
                if 200 <= status < 300:
                    raise SourceError(f"undecodable page: {exc}", where=full_url) from exc
                text, encoding = "", None  # an error page: its status is the message
        else:
            text, encoding = "", None
        result = FetchResult(
            url=final_url,
            status=status,
            content=content,
            text=text,
            encoding=encoding,
            fetched_at=utc_now_iso(),
            sha256=hashlib.sha256(content).hexdigest(),
            content_type=content_type,
            replaced_chars=replaced,
        )
        # DEBUG: a crawl of thousands of pages logs one INFO line per listing page, not per request.
        log.debug(
            "GET %s status=%d bytes=%d encoding=%s %.0fms",
            final_url,
            status,
            len(content),
            encoding,
            (time.monotonic() - started) * 1000,
        )
        if not (200 <= status < 300) and status not in ok_statuses:
            snippet = text[:200].replace("\n", " ") if text else ""
            raise SourceError(f"HTTP {status} {snippet}".strip(), where=final_url)
        if 200 <= status < 300:
            self.fetch_log.append(result.manifest_entry())
        return result

    def _send(self, url: str, started: float) -> tuple[str, requests.Response]:
        """GET `url` following redirects; the headers come back, the body is still unread."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            headers = self._credentials.get(origin(current))
            remaining = self.deadline - (time.monotonic() - started)
            if remaining <= 0:
                raise SourceError(f"no answer within the {self.deadline:g}s deadline", where=current)
            try:
                response = self.session.get(
                    current,
                    headers=headers,
                    proxies=self._proxies_for(current),
                    timeout=min(self.timeout, remaining),
                    stream=True,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                # Retries (connection errors, timeouts, RETRY_STATUSES) are exhausted by now.
                raise SourceError(
                    f"request failed after {self.retries + 1} attempts: {type(exc).__name__}: {exc}",
                    where=current,
                ) from exc
            location = response.headers.get("Location")
            if response.status_code not in _REDIRECT_STATUSES or not location:
                return current, response
            response.close()
            target = urljoin(current, location)
            if headers and origin(target) != origin(current):
                log.warning(
                    "GET %s redirects to another origin %s; the board's credentials are not sent there",
                    current,
                    target,
                )
            current = target
        raise SourceError(f"more than {MAX_REDIRECTS} redirects", where=url)

    def _read_body(self, response: requests.Response, url: str, started: float) -> bytes:
        """The decoded body, read in chunks so the deadline and the size cap hold while it arrives."""
        try:
            declared = int(response.headers.get("Content-Length") or -1)
        except ValueError:
            declared = -1
        if declared > self.max_bytes:
            response.close()
            raise SourceError(
                f"response of {declared} bytes is over the {self.max_bytes}-byte cap (max_response_bytes)",
                where=url,
            )
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                if time.monotonic() - started > self.deadline:
                    raise SourceError(
                        f"response not complete within the {self.deadline:g}s deadline "
                        f"({size} bytes read; deadline_seconds)",
                        where=url,
                    )
                # read1 returns what has arrived; read(n) would block until n bytes came, so a server
                # trickling bytes could hold it far past the deadline.
                chunk = response.raw.read1(_CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise SourceError(
                        f"response is over the {self.max_bytes}-byte cap (max_response_bytes); aborted",
                        where=url,
                    )
                chunks.append(chunk)
        except (Urllib3Error, OSError, requests.RequestException) as exc:
            response.close()
            raise _BodyReadError(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            response.close()
            raise
        response.raw.release_conn()
        return b"".join(chunks)
