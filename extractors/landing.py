"""Raw landing: the immutable hand-off from extractors to validation (contract section 2).

A landing is `RAW_DIR/<source>/<partition>/<sha12>/` holding `records.jsonl`, `manifest.json` and
optionally `files/` (original bytes). The folder name is derived from the canonical records bytes,
so re-running an extraction that saw the same data is a no-op, and a changed source lands as a new
vintage beside the old one instead of overwriting what downstream already read.

`list_landings` is the one reader of that layout (the loader, the job-board high-water marks and the
report's data-quality section all use it); `newest_validated` picks per partition the vintage they use."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from extractors.privacy import scrub_value

log = logging.getLogger("extractors.landing")

SOURCES = ("bulletins", "job_board_zhaopin", "job_board_rencai", "school_records")
_PARTITION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SOURCE = re.compile(r"^[a-z][a-z0-9_]*$")
_SHA12 = re.compile(r"^[0-9a-f]{12}$")


@dataclass(frozen=True)
class LandingResult:
    """What `land` did. `path` is the landing folder; `status` is landed | new_vintage | unchanged."""

    source: str
    partition: str
    path: str
    sha256: str
    rows: int
    status: str

    def to_dict(self) -> dict:
        return asdict(self)


def canonical_jsonl(records: Iterable[Mapping]) -> bytes:
    """The canonical bytes of records.jsonl: one sorted-key JSON object a line, UTF-8, no escapes.

    allow_nan=False because NaN is not JSON and would break every reader downstream."""
    lines = [
        json.dumps(dict(rec), ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n" for rec in records
    ]
    return "".join(lines).encode("utf-8")


def _safe_relpath(name: str) -> PurePosixPath:
    """files/ entries must stay inside the landing: no absolute paths, no '..'."""
    rel = PurePosixPath(name.replace("\\", "/").lstrip("/"))
    if not rel.parts or any(part in ("", ".", "..") for part in rel.parts):
        raise ValueError(f"unsafe file name for landing: {name!r}")
    return rel


def _normalise_files(
    files: Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None,
) -> list[tuple[str, bytes]]:
    if not files:
        return []
    items = files.items() if isinstance(files, Mapping) else files
    seen: dict[str, bytes] = {}
    for name, content in items:
        rel = str(_safe_relpath(name))
        if rel in seen and seen[rel] != content:
            raise ValueError(f"two different files named {rel!r} in one landing")
        seen[rel] = bytes(content)
    return sorted(seen.items())


def land(
    source: str,
    partition: str,
    records: Iterable[Mapping],
    files: Mapping[str, bytes] | Iterable[tuple[str, bytes]] | None = None,
    *,
    raw_dir: str | os.PathLike,
    fetches: Iterable[Mapping] | None = None,
    crawl: Mapping | None = None,
) -> LandingResult:
    """Write one landing atomically and return what happened.

    `files` maps a relative name (stored under `files/`) to its original bytes; `fetches` are the
    `FetchResult.manifest_entry()` dicts of the fetches behind these records; `crawl` (job boards:
    expected vs read vs landed counts) goes into the manifest as is."""
    if not _SOURCE.match(source):
        raise ValueError(f"bad source name {source!r}")
    if not _PARTITION.match(partition):
        raise ValueError(f"partition must be YYYY-MM-DD, got {partition!r}")
    datetime.strptime(partition, "%Y-%m-%d")  # rejects 2025-02-30
    if source not in SOURCES and not source.startswith("job_board_"):  # boards come from the config
        log.warning("landing unknown source %s (known: %s)", source, ", ".join(SOURCES))

    # The last gate before disk: every string at any depth is scrubbed (identifiers kept), whatever
    # the extractor did; already-masked records come out byte-identical, so the sha is stable.
    records = [scrub_value(dict(rec)) for rec in records]
    payload = canonical_jsonl(records)
    sha = hashlib.sha256(payload).hexdigest()
    sha12 = sha[:12]
    partition_dir = Path(raw_dir) / source / partition
    final = partition_dir / sha12

    if final.is_dir():
        log.info("landing %s/%s unchanged (%s, %d rows)", source, partition, sha12, len(records))
        return LandingResult(source, partition, str(final), sha, len(records), "unchanged")

    file_items = _normalise_files(files)
    partition_dir.mkdir(parents=True, exist_ok=True)
    had_vintages = any(
        _SHA12.match(p.name) and (p / "manifest.json").is_file() for p in partition_dir.iterdir()
    )

    manifest = {
        "source": source,
        "partition": partition,
        "sha256": sha,
        "rows": len(records),
        "landed_at": datetime.now(UTC).isoformat(timespec="microseconds"),
        "fetches": [dict(f) for f in (fetches or [])],
        "files": [
            {"path": f"files/{name}", "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content)}
            for name, content in file_items
        ],
    }
    if crawl is not None:
        manifest["crawl"] = dict(crawl)

    # The temp folder sits inside the partition so the final rename never crosses file systems
    # (rename is atomic only within one); its dot-prefix keeps readers from taking it for a landing.
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{sha12}-", dir=partition_dir))
    try:
        (tmp / "records.jsonl").write_bytes(payload)
        for name, content in file_items:
            target = tmp / "files" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        for path in [tmp, *tmp.rglob("*")]:
            # mkdtemp makes 0700 folders; landings are shared read-only data.
            path.chmod(0o755 if path.is_dir() else 0o644)
        try:
            os.rename(tmp, final)
        except OSError:
            # Another run landed the same bytes between our check and the rename: same data, no-op.
            if final.is_dir():
                log.info("landing %s/%s raced with an identical one (%s)", source, partition, sha12)
                return LandingResult(source, partition, str(final), sha, len(records), "unchanged")
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)

    status = "new_vintage" if had_vintages else "landed"
    log.info(
        "landing %s/%s %s: %s, %d rows, %d files",
        source,
        partition,
        status,
        sha12,
        len(records),
        len(file_items),
    )
    return LandingResult(source, partition, str(final), sha, len(records), status)


class LandingTampered(RuntimeError):
    """A landed file no longer has the checksum its manifest (or validation result) recorded."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_landing(landing_path: str | os.PathLike, manifest: Mapping | None = None) -> None:
    """Raise LandingTampered unless records.jsonl and every files/ entry still hash as manifest.json
    says. Landings are immutable: a hand edit must stop the validator and the loader, not be read
    as the data that was fetched (re-extracting lands the source again, under its own checksum)."""
    base = Path(landing_path)
    manifest = manifest if manifest is not None else json.loads((base / "manifest.json").read_text("utf-8"))
    expected = [("records.jsonl", manifest.get("sha256"))]
    expected += [(entry["path"], entry.get("sha256")) for entry in manifest.get("files") or []]
    for name, sha in expected:
        path = base / name
        if not path.is_file():
            raise LandingTampered(f"{path}: listed in manifest.json but missing")
        actual = file_sha256(path)
        if sha != actual:
            raise LandingTampered(
                f"{path}: sha256 {actual[:12]}… is not the {str(sha)[:12]}… manifest.json recorded: the file "
                "changed after it was landed; restore it, or delete the landing folder and extract again"
            )


