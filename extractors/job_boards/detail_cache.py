"""Detail pages already read, so a re-walk of a board fetches only new or changed ones.

An HTML board's listing shows each ad's title, company, salary, place and date; an ad whose listing
row is unchanged since its detail page was read is taken from here instead of fetched again. The
key is the ad's id plus a fingerprint of its listing row (and of the elements a detail page must
have), so a changed row — a new date, salary or title — fetches the page again. Entries older than
`detail_cache_days` (default DEFAULT_MAX_AGE_DAYS) are fetched again too, for boards that edit a
detail page without touching its row; `detail_cache: false` turns the cache off for a board.

Only pages that parsed completely are kept (a broken, soft-404 or gone page is asked for again next
time), and only scrubbed: personal data is masked before a field reaches the disk, as in the
checkpoints. One SQLite file per board under the warehouse state; one writer (the extraction).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlsplit

from extractors.job_boards.normalize import scrub_ad

log = logging.getLogger("extractors.job_boards.detail_cache")

DEFAULT_MAX_AGE_DAYS = 30


def listing_marker(item: dict, required: tuple[str, ...]) -> str:
    """Fingerprint of a listing row (and of the detail elements required when it was read)."""
    # The link's path, not its host: the same board served from another address is the same ad.
    row = {**item, "url": urlsplit(item.get("url") or "").path}
    payload = json.dumps([row, list(required)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def open_cache(path: Path) -> sqlite3.Connection:
    """A cache, not a record: no fsync per commit, and a file that cannot be read is started anew."""
    try:
        db = sqlite3.connect(path)
        db.execute("pragma synchronous = off")
        db.execute("pragma journal_mode = wal")
        return db
    except sqlite3.DatabaseError:
        log.warning("%s is unreadable; starting it anew", path)
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        db.execute("pragma synchronous = off")
        return db


class DetailCache:
    def __init__(self, path: str | Path, *, max_age_days: float | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        days = DEFAULT_MAX_AGE_DAYS if max_age_days is None else float(max_age_days)
        self.max_age = days * 86400
        self.hits = 0
        self.stored = 0
        self._db = open_cache(self.path)
        self._db.execute(
            "create table if not exists details "
            "(source_id text primary key, marker text not null, read_at real not null, fields text not null)"
        )

    def get(self, source_id: str | None, marker: str) -> dict | None:
        """The cached (scrubbed) detail fields of an ad whose listing row is unchanged, else None."""
        if not source_id:
            return None
        row = self._db.execute(
            "select marker, read_at, fields from details where source_id = ?", (source_id,)
        ).fetchone()
        if row is None or row[0] != marker or time.time() - row[1] > self.max_age:
            return None
        self.hits += 1
        return json.loads(row[2])

    def put_many(self, entries: list[tuple[str | None, str, dict]]) -> list[dict]:
        """Store (source_id, marker, detail fields) rows in one transaction and return the fields as
        stored: scrubbed here, whatever the caller did, because this is a file on disk."""
        scrubbed = [scrub_ad(fields) for _, _, fields in entries]
        now = time.time()
        rows = [
            (sid, marker, now, json.dumps(fields, ensure_ascii=False, sort_keys=True))
            for (sid, marker, _), fields in zip(entries, scrubbed, strict=True)
            if sid
        ]
        if rows:
            with self._db:
                self._db.executemany("insert or replace into details values (?, ?, ?, ?)", rows)
        self.stored += len(rows)
        return scrubbed

    def close(self) -> None:
        self._db.close()
