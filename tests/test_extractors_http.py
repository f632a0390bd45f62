"""HttpClient against real local servers: retries, Retry-After, timeouts, charsets, fetch log."""

from __future__ import annotations

import socket
import time

import pytest

from extractors.charset import decode_bytes, normalise_encoding
from extractors.errors import SourceError
from extractors.http import HttpClient

GB_PAGE = "<html><body><p>巴中市2019年国民经济和社会发展统计公报：全年实现地区生产总值（GDP）亿元。</p></body></html>"


def client(**kwargs) -> HttpClient:
    kwargs.setdefault("timeout", 2)
    kwargs.setdefault("retries", 3)
    return HttpClient("BazhongTalentWarehouse-test/1.0", backoff=0.01, **kwargs)


def test_retries_503_then_succeeds(tiny_server):
    server = tiny_server(
        lambda req, hit: (503, "busy") if hit <= 2 else (200, "ok", {"Content-Type": "text/plain"})
    )
    result = client().get(server.base_url + "/flaky")
    assert result.status == 200
    assert result.text == "ok"
    assert server.hits("/flaky") == 3


def test_gives_up_after_bounded_retries(tiny_server):
    server = tiny_server(lambda req, hit: (502, "bad gateway"))
    with pytest.raises(SourceError) as err:
        client(retries=2).get(server.base_url + "/down")
    assert server.hits("/down") == 3  # first try + 2 retries, then stop
    assert "/down" in str(err.value) and "502" in str(err.value)


def test_429_honours_retry_after(tiny_server):
    server = tiny_server(
        lambda req, hit: (429, "slow down", {"Retry-After": "0"}) if hit == 1 else (200, "ok")
    )
    assert client().get(server.base_url + "/limited").status == 200
    assert server.hits("/limited") == 2


def test_429_waits_as_long_as_retry_after_says(tiny_server):
    server = tiny_server(lambda req, hit: (429, "", {"Retry-After": "1"}) if hit == 1 else (200, "ok"))
    started = time.monotonic()
    client().get(server.base_url + "/limited")
    assert time.monotonic() - started >= 0.9


def test_timeout_is_retried(tiny_server):
    server = tiny_server(lambda req, hit: (200, "late", {}, 1.5) if hit == 1 else (200, "on time"))
    result = client(timeout=0.3).get(server.base_url + "/slow")
    assert result.text == "on time"
    assert server.hits("/slow") == 2


def test_timeout_every_time_raises(tiny_server):
    server = tiny_server(lambda req, hit: (200, "late", {}, 1.0))
    with pytest.raises(SourceError, match="/slow"):
        client(timeout=0.2, retries=1).get(server.base_url + "/slow")


def test_connection_refused_raises_source_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.
    with pytest.raises(SourceError, match=f"127.0.0.1:{port}"):
        client(retries=1).get(f"http://127.0.0.1:{port}/nothing")


def test_client_errors_are_not_retried(tiny_server):
    server = tiny_server(lambda req, hit: (404, "not here"))
    with pytest.raises(SourceError, match="404"):
        client().get(server.base_url + "/missing")
    assert server.hits("/missing") == 1
    result = client().get(server.base_url + "/missing", ok_statuses=(404,))
    assert result.status == 404


def test_sends_user_agent_and_query_params(tiny_server):
    server = tiny_server(lambda req, hit: (200, "{}", {"Content-Type": "application/json"}))
    client().get(server.base_url + "/api", {"limit": 100, "cursor": None})
    request = server.requests[0]
    assert request.headers["User-Agent"] == "BazhongTalentWarehouse-test/1.0"
    assert request.query == {"limit": ["100"]}  # None values are left out


def test_header_charset_wins(tiny_server):
    body = GB_PAGE.replace("<html>", '<html><head><meta charset="utf-8"></head>').encode("gb18030")
    server = tiny_server(lambda req, hit: (200, body, {"Content-Type": "text/html; charset=GB18030"}))
    result = client().get(server.base_url + "/gb.html")
    assert result.encoding == "gb18030"
    assert "国民经济和社会发展统计公报" in result.text


def test_meta_charset_gb2312_read_as_gb18030(tiny_server):
    # 𠮷 is outside GB2312/GBK: only a GB18030 decoder reads pages that say gb2312 but use it.
    page = GB_PAGE.replace("<html>", '<html><head><meta charset="gb2312"></head>').replace("全年", "全年𠮷")
    server = tiny_server(lambda req, hit: (200, page.encode("gb18030"), {"Content-Type": "text/html"}))
    result = client().get(server.base_url + "/meta.html")
    assert result.encoding == "gb18030"
    assert "全年𠮷" in result.text


def test_http_equiv_meta(tiny_server):
    page = GB_PAGE.replace(
        "<html>", '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head>'
    )
    server = tiny_server(lambda req, hit: (200, page.encode("gbk"), {"Content-Type": "text/html"}))
    assert "统计公报" in client().get(server.base_url + "/equiv.html").text


def test_undeclared_charset_is_detected(tiny_server):
    page = (GB_PAGE * 5).encode("gb18030")
    server = tiny_server(lambda req, hit: (200, page, {"Content-Type": "text/html"}))
    result = client().get(server.base_url + "/nometa.html")
    assert result.encoding == "gb18030"
    assert "地区生产总值" in result.text


