"""`talent extract`: one source by hand, over real HTTP against the served sample, answering in JSON."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

TALENT = str(Path(sys.executable).with_name("talent"))


def extract(tmp_path: Path, base_url: str, *args: str) -> tuple[int, dict]:
    env = {
        **os.environ,
        "TALENT_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "TALENT_SOURCE_BASE_URL": base_url,
    }
    env.pop("TALENT_DUCKDB_PATH", None)
    proc = subprocess.run(
        [TALENT, "extract", *args, "--date", "2026-11-02", "--json"], env=env, capture_output=True, text=True
    )
    lines = proc.stdout.strip().splitlines()
    assert lines, proc.stderr
    return proc.returncode, json.loads(lines[-1])


def test_a_board_lands_then_is_unchanged_and_every_record_has_its_source_id(tmp_path, sample_site):
    code, answer = extract(tmp_path, sample_site.base_url, "job-board", "zhaopin")
    assert code == 0, answer
    assert answer["source"] == "job_board_zhaopin" and answer["status"] == "landed"
    assert answer["rows"] == sample_site.truth["postings"]["zhaopin"]
    assert answer["accepted"] + answer["quarantined"] == answer["rows"] and answer["accepted"] > 0
    assert answer["errors"] == []
    records = [
        json.loads(line) for line in (Path(answer["path"]) / "records.jsonl").read_text("utf-8").splitlines()
    ]
    assert len(records) == answer["rows"] and all(r["source_id"] for r in records)

    code, again = extract(tmp_path, sample_site.base_url, "job-board", "zhaopin")
    assert code == 0 and again["status"] == "unchanged" and again["errors"] == [], again


def test_bulletins_by_hand(tmp_path, sample_site):
    code, answer = extract(tmp_path, sample_site.base_url, "bulletins")
    assert code == 0, answer
    assert answer["status"] == "landed" and answer["rows"] > 0 and answer["accepted"] > 0


def test_an_unknown_board_and_a_dead_server_fail_loudly(tmp_path, sample_site):
    code, answer = extract(tmp_path, sample_site.base_url, "job-board", "no_such_board")
    assert code == 1 and answer["status"] == "failed"
    assert "no_such_board" in answer["errors"][0] and "zhaopin" in answer["errors"][0]

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    code, answer = extract(tmp_path, dead, "job-board", "rencai")
    assert code == 1 and answer["status"] == "failed" and answer["errors"], answer
    assert answer["accepted"] == 0 and answer["path"] is None
