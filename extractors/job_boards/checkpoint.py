"""Resumable extractions: what a crashed crawl already read, and where to pick up.

A checkpoint is a folder per board and partition holding `records.jsonl` (the pages read so far,
already scrubbed and normalised: no personal data ever reaches the disk here either) and
`state.json` (the adapter's resume state after the last page, how many records belong to it, the
window and the fetch log). Pages are appended and `state.json` is replaced atomically after each, so
a crash at any moment leaves a consistent checkpoint; records past the count in `state.json` (a page
half-appended when the crash came) are ignored. A checkpoint made for another window or URL is
discarded, and the folder is removed once the landing is written."""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger("extractors.job_boards.checkpoint")


class Checkpoint:
    def __init__(self, directory: str | os.PathLike, identity: dict) -> None:
        self.dir = Path(directory)
        self.identity = identity
        # What the board announced so far (the API's total, the pager's page count), restored by load().
        self.announced: dict = {}
        self.state_path = self.dir / "state.json"
        self.records_path = self.dir / "records.jsonl"

    def load(self) -> tuple[dict | None, list[dict], list[dict], int]:
        """(adapter state, records, fetch log, pages) to resume from; (None, [], [], 0) when there is
        nothing usable."""
        try:
            saved = json.loads(self.state_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None, [], [], 0
        except ValueError:
            log.warning("checkpoint %s is unreadable; starting over", self.state_path)
            self.clear()
            return None, [], [], 0
        if saved.get("identity") != self.identity:
            log.warning("checkpoint %s was made for %s; starting over", self.dir, saved.get("identity"))
            self.clear()
            return None, [], [], 0
        records = []
        wanted = int(saved.get("records", 0))
        with open(self.records_path, encoding="utf-8") as handle:
            for line in handle:
                if len(records) >= wanted:
                    break
                records.append(json.loads(line))
        if len(records) < wanted:
            log.warning("checkpoint %s has %d of %d records; starting over", self.dir, len(records), wanted)
            self.clear()
            return None, [], [], 0
        log.info("resuming from checkpoint %s: %d pages, %d records", self.dir, saved["pages"], len(records))
        self.announced = dict(saved.get("announced") or {})
        return saved.get("state"), records, saved.get("fetches", []), int(saved.get("pages", 0))

    def save(
        self,
        new_records: list[dict],
        total_records: int,
        state: dict | None,
        fetches: list[dict],
        pages: int,
        announced: dict | None = None,
    ):
        self.dir.mkdir(parents=True, exist_ok=True)
        if total_records == len(new_records):
            self.records_path.write_text("", encoding="utf-8")  # a fresh start truncates leftovers
        with open(self.records_path, "a", encoding="utf-8") as handle:
            for rec in new_records:
                handle.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        payload = {
            "identity": self.identity,
            "state": state,
            "records": total_records,
            "pages": pages,
            "fetches": fetches,
            "announced": announced or {},
        }
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".state-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, self.state_path)

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
