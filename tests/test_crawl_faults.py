"""Every fault a hostile tester found in the job-board crawlers, reproduced with the sample server's
fault mode (`talent sources serve --faults …`, sample_sources/faults.py) over real HTTP.

Each outcome is either loud (the board fails with an error naming URL and field, nothing lands) or
complete (the same ads as the fault-free crawl); docs/fault-matrix.md lists them."""

from __future__ import annotations

import ast
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from expectations import ValidationFailed, validate_landing
from extractors.config import load_sources_config
from extractors.errors import SourceError
from extractors.http import HttpClient
from extractors.job_boards import extract_board
from extractors.landing import read_records
from sample_sources.faults import Faults
from sample_sources.server import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
PARTITION = "2026-11-02"


def board_config(base_url: str, **top) -> dict:
    config = load_sources_config(ROOT / "config" / "sources.yml", base_url=base_url)
    config.update({"retries": 1, "timeout_seconds": 5, **top})
    for settings in config["job_boards"].values():
        settings["rate_limit_per_second"] = None  # a local server: speed over politeness
    return config


def crawl(board: str, config: dict, raw: Path):
    client = HttpClient.from_config(config, backoff=0.01)
    try:
        return extract_board(board, config, PARTITION, raw, client=client)
    finally:
        client.close()


def comparable(records: list[dict], base_url: str) -> list[dict]:
    """Records with the server's address taken out of the URLs (each server has its own port)."""
    return [{**r, "url": (r.get("url") or "").replace(base_url, "")} for r in records]


def assert_loud(board: str, config: dict, raw: Path, *needles: str) -> SourceError:
    with pytest.raises(SourceError) as err:
        crawl(board, config, raw)
    for needle in needles:
        assert needle in str(err.value)
    assert not (raw / f"job_board_{board}").exists()  # nothing landed, nothing accepted
    return err.value


@pytest.fixture(scope="module")
def baseline(sample_site, tmp_path_factory) -> dict[str, list[dict]]:
    """The fault-free crawl of each board, the yardstick of a complete one."""
    raw = tmp_path_factory.mktemp("baseline")
    config = board_config(sample_site.base_url)
    return {
        board: comparable(read_records(crawl(board, config, raw).path), sample_site.base_url)
        for board in ("zhaopin", "rencai")
    }


@pytest.fixture
def fault_server(sample_site) -> Iterator[Callable[..., tuple[str, Faults]]]:
    """Factory: `base_url, faults = fault_server("a,b", offsite_url=…)` serving the sample site."""
    servers = []

    def start(names: str, **kwargs) -> tuple[str, Faults]:
        faults = Faults(names, **kwargs)
        server, base_url = serve_in_thread(sample_site.dir, faults=faults)
        servers.append(server)
        return base_url, faults

    yield start
    for server in servers:
        server.shutdown()


# --------------------------------------------------------------------------- the HTML board


def test_truncated_listing_without_content_length_fails(fault_server, tmp_path):
    base, _ = fault_server("truncate-listing")
    assert_loud("rencai", board_config(base), tmp_path, "list_2.html", "truncated", "</html>")


def test_renamed_detail_classes_fail_instead_of_null_descriptions(fault_server, tmp_path):
    base, _ = fault_server("renamed-classes")
    err = assert_loud(
        "rencai", board_config(base), tmp_path, "detail pages lack", "h1.job-title", ".job-desc"
    )
    assert "/boards/rencai/job/RC" in err.where


def test_missing_pager_link_fails_instead_of_ending_the_crawl(fault_server, tmp_path):
    base, _ = fault_server("missing-pager")
    assert_loud("rencai", board_config(base), tmp_path, "list_3.html", "第3/", "no next-page link", "a.next")


def test_soft_404_detail_pages_are_marked_and_fail_validation(fault_server, baseline, tmp_path):
    base, _ = fault_server("soft-404")  # every 5th detail page: 页面不存在 with HTTP 200
    result = crawl("rencai", board_config(base), tmp_path / "raw")
    records = comparable(read_records(result.path), base)
    soft = {r["source_id"] for r in records if "soft 404" in (r["parse_error"] or "")}
    expected = {r["source_id"] for r in baseline["rencai"] if int(r["source_id"][2:]) % 5 == 0}
    assert soft == expected and soft
    assert not any("页面不存在" in (r["title"] or "") for r in records)  # no ad titled by the error page
    assert {r["source_id"] for r in records} == {r["source_id"] for r in baseline["rencai"]}
    # A fifth of the ads unreadable is more than the suite tolerates: the landing fails, nothing is
    # accepted (the loader reads only validated landings); a few would be quarantined with the reason.
    with pytest.raises(ValidationFailed, match="parse_error"):
        validate_landing(Path(result.path), quarantine_dir=tmp_path / "quarantine")
    verdict = json.loads((Path(result.path) / "validation" / "result.json").read_text(encoding="utf-8"))
    assert verdict["success"] is False
    quarantined = [
        json.loads(line) for path in (tmp_path / "quarantine").rglob("*.jsonl") for line in path.open()
    ]
    assert {q["record"]["source_id"] for q in quarantined} >= soft
    assert all(
        "soft 404" in json.dumps(q, ensure_ascii=False)
        for q in quarantined
        if q["record"]["source_id"] in soft
    )


