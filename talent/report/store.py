"""Versioned report folders on disk: REPORTS_DIR/YYYY-MM/v<N>/ and the `latest` link.

Published versions are immutable: a new build is written (and fsynced) to a hidden temp directory
beside them and renamed into place, then `latest` is re-pointed with os.replace on a fresh symlink,
so a reader following `latest` sees either the old or the new complete version, never a half-written
one. One publisher per month at a time (flock), so two runs cannot both claim v<N+1>."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from talent.report.errors import PublishError

VERSION_RE = re.compile(r"^v([1-9]\d*)$")
log = logging.getLogger(__name__)


@contextlib.contextmanager
def month_lock(month_dir: Path) -> Iterator[None]:
    """Exclusive lock on the month's folder; the kernel releases it even if the process dies."""
    with open(month_dir / ".publish.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_orphans(month_dir: Path) -> list[str]:
    """Delete what a publisher killed mid-write left behind: `.tmp-*` build folders and `.latest-*`
    links. Call only while holding the month lock: no other publisher of the month is running then, so
    anything of that shape is dead. Returns the names removed (each logged)."""
    removed = []
    for path in sorted(month_dir.iterdir()):
        if path.name.startswith(".tmp-") and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.name.startswith(".latest-") and path.is_symlink():
            path.unlink()
        else:
            continue
        log.warning("removed %s left by an interrupted publish of %s", path, month_dir.name)
        removed.append(path.name)
    return removed


def max_version(month_dir: Path) -> int:
    numbers = [int(m.group(1)) for p in month_dir.iterdir() if (m := VERSION_RE.match(p.name)) and p.is_dir()]
    return max(numbers, default=0)


def latest_version(month_dir: Path) -> str | None:
    link = month_dir / "latest"
    if not link.is_symlink():
        if link.exists():
            raise PublishError(f"{link} exists but is not a symlink; move it away and publish again")
        return None
    name = Path(os.readlink(link)).name
    return name if VERSION_RE.match(name) and (month_dir / name).is_dir() else None


def dir_has_exactly(directory: Path, files: dict[str, bytes]) -> bool:
    on_disk = sorted(p.name for p in directory.iterdir())
    if on_disk != sorted(files):
        return False
    return all((directory / name).read_bytes() == data for name, data in files.items())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_version_dir(month_dir: Path, target: Path, files: dict[str, bytes]) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=month_dir))
    try:
        for name, data in files.items():
            with open(tmp / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        # mkdtemp makes the directory private (0700); a published report must be readable by the
        # web server or share that serves REPORTS_DIR.
        os.chmod(tmp, 0o755)
        _fsync_dir(tmp)
        # rename (not replace): refuses to overwrite a non-empty v<N>, so an existing version is never touched.
        os.rename(tmp, target)
        _fsync_dir(month_dir)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def point_latest(month_dir: Path, version: str) -> None:
    tmp_link = month_dir / f".latest-{os.getpid()}-{secrets.token_hex(4)}"
    os.symlink(version, tmp_link)  # relative, so the reports tree can be moved or served elsewhere
    try:
        os.replace(tmp_link, month_dir / "latest")
    except OSError:
        tmp_link.unlink(missing_ok=True)
        raise
    _fsync_dir(month_dir)
