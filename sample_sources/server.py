"""Serve a generated sample site over HTTP (stdlib only).

URL layout (docs/contracts.md, section 1):
- static files under the site folder (statistics pages, school exports); `_headers.json` names the
  Content-Type of files that are not UTF-8; names starting with "_" or "." and truth.json are
  never served, so the answer key stays out of the pipeline's reach;
- `/boards/zhaopin/api/v1/jobs` JSON API with cursor pagination and posted_since/posted_until;
- `/boards/rencai/list/index.html`, `list_N.html` and `/boards/rencai/job/RC…html`, rendered on
  request from `_data/rencai.jsonl` so a site with a million postings needs no million files.

Board data is indexed once at start (date, id, byte range per item) and the data files are
memory-mapped, so memory stays small and each request only touches the items it returns.
Every request is logged as one line on the `sample_sources.server` logger. With `faults`
(sample_sources/faults.py) the server breaks its board answers on purpose, as hostile sources do.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import logging
import mmap
import re
import socket
import struct
import threading
import time
from array import array
from bisect import bisect_left, bisect_right
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from sample_sources.faults import HUGE_BYTES, Delivery, Faults

logger = logging.getLogger("sample_sources.server")

ZHAOPIN_API = "/boards/zhaopin/api/v1/jobs"
RENCAI_PAGE_SIZE = 20
ZHAOPIN_MAX_LIMIT = 100
ZHAOPIN_DEFAULT_LIMIT = 20
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"

Response = tuple[int, str, bytes]


class BoardData:
    """One board's items: the data file mapped read-only plus (date, id, byte range) per item.

    Lines are `YYYYMMDD<TAB>ID<TAB>{json}` in ascending (time, id) order, as the generator writes them.
    """

    def __init__(self, path: Path):
        self.dates = array("l")
        self.numbers = array("q")  # numeric part of the id, ascending like the file
        self.starts = array("q")
        self.ends = array("q")
        self._file = None
        self._map: mmap.mmap | bytes = b""
        if not path.exists() or path.stat().st_size == 0:
            return
        offset = 0
        with open(path, "rb") as source:
            for line in source:
                first = line.index(b"\t")
                second = line.index(b"\t", first + 1)
                self.dates.append(int(line[:first]))
                self.numbers.append(int(line[first + 3 : second]))  # skip the two-letter prefix
                self.starts.append(offset + second + 1)
                self.ends.append(offset + len(line.rstrip(b"\n")))
                offset += len(line)
        if any(self.numbers[i] >= self.numbers[i + 1] for i in range(len(self.numbers) - 1)):
            raise ValueError(f"{path}: ids are not ascending; regenerate the site")
        self._file = open(path, "rb")  # kept open for the life of the mapping
        self._map = mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)

    def __len__(self) -> int:
        return len(self.dates)

    def raw(self, index: int) -> bytes:
        return self._map[self.starts[index] : self.ends[index]]

    def record(self, index: int) -> dict:
        return json.loads(self.raw(index))

    def find(self, number: int) -> int | None:
        index = bisect_left(self.numbers, number)
        if index < len(self.numbers) and self.numbers[index] == number:
            return index
        return None

    def close(self) -> None:
        if isinstance(self._map, mmap.mmap):
            self._map.close()
        if self._file is not None:
            self._file.close()
        self._map, self._file = b"", None


def _json_error(status: int, message: str) -> Response:
    return status, JSON_TYPE, json.dumps({"code": status, "msg": message}, ensure_ascii=False).encode("utf-8")


def _not_found() -> Response:
    return (
        404,
        HTML_TYPE,
        b'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>404</title></head>'
        b"<body><h1>404 Not Found</h1></body></html>\n",
    )


def _encode_cursor(position: int, low: int, high: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{position}:{low}:{high}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, low: int, high: int) -> int | None:
    """Position the cursor points at, or None if it is garbage or was made for other filters."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, position, cursor_low, cursor_high = text.split(":")
        position, cursor_low, cursor_high = int(position), int(cursor_low), int(cursor_high)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if version != "v1" or (cursor_low, cursor_high) != (low, high) or not low <= position < high:
        return None
    return position


