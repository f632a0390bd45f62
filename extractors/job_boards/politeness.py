"""How hard one board may be crawled: concurrency, the sample server's `local` limits, robots.txt.

A board block says how many requests may be in flight at once (`max_concurrency`, default
DEFAULT_MAX_CONCURRENCY) and how many may start a second (`rate_limit_per_second`); both hold across
all threads of the board. Real boards keep these low. The bundled sample server is ours, so a block
may carry a `local:` block of settings that apply only while the board's url is on this machine
(a loopback address: the sample server, a test's server): config/sources.yml crawls the sample
fast, and the same file pointed at a real board's URL is polite without further edits.

robots.txt is read once per board from the board's origin and honoured (RFC 9309): a URL it
disallows for our user agent is not fetched (the crawl fails, naming the rule's file), and its
Crawl-delay / Request-rate slows the rate limit down, never up. No robots.txt (404 and other 4xx)
allows everything; one the server cannot answer (5xx, after retries) fails the crawl rather than
guessing. Loopback servers are not asked (`robots_txt: false` turns it off for a board too)."""

from __future__ import annotations

import ipaddress
import logging
import threading
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from extractors.errors import SourceError
from extractors.http import HttpClient

log = logging.getLogger("extractors.job_boards")

DEFAULT_MAX_CONCURRENCY = 2
MAX_CONCURRENCY = 64  # a typo like 2000 must not open 2000 connections


def is_local(url: str | None) -> bool:
    """True for a URL on a loopback address (127.0.0.0/8, ::1, localhost)."""
    host = (urlsplit(url or "").hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def effective_settings(settings: dict) -> dict:
    """The board block with its `local:` block laid over it when the board is on this machine."""
    local = settings.get("local")
    if isinstance(local, dict) and is_local(settings.get("url")):
        return {**settings, **local}
    return settings


def max_concurrency(settings: dict) -> int:
    value = settings.get("max_concurrency")
    if value in (None, ""):
        return DEFAULT_MAX_CONCURRENCY
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise SourceError(
            f"max_concurrency must be a whole number, got {value!r}", field="max_concurrency"
        ) from exc
    return max(1, min(number, MAX_CONCURRENCY))


class Robots:
    """robots.txt rules of the origins a board's crawl touches, each read once."""

    def __init__(
        self, client: HttpClient, user_agent: str, *, enabled: bool = True, skip_local: bool = True
    ) -> None:
        self.client = client
        self.agent = user_agent.split("/", 1)[0] or "*"
        self.enabled = enabled
        self.skip_local = skip_local  # tests turn it off to read a loopback server's robots.txt
        self._parsers: dict[str, RobotFileParser | None] = {}
        self._lock = threading.Lock()

    def _parser(self, url: str) -> RobotFileParser | None:
        parts = urlsplit(url)
        root = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        with self._lock:
            if root in self._parsers:
                return self._parsers[root]
            result = self.client.get(root, ok_statuses=(400, 401, 403, 404, 405, 410, 451))
            parser = None
            if 200 <= result.status < 300:
                parser = RobotFileParser(root)
                parser.parse(result.text.splitlines())
                log.info("%s: honouring robots.txt (%d bytes)", root, len(result.content))
            self._parsers[root] = parser
            return parser

    def check(self, url: str) -> None:
        """Raise SourceError when robots.txt disallows `url` for us."""
        if not self.enabled or (self.skip_local and is_local(url)):
            return
        parser = self._parser(url)
        if parser is not None and not parser.can_fetch(self.agent, url):
            raise SourceError(
                f"robots.txt disallows {url} for user agent {self.agent!r}; not fetched",
                where=urlunsplit((*urlsplit(url)[:2], "/robots.txt", "", "")),
                field="robots_txt",
            )

    def min_interval(self, url: str) -> float:
        """Seconds between requests that robots.txt asks for (Crawl-delay, Request-rate); 0 for none."""
        if not self.enabled or (self.skip_local and is_local(url)):
            return 0.0
        parser = self._parser(url)
        if parser is None:
            return 0.0
        interval = float(parser.crawl_delay(self.agent) or 0)
        rate = parser.request_rate(self.agent)
        if rate is not None and rate.requests:
            interval = max(interval, rate.seconds / rate.requests)
        return interval
