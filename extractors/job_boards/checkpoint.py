"""Resumable extractions: what a crashed crawl already read, and where to pick up.

A checkpoint is a folder per board and partition holding `records.jsonl` (the pages read so far,
already scrubbed and normalised: no personal data ever reaches the disk here either),
`fetches.jsonl` (the fetch log) and `state.json` (the adapter's resume state after the last page,
how many records and fetches belong to it, the window). Pages are appended and `state.json` is
replaced atomically after each, so a crash at any moment leaves a consistent checkpoint; lines past
the counts in `state.json` (a page half-appended when the crash came) are ignored and cut off
before the next page is appended. A checkpoint made for another window or URL is
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
        # The fetch log grows by a page's fetches at a time: appended like the records, so a save
        # writes what is new instead of the whole log again (that was quadratic in the crawl's size).
        self.fetches_path = self.dir / "fetches.jsonl"
        self._fetches_written = 0

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
        if len(records) == wanted and wanted and self._has_tail(wanted):
            # a page half-appended when the crash came: cut it, or the next page would follow it
            self.records_path.write_text(
                "".join(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n" for rec in records),
                encoding="utf-8",
            )
        fetches: list[dict] = list(saved.get("fetches") or [])  # checkpoints written before fetches.jsonl
        wanted_fetches = int(saved.get("fetch_count", 0))
        if wanted_fetches:
            with open(self.fetches_path, encoding="utf-8") as handle:
                for line in handle:
                    if len(fetches) >= wanted_fetches:
                        break
                    fetches.append(json.loads(line))
        if len(fetches) < wanted_fetches:
            log.warning(
                "checkpoint %s has %d of %d fetches; starting over", self.dir, len(fetches), wanted_fetches
            )
            self.clear()
            return None, [], [], 0
        log.info("resuming from checkpoint %s: %d pages, %d records", self.dir, saved["pages"], len(records))
        self.announced = dict(saved.get("announced") or {})
        self._fetches_written = len(fetches)
        self._rewrite_fetches = True  # drop any half-appended tail before appending again
        return saved.get("state"), records, fetches, int(saved.get("pages", 0))

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
        if getattr(self, "_rewrite_fetches", False) or self._fetches_written > len(fetches):
            self._rewrite_fetches = False
            self._fetches_written = 0
        mode = "a" if self._fetches_written else "w"
        with open(self.fetches_path, mode, encoding="utf-8") as handle:
            for entry in fetches[self._fetches_written :]:
                handle.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._fetches_written = len(fetches)
        payload = {
            "identity": self.identity,
            "state": state,
            "records": total_records,
            "pages": pages,
            "fetch_count": len(fetches),
            "announced": announced or {},
        }
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".state-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, sort_keys=True)
        os.replace(tmp, self.state_path)

    def _has_tail(self, wanted: int) -> bool:
        with open(self.records_path, encoding="utf-8") as handle:
            return sum(1 for _ in handle) > wanted

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
