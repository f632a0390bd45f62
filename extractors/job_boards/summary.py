"""The run summary of the job-board DAG: per board, what the board announced (expected), what landed,
what the validator quarantined, and how many of the accepted ads are duplicates of another (same exact
dedup key: reposts on the board; copies across boards and near-duplicates are counted in the
warehouse, which sees both boards).

Reads only files already on disk (the landings and their validation results), so it can run after
the validate tasks and never changes what they decided."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

log = logging.getLogger("extractors.job_boards.summary")


def summarize(validations: list[dict], raw_dir: str | Path) -> dict:
    """`validations` are the validate tasks' results (ValidationSummary.to_dict(), or the skipped
    marker of a run that found nothing new); returns {board: counts} and logs one line a board."""
    out: dict[str, dict] = {}
    for v in validations or []:
        source = str(v.get("source") or "?")
        board = source.removeprefix("job_board_")
        if v.get("skipped"):
            out[board] = {
                "landed": 0,
                "accepted": 0,
                "quarantined": 0,
                "duplicates": 0,
                "status": v.get("status"),
            }
            log.info("%s: nothing new landed", board)
            continue
        keys: Counter = Counter()
        landing = Path(raw_dir) / str(v.get("landing") or "")
        accepted = landing / "validation" / "accepted.jsonl"
        if accepted.is_file():
            with open(accepted, encoding="utf-8") as handle:
                for line in handle:
                    key = json.loads(line).get("dedup_key")
                    if key:
                        keys[key] += 1
        # What the board announced vs what the crawl read (manifest `crawl`, landings since issue 14).
        manifest = landing / "manifest.json"
        crawl = json.loads(manifest.read_text(encoding="utf-8")).get("crawl") if manifest.is_file() else None
        counts = {
            "expected": (crawl or {}).get("expected"),
            "landed": int(v.get("rows") or 0),
            "accepted": int(v.get("accepted") or 0),
            "quarantined": int(v.get("quarantined") or 0),
            "duplicates": sum(n - 1 for n in keys.values()),
            "status": "ok" if v.get("success") else "failed",
        }
        out[board] = counts
        log.info(
            "%s: %s expected, %d landed, %d accepted, %d quarantined, %d duplicates (reposts by exact key)",
            board,
            "?" if counts["expected"] is None else counts["expected"],
            counts["landed"],
            counts["accepted"],
            counts["quarantined"],
            counts["duplicates"],
        )
    return out
