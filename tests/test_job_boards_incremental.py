"""Job-board pulls over time, against the sample site and scripted servers: the first run reads the
whole history, later runs only what is newer than the high-water mark, a backfill reproduces its
landing, a quiet day lands nothing, a crash resumes from its checkpoint; politeness (rate limit,
Retry-After), credentials from the environment, and bad items quarantined while the page lands."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest

from expectations import validate_landing
from extractors.errors import SourceError
from extractors.http import HttpClient
from extractors.job_boards import NOTHING_NEW, RateLimiter, Window, extract_board, high_water_mark
from extractors.job_boards.rencai import HtmlListingAdapter
from extractors.job_boards.summary import summarize
from extractors.landing import read_records


def interval(last_day: str) -> tuple[str, str]:
    """The data interval of Airflow's daily run whose last local (Asia/Shanghai) day is `last_day`."""
    day = date.fromisoformat(last_day)
    start = date.fromordinal(day.toordinal() - 1)
    return (f"{start}T16:00:00+00:00", f"{day}T16:00:00+00:00")


def land_and_validate(board, config, partition, raw, quarantine, last_day):
    result = extract_board(board, config, partition, raw, data_interval=interval(last_day))
    if result.path:
        validate_landing(Path(result.path), quarantine_dir=quarantine)
    return result


def ids(result) -> set[str]:
    return {r["source_id"] for r in read_records(result.path)} if result.path else set()


@pytest.mark.parametrize("board", ["zhaopin", "rencai"])
def test_incremental_runs_add_up_to_the_full_history(board, sample_config, tmp_path):
    raw, quarantine = tmp_path / "raw", tmp_path / "quarantine"
    first = land_and_validate(board, sample_config, "2026-06-02", raw, quarantine, "2026-06-01")
    mark = high_water_mark(raw, f"job_board_{board}", "2026-09-02")
    assert mark is not None and mark <= date(2026, 6, 1)
    second = land_and_validate(board, sample_config, "2026-09-02", raw, quarantine, "2026-09-01")
    records = read_records(second.path)
    assert all(
        r["posted_at"] > mark.isoformat() for r in records if r["posted_at"] and r["posted_at"] >= "2000"
    )
    assert all(r["window_end"] == "2026-09-01" for r in records)

    # one run over the same span reads exactly what the two runs read together
    full = extract_board(
        board, sample_config, "2026-09-02", tmp_path / "full", data_interval=interval("2026-09-01")
    )
    assert ids(first) | ids(second) == ids(full) and not ids(first) & ids(second)
    assert 0 < len(ids(second)) < len(ids(full))

    # a backfill of the first day (or a re-run of either) reproduces its landing: nothing new lands
    again = extract_board(board, sample_config, "2026-06-02", raw, data_interval=interval("2026-06-01"))
    assert (again.status, again.path) == ("unchanged", first.path)
    assert extract_board(
        board, sample_config, "2026-09-02", raw, data_interval=interval("2026-09-01")
    ).status == ("unchanged")


def test_a_quiet_day_lands_nothing(sample_config, tmp_path):
    raw, quarantine = tmp_path / "raw", tmp_path / "quarantine"
    land_and_validate(
        "zhaopin", sample_config, "2026-11-05", raw, quarantine, "2026-11-04"
    )  # the whole history
    quiet = extract_board("zhaopin", sample_config, "2026-11-06", raw, data_interval=interval("2026-11-05"))
    assert quiet.status == NOTHING_NEW and quiet.path == "" and quiet.rows == 0
    assert sorted(p.name for p in (raw / "job_board_zhaopin").iterdir()) == ["2026-11-05"]


def test_first_run_without_interval_reads_everything(sample_config, sample_site, tmp_path):
    result = extract_board("zhaopin", sample_config, "2026-11-01", tmp_path)
    assert result.rows == sample_site.truth["postings"]["zhaopin"]
    assert {r["window_end"] for r in read_records(result.path)} == {"2026-11-01"}