def _date_param(query: dict[str, list[str]], name: str) -> int | None:
    """YYYY-MM-DD as an int (20250305); None when absent; ValueError when malformed."""
    values = query.get(name)
    if not values or values[-1] == "":
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", values[-1])
    if not match or not 1 <= int(match[2]) <= 12 or not 1 <= int(match[3]) <= 31:
        raise ValueError(name)
    return int(match[1] + match[2] + match[3])


class SampleSite:
    """Everything the handler answers from, loaded once per server."""

    def __init__(self, site_dir: str | Path):
        self.root = Path(site_dir).resolve()
        if not (self.root / "truth.json").is_file():
            raise FileNotFoundError(
                f"{self.root} is not a generated sample site (no truth.json); "
                "run `talent sources generate --out DIR` first"
            )
        headers_file = self.root / "_headers.json"
        self.headers: dict[str, str] = (
            json.loads(headers_file.read_text(encoding="utf-8")) if headers_file.is_file() else {}
        )
        self.zhaopin = BoardData(self.root / "_data" / "zhaopin.jsonl")
        self.rencai = BoardData(self.root / "_data" / "rencai.jsonl")
        logger.info(
            "sample site %s: %d zhaopin items, %d rencai items",
            self.root,
            len(self.zhaopin),
            len(self.rencai),
        )

    def close(self) -> None:
        self.zhaopin.close()
        self.rencai.close()

    def respond(self, raw_path: str) -> Response:
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        if path == ZHAOPIN_API:
            return self.zhaopin_api(parse_qs(parts.query, keep_blank_values=True))
        if path.startswith("/boards/rencai/"):
            return self.rencai_page(path)
        return self.static(path)

    # --- board zhaopin ----------------------------------------------------------------------
    def zhaopin_api(self, query: dict[str, list[str]]) -> Response:
        board = self.zhaopin
        try:
            limit = int(query.get("limit", [str(ZHAOPIN_DEFAULT_LIMIT)])[-1])
        except ValueError:
            return _json_error(400, "bad limit")
        if not 1 <= limit <= ZHAOPIN_MAX_LIMIT:
            return _json_error(400, f"limit must be 1..{ZHAOPIN_MAX_LIMIT}")
        try:
            since = _date_param(query, "posted_since")
            until = _date_param(query, "posted_until")
        except ValueError as error:
            return _json_error(400, f"bad {error}")
        low = bisect_left(board.dates, since) if since is not None else 0
        high = bisect_right(board.dates, until) if until is not None else len(board)
        high = max(low, high)
        cursor = query.get("cursor", [""])[-1]
        if cursor:
            position = _decode_cursor(cursor, low, high)
            if position is None:
                return _json_error(400, "bad cursor")
        else:
            position = low
        end = min(position + limit, high)
        next_cursor = _encode_cursor(end, low, high) if end < high else None
        body = b"".join(
            (
                b'{"code":0,"msg":"ok","data":{"items":[',
                b",".join(board.raw(index) for index in range(position, end)),
                b'],"next_cursor":',
                json.dumps(next_cursor).encode(),
                b',"total":',
                str(high - low).encode(),
                b"}}",
            )
        )
        return 200, JSON_TYPE, body

    # --- board rencai -----------------------------------------------------------------------
    def rencai_page(self, path: str) -> Response:
        listing = re.fullmatch(r"/boards/rencai/list/(?:index|list_(\d+))\.html", path)
        if listing:
            number = int(listing[1]) if listing[1] else 1
            pages = max(1, -(-len(self.rencai) // RENCAI_PAGE_SIZE))
            if (listing[1] and number < 2) or number > pages:
                return _not_found()
            return 200, HTML_TYPE, self._rencai_listing(number, pages).encode("utf-8")
        detail = re.fullmatch(r"/boards/rencai/job/RC(\d{7})\.html", path)
        if detail:
            index = self.rencai.find(int(detail[1]))
            if index is None:
                return _not_found()
            return 200, HTML_TYPE, self._rencai_detail(self.rencai.record(index)).encode("utf-8")
        return _not_found()

    def _rencai_listing(self, number: int, pages: int) -> str:
        total = len(self.rencai)
        first = total - 1 - (number - 1) * RENCAI_PAGE_SIZE  # newest first
        rows = []
        for index in range(first, max(-1, first - RENCAI_PAGE_SIZE), -1):
            item = self.rencai.record(index)
            e = {key: html.escape(str(value)) for key, value in item.items()}
            rows.append(
                f'<li class="job-item"><a class="job-link" href="../job/{e["id"]}.html">{e["title"]}</a>'
                f'<span class="company">{e["company"]}</span><span class="salary">{e["salary"]}</span>'
                f'<span class="area">{e["location"]}</span><span class="date">{e["date"]}</span></li>'
            )
        pager = []
        if number > 1:
            previous = "index.html" if number == 2 else f"list_{number - 1}.html"
            pager.append(f'<a class="prev" href="{previous}">上一页</a>')
        if number < pages:
            pager.append(f'<a class="next" href="list_{number + 1}.html">下一页</a>')
        body = (
            '<ul class="job-list">\n' + "\n".join(rows) + "\n</ul>\n"
            f'<div class="pager">{"".join(pager)}<span class="page-info">第{number}/{pages}页</span></div>\n'
        )
        return _rencai_page("最新职位", body)

    @staticmethod
    def _rencai_detail(item: dict) -> str:
        e = {key: html.escape(str(value)) for key, value in item.items()}
        description = "<br>\n".join(html.escape(line) for line in item["description"].split("\n"))
        body = (
            '<div class="job-detail">\n'
            f'<h1 class="job-title">{e["title"]}</h1>\n'
            f'<div class="company-name">{e["company"]}</div>\n'
            f'<span class="salary">{e["salary"]}</span>\n'
            '<dl class="job-meta">'
            f"<dt>学历要求</dt><dd>{e['education']}</dd>"
            f"<dt>工作经验</dt><dd>{e['experience']}</dd>"
            f"<dt>工作地点</dt><dd>{e['location']}</dd>"
            f"<dt>招聘人数</dt><dd>{e['headcount']}</dd>"
            f"<dt>发布日期</dt><dd>{e['date']}</dd>"
            "</dl>\n"
            f'<div class="job-desc">{description}</div>\n'
            "</div>\n"
        )
        return _rencai_page(item["title"] or "职位详情", body)

    # --- static files -----------------------------------------------------------------------
    def static(self, path: str) -> Response:
        if path.endswith("/"):
            path += "index.html"
        parts = [part for part in path.split("/") if part]
        if not parts or parts == ["truth.json"] or any(part.startswith((".", "_")) for part in parts):
            return _not_found()
        target = self.root.joinpath(*parts).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            return _not_found()
        url_path = "/" + "/".join(parts)
        content_type = self.headers.get(url_path) or CONTENT_TYPES.get(
            target.suffix.lower(), "application/octet-stream"
        )
        return 200, content_type, target.read_bytes()


def _rencai_page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)} - 巴山人才网</title>\n</head>\n<body>\n"
        '<div class="top"><a href="/boards/rencai/list/index.html">巴山人才网</a> 巴中本地招聘求职平台</div>\n'
        f"{body}"
        '<div class="footer">巴山人才网 版权所有 · 本站职位信息由用人单位发布</div>\n</body>\n</html>\n'
    )


