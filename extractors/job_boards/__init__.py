"""Job boards: one adapter per board `kind`, shared normalise → scrub → land.

`extract_board(board, config, partition, raw_dir)` reads `config["job_boards"][board]`, lets the
adapter registered for its `kind` read every ad, normalises each (`normalize.normalize_ad`), masks
personal data in every free-text field (`extractors.privacy.scrub`) and lands source
`job_board_<board>`. No page bytes are stored: job pages carry recruiters' contact details."""

from __future__ import annotations

import logging
import time

from extractors.errors import SourceError
from extractors.http import HttpClient
from extractors.job_boards.base import RAW_FIELDS, REGISTRY, BoardAdapter, adapter_for, register
from extractors.job_boards.normalize import normalize_ad
from extractors.landing import LandingResult, land
from extractors.privacy import scrub

__all__ = ["RAW_FIELDS", "REGISTRY", "BoardAdapter", "adapter_for", "extract_board", "register", "scrub_ad"]

log = logging.getLogger("extractors.job_boards")

# Free text that a recruiter typed; identifiers, URLs and dates are not scrubbed (masking a digit run
# in a source_id would break lineage, and they carry no personal data).
FREE_TEXT_FIELDS = ("title", "company", "salary", "education", "experience", "location", "description")


def scrub_ad(raw: dict) -> dict:
    """A copy of a raw ad with personal data masked in every free-text field."""
    out = dict(raw)
    for field in FREE_TEXT_FIELDS:
        if isinstance(out.get(field), str):
            out[field] = scrub(out[field])
    return out


def extract_board(
    board: str, config: dict, partition: str, raw_dir, *, client: HttpClient | None = None
) -> LandingResult:
    """Read every ad of `board`, normalise, scrub and land it as source `job_board_<board>`."""
    boards = config.get("job_boards") or {}
    if board not in boards:
        raise SourceError(
            f"job board {board!r} is not in the sources config (have: {', '.join(sorted(boards))})",
            where=config.get("config_path"),
            field="job_boards",
        )
    settings = boards[board]
    adapter_cls = adapter_for(settings.get("kind", ""))
    client = client or HttpClient.from_config(config)
    adapter = adapter_cls(board, settings, client)

    started = time.monotonic()
    records = []
    for raw in adapter.iter_records():
        # Scrub before normalising: the dedup key and industry must never be derived from, or
        # leak, a phone number that sat in a title.
        records.append(normalize_ad(scrub_ad(raw)))
    if not records and not settings.get("allow_empty", False):
        raise SourceError(f"job board {board!r} yielded no ads (layout change?)", where=adapter.url)
    # Sorted by id so the landing's sha depends on the ads, not on the board's display order.
    records.sort(key=lambda r: (r.get("source_id") is None, r.get("source_id") or "", r.get("url") or ""))
    log.info("%s: %d ads read in %.1fs", board, len(records), time.monotonic() - started)
    return land(f"job_board_{board}", partition, records, raw_dir=raw_dir, fetches=client.fetch_log)
