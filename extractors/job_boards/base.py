"""The interface every job-board adapter implements and the plumbing adapters share: the extraction
window, the per-board rate limit and credentials.

An adapter only fetches and reads a board into raw ad dicts (RAW_FIELDS), one page at a time;
normalising, scrubbing, checkpointing and landing are shared (`extractors.job_boards.extract_board`).
A board of an existing `kind` is only a block in the sources config; a new kind is one small
subclass of `BoardAdapter` plus its line in `extractors.job_boards.adapters.ADAPTERS`
(docs/job_boards.md). This module imports no adapter."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from extractors.errors import SourceError
from extractors.http import FetchResult, HttpClient
from extractors.job_boards.normalize import RAW_FIELDS
from extractors.job_boards.politeness import Robots, effective_settings, max_concurrency

log = logging.getLogger("extractors.job_boards")

# Keys that would put a secret into the repository: refused, credentials come from the environment.
_SECRET_KEYS = ("token", "password", "api_key", "apikey", "secret", "cookie")


@dataclass(frozen=True)
class Window:
    """The posting dates one extraction covers, both ends inclusive; None is open-ended.

    `since` is None on the first run of a board (no high-water mark yet: the whole history)."""

    since: date | None = None
    until: date | None = None

    def contains(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def to_dict(self) -> dict[str, str | None]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }

    def __str__(self) -> str:
        d = self.to_dict()
        return f"[{d['since'] or 'start'} .. {d['until'] or 'now'}]"


@dataclass
class Page:
    """One page an adapter read: its raw ads, and the state to resume *after* it (None: last page).

    `seen` counts ads on the page before the window filter, so "nothing new today" (ads seen, none
    in the window) is told apart from a page that lost its ads (a layout change).

    An adapter checks that the board ends as it says it ends (pager, total, cursor) before it yields
    the last page: a page yielded with `next_state=None` is landed even by a resumed run."""

    records: list[dict]
    next_state: dict | None
    url: str
    seen: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    # What the board says about the whole crawl (the API's total, the pager's page count): it goes
    # into the landing manifest beside what was read, so expected vs landed can be compared.
    announced: dict[str, Any] = field(default_factory=dict)


class RateLimiter:
    """At most `per_second` requests a second for one board (None or 0: no limit).

    Politeness towards a board is per board, not per process: each extraction gets its own."""

    def __init__(
        self,
        per_second: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 1.0 / float(per_second) if per_second else 0.0
        self.clock = clock
        self.sleep = sleep
        self._next = None  # earliest moment the next request may go out
        self.waited = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until the next request is allowed; return the seconds slept. Threads of one board
        share the limiter: each takes the next free slot under the lock and sleeps outside it."""
        if not self.interval:
            return 0.0
        with self._lock:
            now = self.clock()
            delay = 0.0 if self._next is None else max(0.0, self._next - now)
            self._next = max(now, self._next or now) + self.interval
            self.waited += delay
        if delay > 0:
            self.sleep(delay)
        return delay


def _airflow_connection_secret(conn_id: str) -> str | None:
    """The password (or extra token) of an Airflow connection given as `AIRFLOW_CONN_<ID>`.

    Airflow reads connections from these variables too; reading the variable here keeps the
    extractors free of an Airflow import. JSON and URI forms are both understood."""
    value = os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}")
    if not value:
        return None
    value = value.strip()
    if value.startswith("{"):
        try:
            conn = json.loads(value)
        except ValueError:
            return None
        extra = conn.get("extra") or {}
        if isinstance(extra, str):
            try:
                extra = json.loads(extra)
            except ValueError:
                extra = {}
        return conn.get("password") or extra.get("token") or extra.get("api_key")
    parts = urlsplit(value)
    if parts.password:
        return unquote(parts.password)
    query = parse_qs(parts.query)
    for key in ("token", "api_key"):
        if query.get(key):
            return query[key][-1]
    return None


