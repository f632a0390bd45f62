"""The interface every job-board adapter implements, and the registry that picks one by `kind`.

An adapter only fetches and reads a board into raw ad dicts (RAW_FIELDS); normalising, scrubbing
and landing are shared (`extractors.job_boards.extract_board`), so a new board is one small class."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from extractors.errors import SourceError
from extractors.http import HttpClient
from extractors.job_boards.normalize import RAW_FIELDS

REGISTRY: dict[str, type[BoardAdapter]] = {}


def register(cls: type[BoardAdapter]) -> type[BoardAdapter]:
    """Class decorator: make an adapter available under its `kind` in the sources config."""
    REGISTRY[cls.kind] = cls
    return cls


def adapter_for(kind: str) -> type[BoardAdapter]:
    # Importing the adapter modules registers them.
    from extractors.job_boards import rencai, zhaopin  # noqa: F401

    try:
        return REGISTRY[kind]
    except KeyError:
        raise SourceError(
            f"no job-board adapter of kind {kind!r} (known: {', '.join(sorted(REGISTRY))})", field="kind"
        ) from None


class BoardAdapter:
    """Reads one board. Subclasses set `kind` and implement `iter_records`.

    `name` is the board's key in the sources config (it becomes the records' `source`), `settings`
    that board's config block (with absolute `url`), `client` the HttpClient whose fetch log goes
    into the landing manifest."""

    kind: ClassVar[str] = ""

    def __init__(self, name: str, settings: dict, client: HttpClient) -> None:
        self.name = name
        self.settings = settings
        self.client = client
        self.url = settings.get("url")
        if not self.url:
            raise SourceError(f"job board {name!r} has no url in the sources config", field="url")

    def iter_records(self) -> Iterator[dict]:
        """Yield one raw dict per ad with exactly RAW_FIELDS (missing values as None)."""
        raise NotImplementedError

    def raw_record(self, **fields: object) -> dict:
        rec = {field: fields.get(field) for field in RAW_FIELDS}
        rec["source"] = self.name
        return rec
