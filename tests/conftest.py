"""Shared fixtures.

`sample_site` generates a small sample site once per test session and serves it on a random local
port; tests read it over real HTTP exactly as the pipeline reads real sources. `tiny_server`
starts a throwaway local server whose answers a test scripts (flaky servers, broken layouts)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_SEED = 7
SAMPLE_POSTINGS = 400


@dataclass(frozen=True)
class SampleSite:
    """A generated, running sample site: where it is served, where its files are, what it holds."""

    base_url: str
    dir: Path
    truth: dict


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleSite]:
    from sample_sources.generate import generate_site
    from sample_sources.server import serve_in_thread

    site_dir = tmp_path_factory.mktemp("sample_site")
    truth = generate_site(site_dir, seed=SAMPLE_SEED, postings=SAMPLE_POSTINGS)
    server, base_url = serve_in_thread(site_dir)
    try:
        yield SampleSite(base_url=base_url.rstrip("/"), dir=Path(site_dir), truth=truth)
    finally:
        server.shutdown()
        close = getattr(server, "server_close", None)
        if close:
            close()


@pytest.fixture
def sample_config(sample_site: SampleSite) -> dict:
    """The repository's sources config pointed at the running sample site."""
    from extractors.config import load_sources_config

    config = load_sources_config(ROOT / "config" / "sources.yml", base_url=sample_site.base_url)
    # Fail fast in tests: a broken sample site should not cost minutes of backoff.
    config["retries"] = 1
    config["timeout_seconds"] = 10
    return config


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] | None = None
    delay: float = 0.0  # seconds to wait before answering (to provoke client timeouts)


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


def _as_reply(value: Reply | tuple) -> Reply:
    return value if isinstance(value, Reply) else Reply(*value)


class TinyServer:
    """A scripted local HTTP server. `handler(request, hit_number)` returns a Reply or a tuple
    `(status, body[, headers[, delay]])`; every request is recorded in `.requests`."""

    def __init__(self, handler: Callable[[Request, int], Reply | tuple]) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                request = Request(parts.path, parse_qs(parts.query), dict(self.headers.items()))
                with outer._lock:
                    outer.requests.append(request)
                    hit = len(outer.requests)
                reply = _as_reply(outer.handler(request, hit))
                if reply.delay:
                    threading.Event().wait(reply.delay)
                body = reply.body.encode("utf-8") if isinstance(reply.body, str) else reply.body
                try:
                    self.send_response(reply.status)
                    for key, value in (reply.headers or {}).items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test); nothing to report

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False  # do not wait for handlers a timed-out client left behind
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def hits(self, path: str) -> int:
        return sum(1 for r in self.requests if r.path == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def tiny_server() -> Iterator[Callable[[Callable[[Request, int], Reply | tuple]], TinyServer]]:
    """Factory: `server = tiny_server(handler)`; servers are stopped after the test."""
    servers: list[TinyServer] = []

    def start(handler: Callable[[Request, int], Reply | tuple]) -> TinyServer:
        server = TinyServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
