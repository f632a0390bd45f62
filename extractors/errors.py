"""The one exception extractors raise on bad input.

A `SourceError` must let whoever reads the Airflow log find the problem without a debugger, so it
carries the URL or file, and the row and field when the extractor knows them, in its message."""

from __future__ import annotations


class SourceError(Exception):
    """A source could not be fetched or did not look the way the extractor expects.

    `where` is the URL or file; `row` (1-based) and `field` narrow it down when known."""

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = message
        self.where = where
        self.row = row
        self.field = field
        parts = [message]
        if where:
            parts.append(f"source={where}")
        if row is not None:
            parts.append(f"row={row}")
        if field:
            parts.append(f"field={field}")
        super().__init__("; ".join(parts))