def read_records(landing_path: str | os.PathLike) -> list[dict]:
    """All records of a landing, in file order."""
    with open(Path(landing_path) / "records.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _utc_naive(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


@dataclass(frozen=True)
class Landing:
    """One complete landing on disk: `<raw_dir>/<source>/<partition>/<folder>/`.

    `manifest` is the parsed manifest.json; `landed_at` its `landed_at` as a naive UTC datetime."""

    source: str
    partition: str
    folder: str  # the sha12 folder name
    path: Path
    landed_at: datetime
    manifest: dict = field(compare=False, repr=False)

    @property
    def relative(self) -> str:
        """`<source>/<partition>/<folder>`: the landing's name relative to RAW_DIR (the `_landing` column)."""
        return f"{self.source}/{self.partition}/{self.folder}"

    @property
    def sha256(self) -> str | None:
        return self.manifest.get("sha256")

    @property
    def rows(self) -> int | None:
        return self.manifest.get("rows")

    def validation(self) -> dict | None:
        """The validator's `validation/result.json`, or None when the landing was never (readably) validated."""
        return _read_json(self.path / "validation" / "result.json")

    @property
    def validated(self) -> bool:
        """True when `validation/result.json` says success."""
        result = self.validation()
        return bool(result and result.get("success") is True)


def list_landings(
    raw_dir: str | os.PathLike, source: str | None = None, *, partition: str | None = None
) -> list[Landing]:
    """Every complete landing under `raw_dir`, validated or not: the one place that walks RAW_DIR.

    Contract:
    - `source=None` lists every source folder under `raw_dir` (any `[a-z][a-z0-9_]*` name, so a board
      added in the sources config as `job_board_<board>` is found without a code change); dot folders
      such as `.checkpoints` are never sources. `partition` restricts to one partition.
    - A landing is a `<sha12>` folder with a readable manifest.json that has `landed_at`. Temp folders
      (`.tmp-*`), folders without a manifest and unreadable manifests (a hand-made folder; `land`
      cannot leave one) are skipped.
    - Sorted by source, partition, `landed_at`, then folder name, so the newest vintage of a partition
      is the last of its group and the order never depends on directory listing order.

    The landings the loader loads (and the report's data-quality section and the job-board high-water
    marks count) are `newest_validated(list_landings(raw_dir, source))`."""
    base = Path(raw_dir)
    if source is not None:
        source_dirs = [base / source]
    elif base.is_dir():
        source_dirs = sorted(p for p in base.iterdir() if p.is_dir() and _SOURCE.match(p.name))
    else:
        source_dirs = []
    found: list[Landing] = []
    for source_dir in source_dirs:
        if not source_dir.is_dir():
            continue
        partition_dirs = (
            [source_dir / partition] if partition else sorted(p for p in source_dir.iterdir() if p.is_dir())
        )
        for partition_dir in partition_dirs:
            if not partition_dir.is_dir():
                continue
            for folder in partition_dir.iterdir():
                if not (_SHA12.match(folder.name) and folder.is_dir()):
                    continue
                manifest = _read_json(folder / "manifest.json")
                if manifest is None or not manifest.get("landed_at"):
                    continue
                found.append(
                    Landing(
                        source=source_dir.name,
                        partition=partition_dir.name,
                        folder=folder.name,
                        path=folder,
                        landed_at=_utc_naive(manifest["landed_at"]),
                        manifest=manifest,
                    )
                )
    found.sort(key=lambda lnd: (lnd.source, lnd.partition, lnd.landed_at, lnd.folder))
    return found


def newest_validated(landings: Iterable[Landing]) -> list[Landing]:
    """Per (source, partition), the newest vintage whose validation succeeded, in input order of groups.

    A newer vintage that failed or was never validated is skipped with a warning, so the last good data
    stays; a partition with no validated vintage contributes nothing."""
    groups: dict[tuple[str, str], list[Landing]] = {}
    for landing in landings:
        groups.setdefault((landing.source, landing.partition), []).append(landing)
    chosen: list[Landing] = []
    for vintages in groups.values():
        for landing in sorted(vintages, key=lambda lnd: (lnd.landed_at, lnd.folder), reverse=True):
            if landing.validated:
                chosen.append(landing)
                break
            log.warning("skipping %s: no successful validation/result.json", landing.relative)
    return chosen
