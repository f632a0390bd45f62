"""Run a function over blocks of a text stream's lines, in worker processes, results in input order:
how `talent postings normalize` uses both cores on a large file (`normalize_jsonl(..., workers=n)`)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import IO, TypeVar

T = TypeVar("T")
BLOCK_LINES = 1000


def in_blocks(
    stream: IO[str], fn: Callable[[int, list[str], str], T], name: str, workers: int = 1
) -> Iterator[T]:
    """fn(first_line_number, lines, name) over the stream's lines: line by line when `workers` is 1
    (a pipe's output keeps pace with its input), else over blocks of BLOCK_LINES in that many
    processes, yielded in input order."""
    if workers <= 1:
        for number, line in enumerate(stream, start=1):
            yield fn(number, [line], name)
        return
    # fork: the workers start with whatever the parent loaded (vocabularies, caches); at most two
    # blocks a worker are in flight, so memory stays flat however long the file
    pending: deque = deque()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for first, block in _blocks(stream):
            pending.append(pool.submit(fn, first, block, name))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _blocks(stream: IO[str]) -> Iterator[tuple[int, list[str]]]:
    block: list[str] = []
    first = 1
    for number, line in enumerate(stream, start=1):
        block.append(line)
        if len(block) == BLOCK_LINES:
            yield first, block
            block, first = [], number + 1
    if block:
        yield first, block
