"""`talent extract`: one source's extract and landing checks by hand, as its DAG task runs them.

For the engineer who changed a board's config or was told a source looks wrong: the same functions
the ingest DAGs call (talent.tasks), the same raw tree and quarantine, one answer. With --json the
answer is one object a script can read; the exit status is non-zero when anything failed."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

STATUSES = {"landed": "landed", "new_vintage": "landed", "unchanged": "unchanged", "nothing_new": "unchanged"}


def _date(value: str) -> str:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def add_parser(sub) -> None:
    extract = sub.add_parser(
        "extract",
        help="run one source's extract and landing checks by hand",
        description="Extract one source into the raw tree (warehouse/raw/<source>/<date>/…) and run its "
        "expectation suite, exactly as the ingest DAG's tasks do. Prints what landed, what was accepted "
        "and quarantined, and where; exit status 1 when the extract or its checks failed.",
    )
    kinds = extract.add_subparsers(dest="extract_kind", required=True, metavar="SOURCE")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", type=Path, help="sources config (default: config/sources.yml or $TALENT_SOURCES_CONFIG)"
    )
    common.add_argument("--date", type=_date, help="partition date YYYY-MM-DD (default: today, UTC)")
    common.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    board = kinds.add_parser("job-board", parents=[common], help="one job board from the config")
    board.add_argument("name", metavar="NAME", help="the board's name in the config, e.g. zhaopin")
    kinds.add_parser("bulletins", parents=[common], help="the statistics bulletins (统计公报)")
    kinds.add_parser("schools", parents=[common], help="the school records (feeds and the inbox)")
    extract.set_defaults(func=cmd_extract)


def _extract(args, partition: str) -> dict:
    from talent import tasks

    if args.extract_kind == "job-board":
        boards = tasks.list_job_boards()
        if args.name not in boards:
            raise ValueError(
                f"no job board named {args.name!r} in the config; configured: {', '.join(boards)}"
            )
        return tasks.extract_job_board(args.name, partition)
    if args.extract_kind == "bulletins":
        return tasks.extract_bulletins(partition)
    return tasks.extract_schools(partition)


def run_extract(args) -> dict:
    """Extract, then validate what landed; every failure becomes part of the answer, not a traceback."""
    from expectations import ValidationFailed
    from extractors.errors import SourceError
    from talent import tasks

    if args.config:
        os.environ["TALENT_SOURCES_CONFIG"] = str(args.config.resolve())
    partition = args.date or datetime.now(UTC).date().isoformat()
    source = f"job_board_{args.name}" if args.extract_kind == "job-board" else args.extract_kind
    answer = {
        "source": source,
        "status": "failed",
        "rows": 0,
        "accepted": 0,
        "quarantined": 0,
        "path": None,
        "errors": [],
    }
    try:
        landing = _extract(args, partition)
    except (SourceError, OSError, ValueError, RuntimeError) as exc:
        answer["errors"].append(f"{type(exc).__name__}: {exc}")
        return answer
    answer.update(
        source=landing.get("source", source), rows=landing.get("rows", 0), path=landing.get("path") or None
    )
    answer["status"] = STATUSES.get(landing.get("status"), landing.get("status"))
    if not answer["path"]:
        return answer
    try:
        checked = tasks.validate_landing(landing)
    except ValidationFailed as exc:
        answer["status"] = "failed"
        answer["errors"].append(str(exc))
        if exc.summary is not None:
            answer.update(accepted=exc.summary.accepted, quarantined=exc.summary.quarantined)
        return answer
    answer.update(accepted=checked.get("accepted", 0), quarantined=checked.get("quarantined", 0))
    return answer


def cmd_extract(args) -> int:
    answer = run_extract(args)
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        print(f"{answer['source']}: {answer['status']}")
        print(f"  rows {answer['rows']}, accepted {answer['accepted']}, quarantined {answer['quarantined']}")
        if answer["path"]:
            print(f"  landing: {answer['path']}")
        for error in answer["errors"]:
            print(f"  error: {error}", file=sys.stderr)
    return 1 if answer["status"] == "failed" else 0