# --------------------------------------------------------------------------- scripted servers


def _item(i: int, **extra) -> dict:
    item = {
        "job_id": f"ZP{i:04d}",
        "job_title": "焊工",
        "company_name": "四川巴山智能装备有限公司",
        "salary_text": "5000-7000元/月",
        "edu": "中专",
        "exp": "1-3年",
        "city": "巴中",
        "district": "巴中经开区",
        "job_desc": f"第{i}号岗位，持焊工证。联系人：张经理 电话：13812345678",
        "publish_time": f"2025-03-{1 + i % 28:02d} 10:00:00",
        "recruit_num": 2,
        "detail_url": f"https://example.invalid/job/ZP{i:04d}",
    }
    item.update(extra)
    return item


def _api(items, next_cursor=None, total=None):
    body = {"code": 0, "msg": "ok", "data": {"items": items, "next_cursor": next_cursor, "total": total}}
    return 200, json.dumps(body, ensure_ascii=False), {"Content-Type": "application/json"}


def _config(server, **board) -> dict:
    settings = {"kind": "json_api", "url": server.base_url + "/api/jobs", "page_size": 2, **board}
    return {"user_agent": "test", "timeout_seconds": 5, "retries": 0, "job_boards": {"b": settings}}


def test_a_crashed_crawl_resumes_after_the_last_page_it_read(tiny_server, tmp_path):
    pages = {None: ([_item(1), _item(2)], "p2"), "p2": ([_item(3), _item(4)], "p3"), "p3": ([_item(5)], None)}
    broken = {"on": True}

    def handler(req, hit):
        cursor = req.query.get("cursor", [None])[0]
        if cursor == "p3" and broken["on"]:
            return 500, "upstream down"
        items, next_cursor = pages[cursor]
        return _api(items, next_cursor, 5)

    server = tiny_server(handler)
    with pytest.raises(SourceError, match="500"):
        extract_board("b", _config(server), "2025-04-01", tmp_path)
    checkpoint = tmp_path / ".checkpoints" / "job_board_b" / "2025-04-01"
    assert json.loads((checkpoint / "state.json").read_text(encoding="utf-8"))["records"] == 4
    assert "13812345678" not in (checkpoint / "records.jsonl").read_text(
        encoding="utf-8"
    )  # scrubbed on disk too

    broken["on"] = False
    before = len(server.requests)
    result = extract_board("b", _config(server), "2025-04-01", tmp_path)
    resumed = [r.query.get("cursor", [None])[0] for r in server.requests[before:]]
    assert resumed == ["p3"]  # pages 1 and 2 were not fetched again
    assert [r["source_id"] for r in read_records(result.path)] == [f"ZP{i:04d}" for i in range(1, 6)]
    assert not checkpoint.exists()
    fetched = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))["fetches"]
    assert len(fetched) == 3  # the manifest lists the pages of both attempts that landed


