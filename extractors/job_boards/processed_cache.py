"""Normalised records of raw ads already processed, so a re-walk does not scrub, classify and
MinHash the same ad again (that work, not the HTTP, is most of a crawl's time).

A record is reused only when everything that made it is byte-identical: the raw ad (its sha256,
personal data included, so no raw text is stored), the run's `window_end`, and the code and tables
that process an ad — every `.py` file under `extractors/`, every file under
`extractors/job_boards/data/` and the datasketch version (CODE_FINGERPRINT). Change any of them and
the whole cache is dropped. Stored records are the normaliser's output: scrubbed, as in the
checkpoints and the landings. Rows not used for PRUNE_DAYS are removed, so the file holds about the
ads a board still shows. One SQLite file per board under the warehouse state, one writer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from extractors.job_boards.detail_cache import open_cache as _open

log = logging.getLogger("extractors.job_boards.processed_cache")

EXTRACTORS = Path(__file__).resolve().parents[1]
PRUNE_DAYS = 60


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    digest = hashlib.sha256()
    files = sorted(EXTRACTORS.rglob("*.py")) + sorted(
        p for p in (EXTRACTORS / "job_boards" / "data").rglob("*")
    )
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(EXTRACTORS)).encode())
            digest.update(path.read_bytes())
    try:
        digest.update(metadata.version("datasketch").encode())
    except metadata.PackageNotFoundError:
        pass
    return digest.hexdigest()[:32]


def raw_key(raw: dict, window_end: str | None) -> str:
    payload = json.dumps([raw, window_end], ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ProcessedCache:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self._pending: list[tuple[str, float, str]] = []
        self._used: list[tuple[float, str]] = []
        self._db = _open(self.path)
        with self._db:
            self._db.execute("create table if not exists meta (key text primary key, value text not null)")
            self._db.execute(
                "create table if not exists records (key text primary key, used_at real not null, record text not null)"
            )
            row = self._db.execute("select value from meta where key = 'code'").fetchone()
            if row is None or row[0] != code_fingerprint():
                if row is not None:
                    log.info("%s: the normaliser changed; processed records are made again", self.path)
                self._db.execute("delete from records")
                self._db.execute("insert or replace into meta values ('code', ?)", (code_fingerprint(),))

    def get(self, key: str) -> dict | None:
        row = self._db.execute("select record from records where key = ?", (key,)).fetchone()
        if row is None:
            return None
        self.hits += 1
        self._used.append((time.time(), key))
        return json.loads(row[0])

    def put(self, key: str, record: dict) -> None:
        self._pending.append((key, time.time(), json.dumps(record, ensure_ascii=False)))

    def flush(self) -> None:
        with self._db:
            self._db.executemany("insert or replace into records values (?, ?, ?)", self._pending)
            self._db.executemany("update records set used_at = ? where key = ?", self._used)
        self._pending, self._used = [], []

    def close(self) -> None:
        self.flush()
        with self._db:
            self._db.execute("delete from records where used_at < ?", (time.time() - PRUNE_DAYS * 86400,))
        self._db.close()
