"""One Great Expectations suite per landed source (contract section 3).

Each suite module defines `SUITE_NAME`, `COLUMNS` (record field -> DuckDB type from contract
section 4; `talent.load` reads its table types from here too, so there is one source of truth)
and `checks() -> list[Check]`; optionally `derive(frame)` adds helper columns that some
expectations need (e.g. the sum of placements). Modules import GX only inside functions.
"""

from __future__ import annotations

import importlib
from types import ModuleType

# Both job boards land the same record shape, so they share one suite.
SUITE_FOR_SOURCE: dict[str, str] = {
    "bulletins": "bulletins",
    "job_board_zhaopin": "job_board",
    "job_board_rencai": "job_board",
    "school_records": "school_records",
}


def suite_module(source: str) -> ModuleType:
    """The suite module that validates landings of `source`."""
    try:
        # Every job board lands the same shape: a board added in the sources config needs no entry.
        name = "job_board" if source.startswith("job_board_") else SUITE_FOR_SOURCE[source]
    except KeyError:
        known = ", ".join(sorted(SUITE_FOR_SOURCE))
        raise ValueError(f"no expectation suite for source {source!r} (known: {known})") from None
    return importlib.import_module(f"expectations.suites.{name}")