def test_rate_limit_spaces_requests():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(2, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limiter.wait()
    assert slept == [0.5, 0.5, 0.5] and limiter.waited == 1.5
    unlimited = RateLimiter(None, clock=lambda: now[0], sleep=sleep)
    assert unlimited.wait() == 0.0 and len(slept) == 3


def test_429_is_retried_after_the_time_the_board_asks_for(tiny_server, tmp_path, monkeypatch):
    import extractors.http

    slept = []
    monkeypatch.setattr(extractors.http.time, "sleep", slept.append)

    def handler(req, hit):
        if hit == 1:
            return 429, "slow down", {"Retry-After": "7"}
        return _api([_item(1)], None, 1)

    server = tiny_server(handler)
    config = _config(server)
    config["retries"] = 2
    result = extract_board("b", config, "2025-04-01", tmp_path)
    assert result.rows == 1 and slept == [7.0] and len(server.requests) == 2


def test_credentials_come_from_the_environment(tiny_server, tmp_path, monkeypatch):
    seen = []

    def handler(req, hit):
        seen.append(req.headers.get("Authorization"))
        if req.headers.get("Authorization") != "Bearer s3cret":
            return 401, '{"code": 401, "msg": "unauthorised"}'
        return _api([_item(1)], None, 1)

    server = tiny_server(handler)
    auth = {"auth": {"token_env": "BZ_TEST_TOKEN", "scheme": "Bearer"}}
    monkeypatch.delenv("BZ_TEST_TOKEN", raising=False)
    with pytest.raises(SourceError, match="BZ_TEST_TOKEN") as err:
        extract_board("b", _config(server, **auth), "2025-04-01", tmp_path)
    assert not seen  # nothing was sent without credentials
    monkeypatch.setenv("BZ_TEST_TOKEN", "s3cret")
    assert extract_board("b", _config(server, **auth), "2025-04-01", tmp_path).rows == 1
    assert "s3cret" not in str(err.value)

    # an Airflow connection given as AIRFLOW_CONN_<ID> works too
    monkeypatch.setenv("AIRFLOW_CONN_BZ_BOARD", json.dumps({"conn_type": "http", "password": "s3cret"}))
    conn = {"auth": {"airflow_conn_id": "bz_board", "scheme": "Bearer"}}
    assert extract_board("b", _config(server, **conn), "2025-04-02", tmp_path).rows == 1

    # a secret written into the config is refused
    with pytest.raises(SourceError, match="must not be in the sources config"):
        extract_board("b", _config(server, token="s3cret"), "2025-04-03", tmp_path)


def test_bad_items_are_quarantined_and_the_rest_of_the_page_lands(tiny_server, tmp_path):
    good = [_item(i) for i in range(1, 41)]
    bad = [
        "not an object",
        _item(41, job_title=["焊工", "电焊工"]),
        _item(42, publish_time="1998-05-01 10:00:00"),
        _item(43, publish_time="2035-05-01 10:00:00"),
        _item(44, salary_text="350000-500000元"),
    ]
    server = tiny_server(lambda req, hit: _api(good + bad, None, 45))
    config = _config(server)
    config["job_boards"]["b"]["page_size"] = 100
    result = extract_board("b", config, "2025-04-01", tmp_path / "raw", data_interval=interval("2025-03-31"))
    assert result.rows == 45
    summary = validate_landing(Path(result.path), quarantine_dir=tmp_path / "quarantine")
    assert (summary.accepted, summary.quarantined) == (40, 5)
    quarantined = [
        json.loads(line)
        for path in (tmp_path / "quarantine").rglob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    reasons = {q["record"].get("source_id"): (q["field"], q["reason"]) for q in quarantined}
    assert "parse_error" in reasons[None][0] and "not an object" in json.dumps(
        quarantined, ensure_ascii=False
    )
    assert "parse_error" in reasons["ZP0041"][0]
    assert "before 2000" in reasons["ZP0042"][1]
    assert "future" in reasons["ZP0043"][1]
    assert "plausible" in reasons["ZP0044"][1]
    assert all(q["row"] >= 1 for q in quarantined)

    counts = summarize([summary.to_dict()], tmp_path / "raw")
    assert counts["b"]["landed"] == 45 and counts["b"]["quarantined"] == 5
    assert counts["b"]["expected"] == 45  # the API's total, from the manifest's crawl counts
    assert counts["b"]["duplicates"] == sum(1 for _ in good) - len(
        {_item(i)["publish_time"][:7] for i in range(1, 41)}
    )


def test_html_listing_reads_newest_first_and_stops_below_the_window(tiny_server):
    def listing(page, days):
        items = "".join(
            f'<li class="job-item"><a class="job-link" href="../job/RC{page}{i:03d}.html">焊工</a>'
            f'<span class="company">甲公司</span><span class="date">2025-03-{day:02d}</span></li>'
            for i, day in enumerate(days)
        )
        nxt = f'<a class="next" href="list_{page + 1}.html">下一页</a>' if page < 4 else ""
        return (
            200,
            f'<html><body><ul class="job-list">{items}</ul>{nxt}</body></html>',
            {"Content-Type": "text/html; charset=utf-8"},
        )

    days = {1: (20, 19), 2: (15, 9), 3: (5, 1), 4: (1, 1)}

    def handler(req, hit):
        if req.path.startswith("/list/"):
            page = 1 if req.path.endswith("index.html") else int(req.path.rsplit("_", 1)[1].split(".")[0])
            return listing(page, days[page])
        return 404, "gone"

    server = tiny_server(handler)
    settings = {"kind": "html_listing", "url": server.base_url + "/list/index.html"}
    adapter = HtmlListingAdapter(
        "b", settings, HttpClient("test", retries=0), window=Window(date(2025, 3, 10), date(2025, 3, 19))
    )
    got = [r["posted_at"] for r in adapter.iter_records()]
    assert got == ["2025-03-19", "2025-03-15"]  # 03-20 is after the window, 03-09 before it
    # Page 3 is wholly older than the window: the crawl stops there. (It does not stop at page 2's
    # 03-09, so one mis-dated ad cannot cut a crawl short.)
    assert server.hits("/list/list_3.html") == 1 and server.hits("/list/list_4.html") == 0
    # detail pages only for the ads in the window
    assert server.hits("/job/RC1001.html") == 1 and server.hits("/job/RC1000.html") == 0
    assert server.hits("/job/RC2001.html") == 0


# --------------------------------------------------------------------------- speed and politeness


def _html_board(details: dict[str, str], delay: float = 0.0):
    """A one-page HTML board listing `details` (id -> salary); returns (handler, in-flight maximum)."""
    in_flight, most = [0], [0]
    lock = threading.Lock()

    def handler(req, hit):
        if req.path == "/list/index.html":
            items = "".join(
                f'<li class="job-item"><a class="job-link" href="../job/{rid}.html">焊工</a>'
                f'<span class="company">甲公司</span><span class="salary">{pay}</span>'
                f'<span class="date">2025-03-0{i + 1}</span></li>'
                for i, (rid, pay) in enumerate(details.items())
            )
            return 200, f'<html><body><ul class="job-list">{items}</ul></body></html>'
        with lock:
            in_flight[0] += 1
            most[0] = max(most[0], in_flight[0])
        threading.Event().wait(delay)
        with lock:
            in_flight[0] -= 1
        rid = req.path.rsplit("/", 1)[1].split(".")[0]
        return 200, (
            f'<html><body><h1 class="job-title">焊工 {rid}</h1><div class="company-name">甲公司</div>'
            f'<dl class="job-meta"><dt>学历要求</dt><dd>大专</dd></dl>'
            f'<div class="job-desc">电话13812345678 月薪{details[rid]}</div></body></html>'
        )

    return handler, most


def _html_config(server, **board) -> dict:
    settings = {"kind": "html_listing", "url": server.base_url + "/list/index.html", **board}
    return {"user_agent": "test", "timeout_seconds": 5, "retries": 0, "job_boards": {"b": settings}}


def test_detail_pages_are_fetched_together_up_to_the_board_limit(tiny_server, tmp_path):
    details = {f"RC{i:03d}": "4000元" for i in range(8)}
    handler, most = _html_board(details, delay=0.15)
    server = tiny_server(handler)
    result = extract_board("b", _html_config(server, max_concurrency=3), "2025-04-01", tmp_path)
    assert most[0] == 3  # three at once, never more
    assert [r["source_id"] for r in read_records(result.path)] == sorted(details)
    # a block's `local:` limits apply to this loopback server: one at a time when it says so
    handler, most = _html_board(details, delay=0.01)
    server = tiny_server(handler)
    extract_board(
        "b",
        _html_config(server, max_concurrency=3, local={"max_concurrency": 1}),
        "2025-04-01",
        tmp_path / "x",
    )
    assert most[0] == 1


def test_a_rewalk_fetches_only_new_or_changed_detail_pages(tiny_server, tmp_path):
    details = {f"RC{i:03d}": "4000元" for i in range(5)}
    server = tiny_server(_html_board(details)[0])
    config = _html_config(server)
    first = extract_board("b", config, "2025-04-01", tmp_path)
    assert sum(server.hits(f"/job/{rid}.html") for rid in details) == 5
    state = tmp_path / ".checkpoints" / "job_board_b"
    assert "13812345678" not in (state / "detail_cache.sqlite3").read_bytes().decode("utf-8", "replace")

    again = extract_board("b", config, "2025-04-01", tmp_path)  # a re-run: every row unchanged
    assert (again.status, again.path) == ("unchanged", first.path)
    assert sum(server.hits(f"/job/{rid}.html") for rid in details) == 5  # no detail page fetched again

    details["RC002"] = "5000元"  # the listing row changed: that page, and only it, is read again
    changed = extract_board("b", config, "2025-04-01", tmp_path)
    assert server.hits("/job/RC002.html") == 2 and server.hits("/job/RC001.html") == 1
    crawl = json.loads((Path(changed.path) / "manifest.json").read_text(encoding="utf-8"))["crawl"]
    assert crawl["detail_pages"] == {"fetched": 1, "cached": 4}
    # what lands is what a crawl without the caches lands
    cold = extract_board(
        "b", _html_config(server, detail_cache=False, processed_cache=False), "2025-04-01", tmp_path / "cold"
    )
    assert read_records(changed.path) == read_records(cold.path)


def test_processed_records_are_dropped_when_the_normaliser_changes(tmp_path, monkeypatch):
    from extractors.job_boards import processed_cache

    cache = processed_cache.ProcessedCache(tmp_path / "p.sqlite3")
    cache.put("k", {"title": "焊工"})
    cache.close()
    assert processed_cache.ProcessedCache(tmp_path / "p.sqlite3").get("k") == {"title": "焊工"}
    monkeypatch.setattr(processed_cache, "code_fingerprint", lambda: "another normaliser")
    assert processed_cache.ProcessedCache(tmp_path / "p.sqlite3").get("k") is None


def test_robots_txt_is_honoured_and_slows_the_rate(tiny_server):
    from extractors.job_boards.politeness import Robots

    rules = "User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n"
    server = tiny_server(lambda req, hit: (200, rules) if req.path == "/robots.txt" else (200, "ok"))
    robots = Robots(HttpClient("test", retries=0), "BazhongTalentWarehouse/0.1", skip_local=False)
    robots.check(server.base_url + "/jobs/1.html")
    with pytest.raises(SourceError, match="robots.txt disallows"):
        robots.check(server.base_url + "/private/1.html")
    assert robots.min_interval(server.base_url + "/jobs/") == 2
    assert server.hits("/robots.txt") == 1  # read once per origin
    missing = tiny_server(lambda req, hit: (404, "no"))
    robots.check(missing.base_url + "/private/1.html")  # no robots.txt: everything allowed
    # loopback servers (the sample site) are not asked unless a test says so
    Robots(HttpClient("test", retries=0), "x").check(server.base_url + "/private/1.html")


def test_rate_limit_holds_across_threads():
    limiter = RateLimiter(40)
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: limiter.wait(), range(12)))
    assert time.monotonic() - started >= 11 / 40 - 0.01  # twelve starts, 1/40 s apart


def test_local_limits_apply_only_to_boards_on_this_machine():
    from extractors.job_boards.politeness import effective_settings, is_local

    block = {"url": "https://jobs.example.cn/list", "max_concurrency": 2, "local": {"max_concurrency": 8}}
    assert effective_settings(block)["max_concurrency"] == 2
    assert effective_settings({**block, "url": "http://127.0.0.1:8765/list"})["max_concurrency"] == 8
    assert (
        is_local("http://localhost:1/") and is_local("http://[::1]:2/") and not is_local("http://10.0.0.1/")
    )
