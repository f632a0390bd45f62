"""Job boards: one adapter per board `kind`, shared window → fetch → scrub → normalise → land.

`extract_board(board, config, partition, raw_dir, data_interval=...)` reads `config["job_boards"][board]`,
works out the posting dates to read (the DAG run's data interval, from the board's high-water mark:
the newest ad date of the earlier partitions' accepted landings; the whole history when there is
none), lets the adapter of the board's `kind` (`adapters.ADAPTERS`) read them page by page (checkpointed, so
a crash resumes), masks personal data in every free-text field, normalises each ad and lands source
`job_board_<board>`. No page bytes are stored: job pages carry recruiters' contact details."""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from extractors.errors import SourceError
from extractors.http import HttpClient
from extractors.job_boards.adapters import ADAPTERS, adapter_for
from extractors.job_boards.base import BoardAdapter, Page, RateLimiter, Window
from extractors.job_boards.checkpoint import Checkpoint
from extractors.job_boards.detail_cache import DetailCache
from extractors.job_boards.normalize import RAW_FIELDS, normalize_ad, process_ad, scrub_ad
from extractors.job_boards.processed_cache import ProcessedCache, raw_key
from extractors.landing import LandingResult, land, list_landings, newest_validated

__all__ = [
    "ADAPTERS",
    "RAW_FIELDS",
    "BoardAdapter",
    "Page",
    "RateLimiter",
    "Window",
    "adapter_for",
    "extract_board",
    "NOTHING_NEW",
    "extraction_window",
    "high_water_mark",
    "normalize_ad",
    "scrub_ad",
]

log = logging.getLogger("extractors.job_boards")

DEFAULT_TIMEZONE = "Asia/Shanghai"  # boards print Bazhong's local dates
# LandingResult.status of an incremental run that found no new ads (path is empty, nothing landed).
NOTHING_NEW = "nothing_new"


def _local_date(value: datetime | str, tz: str) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(ZoneInfo(tz))


def high_water_mark(raw_dir: str | Path, source: str, partition: str) -> date | None:
    """The newest posting date in the accepted rows of `source`'s landings of partitions before
    `partition` (newest validated vintage of each), or None when there is no such landing.

    Only accepted rows count: an ad dated in the future by mistake is quarantined, and must not
    push the mark past ads not yet read. Partitions at or after `partition` are ignored, so
    re-running or backfilling a day computes the same window as the first time."""
    best: date | None = None
    earlier = [landing for landing in list_landings(raw_dir, source) if landing.partition < partition]
    for landing in newest_validated(earlier):
        with open(landing.path / "validation" / "accepted.jsonl", encoding="utf-8") as handle:
            for line in handle:
                posted = json.loads(line).get("posted_at")
                if isinstance(posted, str) and len(posted) == 10:
                    try:
                        day = date.fromisoformat(posted)
                    except ValueError:
                        continue
                    best = day if best is None or day > best else best
    return best


def extraction_window(
    settings: dict,
    *,
    raw_dir: str | Path,
    source: str,
    partition: str,
    data_interval: tuple[Any, Any] | None,
) -> Window:
    """The posting dates one run reads.

    Upper end: the last local day of the run's data interval (none without an interval). Lower end:
    the day after the high-water mark (minus the board's `lookback_days`, for boards that add or
    edit ads after their date has passed), or the whole history on the first run. Starting from the
    mark rather than from the interval's start also fills the days of runs that never happened; an
    ad read twice (a lookback) is one row downstream (staging keeps one per board and id)."""
    tz = settings.get("timezone") or DEFAULT_TIMEZONE
    until = None
    if data_interval is not None and data_interval[1] is not None:
        # The interval's end is exclusive: the last day is the one before its local midnight.
        until = (_local_date(data_interval[1], tz) - timedelta(microseconds=1)).date()
    mark = high_water_mark(raw_dir, source, partition)
    since = None
    if mark is not None:
        since = mark + timedelta(days=1 - int(settings.get("lookback_days", 0) or 0))
    return Window(since, until)


def _identity(board: str, settings: dict, partition: str, window: Window) -> dict:
    return {"board": board, "url": settings.get("url"), "partition": partition, "window": window.to_dict()}


def crawl_counts(announced: dict, *, read: int, landed: int, pages: int) -> dict:
    """Expected vs landed for the manifest: `expected` is what the board announced (the API's
    total) or, when it announces no count, the ads its listing pages showed in the window (= read).
    `landed` is one row per ad id, so `read - landed` ads were read twice."""
    expected = announced.get("total")
    return {
        "expected": int(expected) if isinstance(expected, int) else read,
        "read": read,
        "landed": landed,
        "pages": pages,
        "announced": dict(announced),
    }


def _process(raw: dict, window_end: date, processed: ProcessedCache | None) -> dict:
    """process_ad, or the record it made from the same raw ad before (processed_cache.py)."""
    if processed is None:
        return process_ad(raw, window_end=window_end, signature=True)
    key = raw_key(raw, window_end.isoformat())
    record = processed.get(key)
    if record is None:
        record = process_ad(raw, window_end=window_end, signature=True)
        processed.put(key, record)
    return record