def auth_headers(name: str, settings: dict) -> dict[str, str]:
    """HTTP headers carrying the board's credentials, read from the environment.

    `auth: {token_env: VAR}` or `auth: {airflow_conn_id: ID}`, with optional `header`
    (default Authorization) and `scheme` (e.g. Bearer). A secret written into the config itself is
    refused: the sources config lives in the repository."""
    for key in settings:
        if str(key).lower() in _SECRET_KEYS:
            raise SourceError(
                f"job board {name!r}: {key!r} must not be in the sources config; "
                "put the secret in an environment variable and name it with auth.token_env",
                field=str(key),
            )
    auth = settings.get("auth")
    if not auth:
        return {}
    if not isinstance(auth, dict):
        raise SourceError(f"job board {name!r}: auth must be a mapping", field="auth")
    for key in auth:
        if str(key).lower() in _SECRET_KEYS:
            raise SourceError(
                f"job board {name!r}: auth.{key} must not be in the sources config; use auth.token_env",
                field=f"auth.{key}",
            )
    secret = None
    if auth.get("token_env"):
        secret = os.environ.get(str(auth["token_env"]))
        where = f"environment variable {auth['token_env']}"
    elif auth.get("airflow_conn_id"):
        secret = _airflow_connection_secret(str(auth["airflow_conn_id"]))
        where = f"Airflow connection {auth['airflow_conn_id']} (AIRFLOW_CONN_{str(auth['airflow_conn_id']).upper()})"
    else:
        raise SourceError(f"job board {name!r}: auth needs token_env or airflow_conn_id", field="auth")
    if not secret:
        # Name where the secret should be, never a value.
        raise SourceError(f"job board {name!r}: no credentials in the {where}", field="auth")
    scheme = auth.get("scheme")
    return {str(auth.get("header") or "Authorization"): f"{scheme} {secret}" if scheme else secret}


class BoardAdapter:
    """Reads one board. Subclasses implement `iter_pages`; `ADAPTERS` names them by `kind`.

    `name` is the board's key in the sources config (it becomes the records' `source`), `settings`
    that board's config block (with absolute `url`), `client` the HttpClient whose fetch log goes
    into the landing manifest, `window` the posting dates to read."""

    def __init__(
        self, name: str, settings: dict, client: HttpClient, *, window: Window | None = None
    ) -> None:
        self.name = name
        # The `local:` limits apply while the board is the sample server (extractors.job_boards.politeness).
        self.settings = settings = effective_settings(settings)
        self.client = client
        self.window = window or Window()
        self.url = settings.get("url")
        if not self.url:
            raise SourceError(f"job board {name!r} has no url in the sources config", field="url")
        self.concurrency = max_concurrency(settings)
        client.ensure_pool(self.concurrency)
        self.limiter = RateLimiter(settings.get("rate_limit_per_second"))
        self.robots = Robots(client, client.user_agent, enabled=settings.get("robots_txt", True) is not False)
        # Bound to the board's origin: a redirect or a link to another host never carries them.
        client.add_credentials(self.url, auth_headers(name, settings))
        asked = self.robots.min_interval(self.url)
        if asked > self.limiter.interval:
            log.info("%s: robots.txt asks for %.1fs between requests", name, asked)
            self.limiter.interval = asked

    def fetch(self, url: str, params: dict[str, Any] | None = None, **kwargs: Any) -> FetchResult:
        """GET through the board's rate limit (HttpClient adds retries, backoff and Retry-After)."""
        self.robots.check(url)
        self.limiter.wait()
        return self.client.get(url, params, **kwargs)

    def fetch_all(self, urls: list[str], **kwargs: Any) -> list[FetchResult]:
        """GET `urls` with up to `max_concurrency` requests in flight (each through the rate limit);
        results in the order of `urls`. The first failure is raised once the others have ended."""
        if self.concurrency <= 1 or len(urls) <= 1:
            return [self.fetch(url, **kwargs) for url in urls]
        with ThreadPoolExecutor(min(self.concurrency, len(urls)), thread_name_prefix=self.name) as pool:
            futures = [pool.submit(self.fetch, url, **kwargs) for url in urls]
        return [future.result() for future in futures]

    def iter_pages(self, state: dict | None = None) -> Iterator[Page]:
        """Yield the board's pages from `state` (None: the first page), each with the state to
        resume after it, so a crashed extraction restarts where it stopped."""
        raise NotImplementedError

    def iter_records(self) -> Iterator[dict]:
        """Every raw ad in the window, without checkpoints (handy in a REPL)."""
        for page in self.iter_pages(None):
            yield from page.records

    def raw_record(self, **fields: object) -> dict:
        rec = {f: fields.get(f) for f in RAW_FIELDS}
        rec["source"] = self.name
        if fields.get("parse_error"):
            rec["parse_error"] = fields["parse_error"]
        return rec
