"""Speed and memory of each stage on a generated sample of a chosen size.

Kept out of the test suite on purpose: timings depend on the machine, so they are measured and
reported here, not asserted. Usage:

    .venv/bin/python scripts/benchmark.py [--postings 20000] [--keep DIR]

Prints one line a stage (seconds, rows, rows/s, peak RSS of this process) and a JSON summary."""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import tempfile
import time
from pathlib import Path


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stopwatch:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def measure(self, stage: str, func, count=None):
        started = time.perf_counter()
        result = func()
        seconds = time.perf_counter() - started
        rows = count(result) if count else None
        row = {
            "stage": stage,
            "seconds": round(seconds, 2),
            "rows": rows,
            "peak_rss_mb": round(peak_rss_mb()),
        }
        if rows:
            row["rows_per_second"] = round(rows / seconds) if seconds else None
        self.rows.append(row)
        rate = f"  {row.get('rows_per_second', ''):>8} rows/s" if rows else ""
        print(f"{stage:<28} {seconds:8.2f}s  {rows or '':>9}{rate}  peak {row['peak_rss_mb']} MB", flush=True)
        return result


def dag_parse_seconds() -> dict[str, float]:
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.models.dagbag import DagBag

    root = Path(__file__).resolve().parent.parent
    bag = DagBag(str(root / "dags"))
    return {stat.file: round(stat.duration.total_seconds(), 4) for stat in bag.dagbag_stats}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postings", type=int, default=20000, help="job-board items to generate (default 20000)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temp folder, removed)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="talent-bench-"))
    os.environ["TALENT_WAREHOUSE_DIR"] = str(work / "warehouse")
    os.environ.pop("TALENT_DUCKDB_PATH", None)

    from expectations import validate_landing
    from extractors.config import load_sources_config
    from extractors.job_boards import extract_board
    from sample_sources.generate import generate_site
    from sample_sources.server import serve_in_thread
    from talent import tasks
    from talent.settings import get_settings

    settings = get_settings()
    watch = Stopwatch()
    print(f"benchmark: {args.postings} postings in {work}")
    parse = dag_parse_seconds()
    print(f"{'DAG parse (slowest file)':<28} {max(parse.values()):8.4f}s")

    watch.measure(
        "generate sample site",
        lambda: generate_site(settings.sample_site_dir, seed=args.seed, postings=args.postings),
        count=lambda truth: truth["postings"]["zhaopin"] + truth["postings"]["rencai"],
    )
    server, base_url = serve_in_thread(settings.sample_site_dir)
    try:
        config = load_sources_config(settings.sources_config, base_url=base_url)
        landings = {}
        for board in sorted(config["job_boards"]):
            landings[board] = watch.measure(
                f"extract {board}",
                lambda board=board: extract_board(board, config, "2026-11-01", settings.raw_dir),
                count=lambda result: result.rows,
            )
        for board, landing in landings.items():
            watch.measure(
                f"validate {board}",
                lambda landing=landing: validate_landing(
                    Path(landing.path), quarantine_dir=settings.quarantine_dir
                ),
                count=lambda summary: summary.rows,
            )
    finally:
        server.shutdown()
    watch.measure("load raw into duckdb", tasks.load_raw, count=lambda tables: sum(tables.values()))
    watch.measure("dbt build", tasks.dbt_build)
    print(json.dumps({"postings": args.postings, "dag_parse_seconds": parse, "stages": watch.rows}, indent=2))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
