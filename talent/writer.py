"""The pipeline is the only writer of its DuckDB file, and nobody reading it can stop a run.

DuckDB allows one read-write process per file, or many read-only ones, never both. Two rules follow:

- **One writer at a time** across every process on this machine (Airflow task processes, Celery
  workers, `talent publish` by hand): each step that opens the file takes an exclusive `flock` on
  `<file>.writer.lock` and waits its turn, logging who holds it. This replaces an Airflow pool, which
  a fresh Airflow does not have (tasks in a missing pool wait forever without an error).
- **Readers never fail a writer.** If someone holds the file open read-only (an analyst's
  connection, a BI tool), the writer works on a copy and renames it over the file when done. Readers
  keep the version they opened (POSIX keeps the old inode alive for them) and see the new one when
  they reconnect. Without readers there is no copy, so the usual run costs nothing extra."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_WAIT_S = 3600.0
LOG_EVERY_S = 30.0


class WriterLockTimeout(RuntimeError):
    pass


def _lock_path(duckdb_path: Path) -> Path:
    return duckdb_path.with_name(duckdb_path.name + ".writer.lock")


@contextmanager
def writer_lock(
    duckdb_path: str | os.PathLike[str], what: str, *, wait_s: float = DEFAULT_WAIT_S
) -> Iterator[None]:
    """Hold the warehouse's writer lock for the block; ``what`` names the step in the lock file and
    in the waiting messages of the others."""
    duckdb_path = Path(duckdb_path)
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    path = _lock_path(duckdb_path)
    with path.open("a+", encoding="utf-8") as handle:
        started = time.monotonic()
        next_log = started
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if now - started > wait_s:
                    raise WriterLockTimeout(
                        f"{what}: the warehouse {duckdb_path} is still being written by {_holder(path)} "
                        f"after {wait_s:.0f}s; if no pipeline step is running, remove {path}"
                    ) from None
                if now >= next_log:
                    log.info("%s: waiting for the warehouse writer (%s)", what, _holder(path))
                    next_log = now + LOG_EVERY_S
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(
            json.dumps({"pid": os.getpid(), "step": what, "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        )
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another step"
    return f"{info.get('step')} (pid {info.get('pid')}, since {info.get('since')})"


def _readers_hold(duckdb_path: Path) -> bool:
    """True when the file exists and another process holds it open (so a read-write open fails)."""
    if not duckdb_path.exists():
        return False
    import duckdb

    try:
        duckdb.connect(str(duckdb_path)).close()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            return True
        raise
    return False


@contextmanager
def writable_warehouse(duckdb_path: str | os.PathLike[str], what: str) -> Iterator[Path]:
    """Under the writer lock, yield the path a step should write: the warehouse itself, or, when
    readers hold it open, a private copy that replaces it atomically once the step succeeds (a failed
    step leaves the warehouse as it was)."""
    duckdb_path = Path(duckdb_path)
    with writer_lock(duckdb_path, what):
        if not _readers_hold(duckdb_path):
            yield duckdb_path
            return
        copy = duckdb_path.with_name(f".{duckdb_path.name}.{what.replace(' ', '_')}.{os.getpid()}.tmp")
        log.info("%s: readers hold %s open; writing a copy and swapping it in afterwards", what, duckdb_path)
        shutil.copyfile(duckdb_path, copy)
        wal = duckdb_path.with_name(duckdb_path.name + ".wal")
        if wal.exists():
            shutil.copyfile(wal, copy.with_name(copy.name + ".wal"))
        try:
            yield copy
            _checkpoint(copy)
            os.replace(copy, duckdb_path)
        finally:
            for leftover in (copy, copy.with_name(copy.name + ".wal")):
                leftover.unlink(missing_ok=True)


def _checkpoint(path: Path) -> None:
    """Fold the copy's write-ahead log into it, so the single renamed file is the whole database."""
    import duckdb

    con = duckdb.connect(str(path))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