def extract_board(
    board: str,
    config: dict,
    partition: str,
    raw_dir,
    *,
    client: HttpClient | None = None,
    data_interval: tuple[Any, Any] | None = None,
    checkpoint_dir: str | Path | None = None,
) -> LandingResult:
    """Read `board`'s ads in the run's window, scrub, normalise and land them as `job_board_<board>`.

    `data_interval` is the DAG run's (start, end) (datetimes or ISO strings); without it the window
    has no upper end. `checkpoint_dir` holds resumable progress (default `<raw_dir>/.checkpoints`)."""
    boards = config.get("job_boards") or {}
    if board not in boards:
        raise SourceError(
            f"job board {board!r} is not in the sources config (have: {', '.join(sorted(boards))})",
            where=config.get("config_path"),
            field="job_boards",
        )
    settings = boards[board]
    source = f"job_board_{board}"
    adapter_cls = adapter_for(settings.get("kind", ""))
    client = client or HttpClient.from_config(config)
    window = extraction_window(
        settings, raw_dir=raw_dir, source=source, partition=partition, data_interval=data_interval
    )
    adapter = adapter_cls(board, settings, client, window=window)
    state_root = Path(checkpoint_dir or Path(raw_dir) / ".checkpoints") / source
    checkpoint = Checkpoint(state_root / partition, _identity(board, settings, partition, window))
    cache = None
    if hasattr(adapter, "detail_cache") and settings.get("detail_cache", True) is not False:
        cache = adapter.detail_cache = DetailCache(
            state_root / "detail_cache.sqlite3", max_age_days=settings.get("detail_cache_days")
        )
    processed = None
    if settings.get("processed_cache", True) is not False:
        processed = ProcessedCache(state_root / "processed_cache.sqlite3")
    try:
        return _crawl_and_land(
            board, settings, adapter, client, checkpoint, window, partition, raw_dir, processed
        )
    finally:
        for store in (cache, processed):
            if store is not None:
                store.close()


def _crawl_and_land(
    board: str,
    settings: dict,
    adapter: BoardAdapter,
    client: HttpClient,
    checkpoint: Checkpoint,
    window: Window,
    partition: str,
    raw_dir,
    processed: ProcessedCache | None,
) -> LandingResult:
    source = f"job_board_{board}"
    state, records, fetches, pages = checkpoint.load()
    if state is None and records:
        # the checkpoint says the last page was read: nothing left but landing it
        resume_done = True
    else:
        resume_done = False
    log.info("%s: reading window %s for partition %s", board, window, partition)

    # Nothing can be posted after the last day read, nor after the day the run is for.
    window_end = window.until or date.fromisoformat(partition)
    started = time.monotonic()
    seen = 0
    skipped: Counter = Counter()
    announced = dict(checkpoint.announced)
    if not resume_done:
        fetched_before = len(client.fetch_log)
        for page in adapter.iter_pages(state):
            pages += 1
            seen += page.seen
            skipped.update(page.skipped)
            announced.update(page.announced)
            new = [_process(raw, window_end, processed) for raw in page.records]
            if processed is not None:
                processed.flush()
            records.extend(new)
            fetches_now = fetches + client.fetch_log[fetched_before:]
            checkpoint.save(new, len(records), page.next_state, fetches_now, pages, announced)
        fetches = fetches + client.fetch_log[fetched_before:]

    if not records and window.since is None and not settings.get("allow_empty", False):
        raise SourceError(f"job board {board!r} yielded no ads (layout change?)", where=adapter.url)
    if not records:
        # An incremental run on a quiet day: the board answered (a page that lost its ads raises in
        # the adapter), there is just nothing new since the high-water mark. Nothing is landed (an
        # empty landing would fail validation as a broken extraction); the result says so.
        checkpoint.clear()
        log.info("%s: no new ads in window %s (%d seen outside it); nothing to land", board, window, seen)
        return LandingResult(source, partition, "", "", 0, NOTHING_NEW)

    # One row per ad id: a board that shifts its pages while we read (or a resumed crawl) shows
    # some ads twice; the last read is the freshest.
    by_id: dict[str, dict] = {}
    unidentified = []
    for rec in records:
        if rec.get("source_id"):
            by_id[rec["source_id"]] = rec
        else:
            unidentified.append(rec)
    repeated = len(records) - len(by_id) - len(unidentified)
    records = list(by_id.values()) + unidentified
    # Sorted by id so the landing's sha depends on the ads, not on the board's display order.
    records.sort(key=lambda r: (r.get("source_id") is None, r.get("source_id") or "", r.get("url") or ""))
    keys = Counter(r["dedup_key"] for r in records if r.get("dedup_key"))
    duplicates = sum(n - 1 for n in keys.values())
    crawl = crawl_counts(announced, read=len(records) + repeated, landed=len(records), pages=pages)
    crawl["parse_errors"] = sum(1 for r in records if r.get("parse_error"))
    details = getattr(adapter, "details", None)
    if details:  # detail pages fetched this run vs taken unchanged from the detail cache
        crawl["detail_pages"] = {"fetched": details.get("fetched", 0), "cached": details.get("cached", 0)}
    result = land(source, partition, records, raw_dir=raw_dir, fetches=fetches, crawl=crawl)
    checkpoint.clear()
    log.info(
        "%s: %d ads landed (%s) in %.1fs; window %s; %d pages, %d ids read twice, %d reposts by dedup key, "
        "skipped outside window: %s; rate-limit waits %.1fs; %d requests in flight at most",
        board,
        len(records),
        result.status,
        time.monotonic() - started,
        window,
        pages,
        repeated,
        duplicates,
        dict(skipped) or "none",
        adapter.limiter.waited,
        adapter.concurrency,
    )
    return result
