"""Which adapter reads a board: the board's `kind` in the sources config → its `BoardAdapter` class.

Adding a kind of board: write the adapter module (a `BoardAdapter` subclass with `iter_pages`) and add
one line here. A board of an existing kind needs no code, only its block in the sources config."""

from __future__ import annotations

from extractors.errors import SourceError
from extractors.job_boards.base import BoardAdapter
from extractors.job_boards.rencai import HtmlListingAdapter
from extractors.job_boards.zhaopin import JsonApiAdapter

ADAPTERS: dict[str, type[BoardAdapter]] = {
    "html_listing": HtmlListingAdapter,
    "json_api": JsonApiAdapter,
}


def adapter_for(kind: str) -> type[BoardAdapter]:
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise SourceError(
            f"no job-board adapter of kind {kind!r} (known: {', '.join(sorted(ADAPTERS))})", field="kind"
        ) from None