class SiteHandler(BaseHTTPRequestHandler):
    """Maps a request onto SampleSite and logs it as one line."""

    server_version = "BazhongSample/1.0"
    protocol_version = "HTTP/1.1"  # keep-alive: clients walking thousands of pages reuse one connection
    # Headers and body go out in separate writes; without TCP_NODELAY each keep-alive response
    # waits ~40 ms for the client's delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        try:
            status, content_type, body = self.server.site.respond(self.path)
        except Exception:
            logger.exception("error answering %s", self.path)
            status, content_type, body = _json_error(500, "internal error")
        faults: Faults | None = self.server.faults
        if faults is not None:
            hit = faults.record(self.path, dict(self.headers.items()))
            answer = faults.plan(self.path, hit, status, content_type, body, self.headers.get("Host"))
            self._deliver(answer, send_body, faults)
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _deliver(self, answer: Delivery, send_body: bool, faults: Faults) -> None:
        """Send `answer` the faulty way it asks for (sample_sources/faults.py)."""
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        for key, value in answer.headers.items():
            self.send_header(key, value)
        if answer.mode in ("close", "huge"):
            # No length: the body ends when the connection does, so a cut is not visible to HTTP.
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if not send_body:
            return
        try:
            if answer.mode == "reset":
                self.wfile.write(answer.body[: len(answer.body) // 2])
                self.wfile.flush()
                # SO_LINGER 0: close() sends RST instead of FIN, like a crashed proxy.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
            elif answer.mode == "drip":
                for index in range(len(answer.body)):
                    self.wfile.write(answer.body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(faults.drip_seconds)
            elif answer.mode == "huge":
                block = b" " * 65536
                for _ in range(HUGE_BYTES // len(block)):
                    self.wfile.write(block)
            else:
                self.wfile.write(answer.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (deadline, size cap): expected

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.info('%s "%s" %s', self.address_string(), self.requestline, code)

    def log_error(self, format: str, *args) -> None:
        logger.warning("%s %s", self.address_string(), format % args)

    def log_message(self, format: str, *args) -> None:
        logger.info("%s %s", self.address_string(), format % args)


class SampleSiteServer(ThreadingHTTPServer):
    """ThreadingHTTPServer over one SampleSite; shutdown() also releases the socket and files."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site: SampleSite, faults: Faults | None = None):
        self.site = site
        self.faults = faults
        self._closed = False
        super().__init__(address, SiteHandler)

    def handle_error(self, request, client_address) -> None:
        # Clients that hang up mid-response are normal for a test server; keep stderr quiet.
        logger.debug("connection error from %s", client_address, exc_info=True)

    def shutdown(self) -> None:
        super().shutdown()
        self.server_close()

    def server_close(self) -> None:
        if self._closed:
            return
        self._closed = True
        super().server_close()
        self.site.close()


def make_server(
    site_dir: str | Path, host: str = "127.0.0.1", port: int = 8765, *, faults: Faults | None = None
) -> SampleSiteServer:
    """A bound, not yet running server for `site_dir` (breaking its answers as `faults` say)."""
    return SampleSiteServer((host, port), SampleSite(site_dir), faults)


def serve_in_thread(
    site_dir: str | Path, host: str = "127.0.0.1", port: int = 0, *, faults: Faults | None = None
) -> tuple[SampleSiteServer, str]:
    """Start serving in a daemon thread; returns (server, base_url). `server.shutdown()` stops it."""
    server = make_server(site_dir, host, port, faults=faults)
    thread = threading.Thread(target=server.serve_forever, name="sample-site-server", daemon=True)
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    return server, f"http://{bound_host}:{bound_port}"


def serve_forever(
    site_dir: str | Path, host: str = "127.0.0.1", port: int = 8765, *, faults: Faults | None = None
) -> None:
    """Serve until interrupted (Ctrl-C), logging one line a request."""
    server = make_server(site_dir, host, port, faults=faults)
    bound_host, bound_port = server.server_address[:2]
    logger.info("serving %s at http://%s:%s/ (Ctrl-C stops)", server.site.root, bound_host, bound_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("stopped")
    finally:
        server.server_close()