def test_binary_bodies_are_not_decoded(tiny_server):
    server = tiny_server(
        lambda req, hit: (200, b"PK\x03\x04\x00\xff", {"Content-Type": "application/vnd.ms-excel"})
    )
    result = client().get(server.base_url + "/f.xlsx")
    assert result.content.startswith(b"PK") and result.text == "" and result.encoding is None


def test_fetch_log_entry_shape(tiny_server):
    server = tiny_server(lambda req, hit: (200, "你好", {"Content-Type": "text/plain; charset=utf-8"}))
    c = client()
    result = c.get(server.base_url + "/x")
    assert c.fetch_log == [result.manifest_entry()]
    entry = c.fetch_log[0]
    assert set(entry) == {"url", "fetched_at", "sha256", "bytes", "status", "encoding"}
    assert entry["bytes"] == len("你好".encode()) and entry["status"] == 200 and entry["encoding"] == "utf-8"
    assert entry["fetched_at"].endswith("+00:00")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("gb2312", "gb18030"),
        ("GBK", "gb18030"),
        ("GB18030", "gb18030"),
        ("UTF-8", "utf-8"),
        ("utf8", "utf-8"),
        ("latin-1", "iso8859-1"),
        ("nonsense-charset", None),
        (None, None),
    ],
)
def test_normalise_encoding(name, expected):
    assert normalise_encoding(name) == expected


def test_wrong_declared_charset_falls_back_to_detection():
    text, encoding = decode_bytes(("统计公报" * 20).encode("gb18030"), "text/html; charset=utf-8")
    assert encoding == "gb18030" and text.startswith("统计公报")


def test_backoff_doubles_with_jitter_and_retry_after_is_capped(tiny_server, monkeypatch):
    import extractors.http

    slept: list[float] = []
    monkeypatch.setattr(extractors.http.time, "sleep", slept.append)
    server = tiny_server(lambda req, hit: (500, "oops") if hit <= 2 else (200, "ok"))
    assert HttpClient("ua", timeout=2, retries=3, backoff=1.0).get(server.base_url + "/x").text == "ok"
    assert len(slept) == 2 and 1.0 <= slept[0] <= 1.5 and 2.0 <= slept[1] <= 3.0
    slept.clear()
    server = tiny_server(lambda req, hit: (429, "", {"Retry-After": "9999"}) if hit == 1 else (200, "ok"))
    HttpClient("ua", timeout=2, retries=1, backoff=0.0).get(server.base_url + "/y")
    assert slept == [extractors.http.MAX_RETRY_AFTER_SECONDS]


def test_credentials_stay_with_their_origin(tiny_server):
    # Two real servers on two ports: two origins. requests strips only Authorization on a redirect
    # to another host; a board's custom token header must not follow either.
    other = tiny_server(lambda req, hit: (200, "elsewhere"))
    board = tiny_server(lambda req, hit: (302, "", {"Location": other.base_url + "/landing"}))
    c = client()
    c.add_credentials(board.base_url + "/api", {"X-Api-Token": "s3cret", "Authorization": "Bearer s3cret"})
    result = c.get(board.base_url + "/api")
    assert result.text == "elsewhere" and result.url == other.base_url + "/landing"
    assert board.requests[0].headers["X-Api-Token"] == "s3cret"  # the board itself gets them
    c.get(other.base_url + "/direct")  # nor does a plain request to the other origin carry them
    assert len(other.requests) == 2
    assert not any("s3cret" in value for r in other.requests for value in r.headers.values())


def test_redirect_loops_are_bounded(tiny_server):
    server = tiny_server(lambda req, hit: (302, "", {"Location": f"/hop{hit}"}))
    with pytest.raises(SourceError, match="redirects"):
        client().get(server.base_url + "/start")
    assert len(server.requests) == 11


def test_a_declared_oversize_body_is_refused_unread(tiny_server):
    server = tiny_server(lambda req, hit: (200, "x" * 5000, {"Content-Type": "text/plain"}))
    with pytest.raises(SourceError, match="cap"):
        client(max_bytes=1000).get(server.base_url + "/big")
    assert client(max_bytes=5000).get(server.base_url + "/big").text == "x" * 5000
    assert len(server.requests) == 2  # a size over the cap is not retried


def test_connections_are_kept_alive_and_pooled_up_to_the_concurrency(tiny_server):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    in_flight, most = [0], [0]
    lock = threading.Lock()

    def handler(req, hit):
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        threading.Event().wait(0.1)
        with lock:
            in_flight[0] -= 1
        return 200, "ok"

    server = tiny_server(handler)
    http = client()
    http.ensure_pool(4)
    for _ in range(5):
        http.get(server.base_url + "/a")
    pools = http.session.get_adapter(server.base_url).poolmanager.pools
    [key] = pools.keys()
    pool = pools[key]
    assert pool.num_connections == 1  # one kept-alive connection for requests one after another
    with ThreadPoolExecutor(4) as threads:
        list(threads.map(http.get, [server.base_url + f"/b{i}" for i in range(8)]))
    assert most[0] == 4 and pool.num_connections <= 4
    assert len(http.fetch_log) == 13


def test_requests_are_logged_at_debug_only(tiny_server, caplog):
    server = tiny_server(lambda req, hit: (200, "ok"))
    with caplog.at_level("INFO", logger="extractors.http"):
        client().get(server.base_url + "/quiet")
    assert not [r for r in caplog.records if "/quiet" in r.getMessage()]
    with caplog.at_level("DEBUG", logger="extractors.http"):
        client().get(server.base_url + "/loud")
    assert [r for r in caplog.records if "/loud" in r.getMessage() and r.levelname == "DEBUG"]
