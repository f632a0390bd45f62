"""A small, polite HTTP client for the extractors.

Why not plain `requests.get`: government and job-board sites time out, rate-limit (429) and serve
GB2312/GBK pages that `requests` mis-decodes as ISO-8859-1, and every landing must record what was
fetched. `HttpClient.get` retries with bounded exponential backoff plus jitter, honours
`Retry-After`, decodes text by header charset → `<meta>` → detection (GB2312/GBK read as GB18030,
their superset), and returns a `FetchResult` whose `manifest_entry()` goes into the landing
manifest."""

from __future__ import annotations

import hashlib
import logging
import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import charset_normalizer
import requests

from extractors.errors import SourceError

log = logging.getLogger("extractors.http")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Upper bounds so a hostile or broken server cannot park a pipeline task for hours.
MAX_BACKOFF_SECONDS = 30.0
MAX_RETRY_AFTER_SECONDS = 120.0

# Chinese sites label pages gb2312 or gbk but routinely use characters outside those sets;
# GB18030 decodes all of them byte-for-byte the same and more.
_ENCODING_ALIASES = {
    "gb2312": "gb18030",
    "gb_2312": "gb18030",
    "gb_2312-80": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-euc-cn": "gb18030",
    "gb18030": "gb18030",
    "utf8": "utf-8",
    "utf-8": "utf-8",
}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE)
_TEXT_TYPES = re.compile(r"^(text/|application/(json|xml|xhtml\+xml|javascript|.*\+json|.*\+xml))", re.I)


def normalise_encoding(name: str | None) -> str | None:
    """Canonical codec name for decoding, with GB2312/GBK widened to GB18030; None if unknown."""
    if not name:
        return None
    key = name.strip().strip("\"'").lower()
    if key in _ENCODING_ALIASES:
        return _ENCODING_ALIASES[key]
    import codecs

    try:
        canonical = codecs.lookup(key).name
    except LookupError:
        return None
    return _ENCODING_ALIASES.get(canonical, canonical)


def header_charset(content_type: str | None) -> str | None:
    """The `charset=` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def meta_charset(content: bytes) -> str | None:
    """Charset declared by `<meta charset>` or `<meta http-equiv="Content-Type">` in the first 4 KB."""
    match = _META_CHARSET.search(content[:4096])
    return match.group(1).decode("ascii", "replace") if match else None


def detect_encoding(content: bytes) -> str:
    """Best-effort guess for undeclared bytes: BOM, strict UTF-8, then charset_normalizer."""
    if content.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        content.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(content).best()
    if best is not None and best.encoding:
        return normalise_encoding(best.encoding) or best.encoding
    # Undetectable and not UTF-8: in this domain GB18030 is by far the likeliest.
    return "gb18030"


def decode_bytes(content: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode body bytes: header charset, then <meta>, then detection. Returns (text, encoding)."""
    declared = normalise_encoding(header_charset(content_type))
    if declared is None and (
        content_type is None or "html" in content_type.lower() or "xml" in content_type.lower()
    ):
        declared = normalise_encoding(meta_charset(content))
    if declared is None and content_type and "json" in content_type.lower():
        declared = "utf-8"  # RFC 8259: JSON exchanged between systems is UTF-8
    encoding = declared or detect_encoding(content)
    if encoding == "utf-8" and content.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    try:
        return content.decode(encoding), encoding
    except (UnicodeDecodeError, LookupError):
        # A wrong declaration is common (a page saved as GBK but labelled utf-8): fall back to
        # detection rather than fail, and say so in the log.
        guessed = detect_encoding(content)
        log.warning("declared charset %s does not decode the body; using %s", encoding, guessed)
        return content.decode(guessed, errors="replace"), guessed


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


def _retry_after_seconds(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


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

    def _sleep_before_retry(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            delay = min(retry_after, MAX_RETRY_AFTER_SECONDS)
        else:
            base = self.backoff * (2**attempt)
            # Jitter spreads retries of parallel tasks so they do not hit a recovering server together.
            delay = min(base + random.uniform(0, base / 2), MAX_BACKOFF_SECONDS)
        if delay > 0:
            time.sleep(delay)
        return delay

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
        last_problem = "no attempt made"
        for attempt in range(self.retries + 1):
            started = time.monotonic()
            try:
                response = self.session.get(full_url, timeout=self.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
                if attempt < self.retries:
                    delay = self._sleep_before_retry(attempt, None)
                    log.warning(
                        "GET %s failed (%s); retry %d/%d in %.2fs",
                        full_url,
                        type(exc).__name__,
                        attempt + 1,
                        self.retries,
                        delay,
                    )
                    continue
                raise SourceError(
                    f"request failed after {attempt + 1} attempts: {last_problem}", where=full_url
                ) from exc
            except requests.RequestException as exc:
                raise SourceError(f"request failed: {exc}", where=full_url) from exc

            status = response.status_code
            if status in RETRY_STATUSES and attempt < self.retries:
                retry_after = (
                    _retry_after_seconds(response.headers.get("Retry-After"))
                    if status in (429, 503)
                    else None
                )
                response.close()
                delay = self._sleep_before_retry(attempt, retry_after)
                log.warning(
                    "GET %s -> %d; retry %d/%d in %.2fs", full_url, status, attempt + 1, self.retries, delay
                )
                last_problem = f"HTTP {status}"
                continue

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
        raise SourceError(f"gave up after {self.retries + 1} attempts: {last_problem}", where=full_url)
