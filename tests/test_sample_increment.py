"""One more day on a sample site (sample_sources/increment.py): the day's ads are appended where the
server reads them, a restarted server serves them, and the next incremental crawl of each board
(from its high-water mark, with the DAG's checkpoint folder) lands them."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from expectations import validate_landing
from extractors.job_boards import extract_board
from extractors.landing import read_records
from sample_sources.generate import generate_site
from sample_sources.increment import append_day
from sample_sources.server import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
BOARDS = ("zhaopin", "rencai")


def _digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def _crawl(site_dir: Path, raw: Path, partition: str, *, validate: bool) -> dict[str, set[str]]:
    """Crawl both boards as `extract_job_board` does (no interval, checkpoints under the warehouse);
    the ids each board landed. Validated landings set the next run's high-water mark."""
    from extractors.config import load_sources_config

    server, base_url = serve_in_thread(site_dir)
    try:
        config = load_sources_config(ROOT / "config" / "sources.yml", base_url=base_url)
        config["retries"] = 1
        landed = {}
        for board in BOARDS:
            config["job_boards"][board]["rate_limit_per_second"] = None
            result = extract_board(
                board, config, partition, raw / "raw", checkpoint_dir=raw / "state" / "checkpoints"
            )
            assert result.path, result
            if validate:
                validate_landing(Path(result.path), quarantine_dir=raw / "quarantine")
            landed[board] = {r["source_id"] for r in read_records(result.path)}
    finally:
        server.shutdown()
    return landed


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    """A small site crawled in full, then one more day appended and crawled incrementally."""
    base = tmp_path_factory.mktemp("increment")
    site = base / "site"
    generate_site(site, seed=11, postings=240)
    last_day = max(
        (site / "_data" / f"{board}.jsonl").read_text(encoding="utf-8").splitlines()[-1][:8]
        for board in BOARDS
    )
    # the daily runs: the first for the day after the last posting, the next for the day after that
    run = date(int(last_day[:4]), int(last_day[4:6]), int(last_day[6:])) + timedelta(days=1)
    first = _crawl(site, base, str(run), validate=True)
    before = json.loads((site / "truth.json").read_text(encoding="utf-8"))
    added = append_day(site, ads=40)
    assert added["day"] == str(run)
    # (not validated: a 40-ad day may hold more than the 5% of broken titles a landing tolerates)
    after = _crawl(site, base, str(run + timedelta(days=1)), validate=False)
    return {"site": site, "first": first, "added": added, "after": after, "before": before}


def test_the_day_is_appended_after_the_last_posting(day):
    added, site = day["added"], day["site"]
    assert added["zhaopin"] + added["rencai"] == 40
    truth = json.loads((site / "truth.json").read_text(encoding="utf-8"))["postings"]
    last_before = []
    for board in BOARDS:
        lines = (site / "_data" / f"{board}.jsonl").read_text(encoding="utf-8").splitlines()
        assert truth[board] == len(lines) == day["before"]["postings"][board] + added[board]
        tail = lines[-added[board] :]
        assert [line.split("\t")[1] for line in tail] == added["ids"][board]
        assert all(line.startswith(added["day"].replace("-", "") + "\t") for line in tail)
        last_before.append(lines[-added[board] - 1][:8])
    assert added["day"].replace("-", "") == str(int(max(last_before)) + 1)  # (not a month's last day)
    items = (site / "_data" / "postings_truth.jsonl").read_text(encoding="utf-8").splitlines()
    new = [json.loads(line) for line in items[-40:]]
    assert {item["month"] for item in new} == {added["day"][:7]}
    assert truth["increments"] == [
        {"day": added["day"], "items": 40, "zhaopin": added["zhaopin"], "rencai": added["rencai"]}
    ]
    assert truth["repost_items"] == day["before"]["postings"]["repost_items"] + added["repost_items"]
    # copies: same-day cross-posts and reposts, and reposts of the week before, share an ad id
    ads = [item["ad"] for item in new if not item["malformed"]]
    assert added["repost_items"] + added["cross_board_ads"] > 0 and len(set(ads)) < len(ads)


def test_the_incremental_crawl_lands_the_new_ads(day):
    added, first, after = day["added"], day["first"], day["after"]
    for board in BOARDS:
        new = set(added["ids"][board])
        assert new <= after[board], sorted(new - after[board])
        # the JSON board filters on the date; the HTML board reads its pages newest first down to
        # the first page older than the window
        old_again = after[board] & first[board]
        if board == "zhaopin":
            assert not old_again
        else:
            # an undated item is landed whatever the window (for the validator to quarantine)
            assert old_again <= set(day["before"]["postings"]["malformed"][board]["ids"])
        assert after[board] - new == old_again


def test_the_same_day_is_drawn_the_same_way(tmp_path):
    digests = []
    for name in ("a", "b"):
        generate_site(tmp_path / name, seed=5, postings=150)
        append_day(tmp_path / name, ads=25)
        append_day(tmp_path / name, ads=10)
        digests.append(_digest(tmp_path / name))
    assert digests[0] == digests[1]
    truth = json.loads((tmp_path / "a" / "truth.json").read_text(encoding="utf-8"))["postings"]
    first, second = (date.fromisoformat(inc["day"]) for inc in truth["increments"])
    assert second == first + timedelta(days=1)