# --------------------------------------------------------------------------- the JSON board


def test_renamed_json_fields_fail_naming_the_field(fault_server, tmp_path):
    base, _ = fault_server("renamed-json-fields")
    err = assert_loud("zhaopin", board_config(base), tmp_path, "job_desc", "recruit_num", "description")
    assert err.field == "data.items[].job_desc" and "/boards/zhaopin/api/v1/jobs" in err.where


def test_renamed_json_fields_fail_even_without_required_fields(fault_server, tmp_path):
    base, _ = fault_server("renamed-json-fields")
    config = board_config(base)
    del config["job_boards"]["zhaopin"]["required_fields"]  # the rename is seen from the unknown keys
    assert_loud("zhaopin", config, tmp_path, "job_desc", "renamed?")


def test_short_page_while_the_cursor_continues_fails(fault_server, tmp_path):
    base, _ = fault_server("short-page")
    config = board_config(base)
    config["job_boards"]["zhaopin"]["page_size"] = 40
    assert_loud("zhaopin", config, tmp_path, "fewer items than the limit", "of 40 items", "cursor=")


# --------------------------------------------------------------------------- transport


@pytest.mark.parametrize("board", ["zhaopin", "rencai"])
def test_connection_reset_mid_body_is_retried_and_the_crawl_is_complete(
    fault_server, baseline, board, tmp_path
):
    base, faults = fault_server("reset-mid-body")
    result = crawl(board, board_config(base), tmp_path)
    assert comparable(read_records(result.path), base) == baseline[board]
    paths = [path for path, _ in faults.requests]
    assert len(paths) > len(set(paths))  # the resets happened and were retried


@pytest.mark.parametrize("header", ["X-Api-Token", "Authorization"])
def test_credentials_never_follow_a_redirect_to_another_origin(
    fault_server, baseline, header, tmp_path, monkeypatch
):
    offsite, seen_offsite = fault_server("")  # a second real server: another port, another origin
    base, seen_board = fault_server("redirect-offsite", offsite_url=offsite)
    monkeypatch.setenv("BZ_FAULT_TOKEN", "s3cret-token")
    config = board_config(base)
    config["job_boards"]["zhaopin"]["auth"] = {"token_env": "BZ_FAULT_TOKEN", "header": header}
    result = crawl("zhaopin", config, tmp_path)
    assert comparable(read_records(result.path), base) == baseline["zhaopin"]
    assert seen_board.requests and all(h.get(header) == "s3cret-token" for _, h in seen_board.requests)
    assert seen_offsite.requests  # the redirect was followed ...
    assert not any("s3cret-token" in json.dumps(h) for _, h in seen_offsite.requests)  # ... without the token


def test_a_server_trickling_bytes_is_cut_off_at_the_deadline(fault_server, tmp_path):
    base, _ = fault_server("slow-drip", drip_seconds=0.2)
    started = time.monotonic()
    assert_loud("zhaopin", board_config(base, deadline_seconds=1.5), tmp_path, "deadline", "/api/v1/jobs")
    assert time.monotonic() - started < 6  # not retried: a trickling server trickles again


def test_a_huge_response_is_aborted_at_the_size_cap(fault_server, tmp_path):
    base, _ = fault_server("huge-response")
    started = time.monotonic()
    assert_loud(
        "zhaopin", board_config(base, max_response_bytes=1_000_000), tmp_path, "cap", "max_response_bytes"
    )
    assert time.monotonic() - started < 6


# --------------------------------------------------------------------------- the fault-free crawl and its counts


def test_fault_free_crawl_records_expected_vs_landed(sample_site, tmp_path):
    config = board_config(sample_site.base_url)
    for board in ("zhaopin", "rencai"):
        result = crawl(board, config, tmp_path)
        crawl_counts = json.loads((Path(result.path) / "manifest.json").read_text(encoding="utf-8"))["crawl"]
        assert crawl_counts["expected"] == crawl_counts["read"] == sample_site.truth["postings"][board]
        assert crawl_counts["landed"] == result.rows
    assert crawl_counts["announced"]["pages"] == crawl_counts["pages"]  # rencai: every listing page read


def test_every_dag_task_has_an_execution_timeout():
    """A hung task must end even when every fetch inside it is bounded: check the decorators."""
    for path in sorted((ROOT / "dags").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                name = ast.unparse(target)
                if name in ("task", "task.sensor"):
                    keywords = {k.arg for k in deco.keywords} if isinstance(deco, ast.Call) else set()
                    assert "execution_timeout" in keywords, (
                        f"{path.name}: task {node.name} has no execution_timeout"
                    )
