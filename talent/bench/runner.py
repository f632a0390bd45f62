"""Run the stages in order, each in a child process, and print a table or one JSON object."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from talent.bench.stage import RESULT_MARKER
from talent.bench.stages import PARTITION

BOARDS = ("zhaopin", "rencai")


class StageFailed(RuntimeError):
    pass


def run_stage(name: str, work: Path, params: dict, *, label: str | None = None) -> dict:
    label = label or name
    print(f"· {label} …", file=sys.stderr, flush=True)
    env = dict(os.environ, TALENT_WAREHOUSE_DIR=str(work / "warehouse"))
    # The forecast panel may use every core here (in Airflow tasks it runs in one process).
    env.setdefault("TALENT_FORECAST_JOBS", "auto")
    # Everything the stage writes stays in the work folder, dbt's target/ and logs included.
    for variable in ("TALENT_DUCKDB_PATH", "DBT_TARGET_PATH", "DBT_LOG_PATH"):
        env.pop(variable, None)
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "talent.bench.stage", name, str(work), json.dumps(params)],
        env=env,
        capture_output=True,
        text=True,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith(RESULT_MARKER)]
    if proc.returncode != 0 or not lines:
        raise StageFailed(f"stage {label} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    result = json.loads(lines[-1][len(RESULT_MARKER) :])
    result["wall_s"] = round(time.perf_counter() - started, 3)
    print(
        f"  {label}: {result.get('seconds', '?')} s, peak {result['peak_rss_mb']} MB",
        file=sys.stderr,
        flush=True,
    )
    return result


def machine() -> dict:
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gb": memory,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


# The stages an incremental day is timed by (after its ads are on the boards): what the daily DAG
# runs before publishing.
DAY_STAGES = ("ingest_zhaopin", "ingest_rencai", "validate", "load", "dbt_build", "forecast")


def bench(
    postings: int,
    seed: int,
    work: Path,
    *,
    forecast_series: int,
    normalize_ads: int,
    day_ads: int = 0,
    boards: tuple[str, ...] = BOARDS,
) -> dict:
    stages: dict[str, dict] = {}
    stages["generate"] = run_stage("generate", work, {"seed": seed, "postings": postings})
    for board in boards:
        stages[f"ingest_{board}"] = run_stage("ingest", work, {"board": board}, label=f"ingest {board}")
    paths = [stages[f"ingest_{board}"]["path"] for board in boards]
    stages["validate"] = run_stage("validate", work, {"paths": paths})
    stages["load"] = run_stage("load", work, {})
    stages["normalize"] = run_stage("normalize", work, {"ads": normalize_ads})
    stages["dbt_build"] = run_stage("dbt_build", work, {})
    stages["bare_duckdb"] = run_stage("bare_duckdb", work, {})
    stages["dedup_quality"] = run_stage(
        "dedup_quality", work, {"truth_file": stages["generate"]["truth_file"]}
    )
    stages["forecast"] = run_stage("forecast", work, {"series": forecast_series})
    day = incremental_day(work, stages, day_ads, forecast_series, boards) if day_ads else None
    return {
        "postings": postings,
        "seed": seed,
        "machine": machine(),
        "ingest_ads_per_s": {
            board: stages[f"ingest_{board}"]["ads_per_s"] if board in boards else None for board in BOARDS
        },
        "normalize_ads_per_s": stages["normalize"]["ads_per_s"],
        "dbt_build_s": stages["dbt_build"]["seconds"],
        "bare_duckdb_s": stages["bare_duckdb"]["seconds"],
        "dbt_to_bare_ratio": round(stages["dbt_build"]["seconds"] / stages["bare_duckdb"]["seconds"], 2)
        if stages["bare_duckdb"]["seconds"]
        else None,
        "incremental_day_s": day["seconds"] if day else None,
        "incremental_day": day,
        "peak_rss_mb": {name: stage["peak_rss_mb"] for name, stage in stages.items()},
        "forecast_series": stages["forecast"]["series"],
        "forecast_s": stages["forecast"]["seconds"],
        "dedup_precision": stages["dedup_quality"]["precision"],
        "dedup_recall": stages["dedup_quality"]["recall"],
        "stages": stages,
    }


def incremental_day(
    work: Path, stages: dict, ads: int, forecast_series: int, boards: tuple[str, ...]
) -> dict:
    """Append a day of `ads` new ads to the built site and time what the daily DAG does with them;
    the day's stages go into `stages` as `day_<stage>`."""
    added = stages["day_append"] = run_stage("append_day", work, {"ads": ads}, label="day: append ads")
    # The run for the day after the new one (and after the full build's run, or that build's
    # landings would not count for the high-water mark), so its window starts with the new day.
    after = max(date.fromisoformat(added["day"]), date.fromisoformat(PARTITION))
    partition = (after + timedelta(days=1)).isoformat()
    day: dict[str, dict] = {}
    for board in boards:
        day[f"ingest_{board}"] = run_stage(
            "ingest", work, {"board": board, "partition": partition}, label=f"day: ingest {board}"
        )
    paths = [day[f"ingest_{board}"]["path"] for board in boards]
    day["validate"] = run_stage("validate", work, {"paths": paths}, label="day: validate")
    day["load"] = run_stage("load", work, {}, label="day: load")
    day["dbt_build"] = run_stage("dbt_build", work, {}, label="day: dbt build")
    day["forecast"] = run_stage("forecast", work, {"series": forecast_series}, label="day: forecast")
    quality = run_stage(
        "dedup_quality", work, {"truth_file": stages["generate"]["truth_file"]}, label="day: dedup quality"
    )
    stages.update({f"day_{name}": stage for name, stage in day.items()})
    stages["day_dedup_quality"] = quality
    return {
        "day": added["day"],
        "ads": added["ads"],
        "seconds": round(sum(day[name]["seconds"] for name in DAY_STAGES if name in day), 3),
        "seconds_by_stage": {name: day[name]["seconds"] for name in DAY_STAGES if name in day},
        "landed": {board: day[f"ingest_{board}"]["ads"] for board in boards},
        "dedup_precision": quality["precision"],
        "dedup_recall": quality["recall"],
    }


def table(result: dict) -> str:
    rows = [("stage", "seconds", "items", "items/s", "peak RSS MB")]
    for name, stage in result["stages"].items():
        items = stage.get("ads") or stage.get("rows") or stage.get("series") or stage.get("models") or ""
        rate = stage.get("ads_per_s") or ""
        rows.append((name, str(stage.get("seconds", "")), str(items), str(rate), str(stage["peak_rss_mb"])))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    ratio = result["dbt_to_bare_ratio"]
    lines += [
        "",
        f"postings {result['postings']} (seed {result['seed']}) on {result['machine']['cpus']} CPUs, "
        f"{result['machine']['memory_gb']} GB",
        f"dbt build {result['dbt_build_s']} s vs bare DuckDB {result['bare_duckdb_s']} s (× {ratio})",
        f"dedup precision {result['dedup_precision']} recall {result['dedup_recall']}",
        f"forecast {result['forecast_series']} series in {result['forecast_s']} s",
    ]
    day = result["incremental_day"]
    if day:
        lines.append(
            f"incremental day {day['day']}: {day['ads']} ads, {day['seconds']} s through ingest, checks, "
            f"load, dbt and forecast; dedup precision {day['dedup_precision']} recall {day['dedup_recall']}"
        )
    else:
        lines.append("incremental day: not measured (--day-ads 0)")
    return "\n".join(lines)


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    parser = parser or argparse.ArgumentParser(prog="talent bench")
    parser.description = (
        "Measure every stage (generate, crawl each board, validate, load, normalise, dbt build, the same "
        "models as bare DuckDB SQL, dedup quality, forecast) on a generated sample of N postings. Each "
        "stage runs in its own process; its peak RSS is reported. Timings vary on shared machines: "
        "compare ratios measured in the same run."
    )
    parser.add_argument(
        "--postings", type=int, default=20000, help="job-board items to generate (default 20000)"
    )
    parser.add_argument("--seed", type=int, default=42, help="sample seed (default 42)")
    parser.add_argument(
        "--forecast-series", type=int, default=300, help="series in the forecast panel (default 300)"
    )
    parser.add_argument(
        "--normalize-ads",
        type=int,
        help="ads through the normaliser (default: the number of postings, at most 100000)",
    )
    parser.add_argument(
        "--day-ads",
        type=int,
        help="ads of the incremental day appended after the build, then ingested, checked, loaded, "
        "built and forecast (default: a tenth of the postings, at most 10000; 0 skips the day)",
    )
    # Only the JSON board: a large sample's other stages without the slow HTML crawl (not a target run).
    parser.add_argument("--boards", default=",".join(BOARDS), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--keep", metavar="DIR", help="work in DIR and keep the warehouse, dbt target/ and logs"
    )
    return parser


def main(args: argparse.Namespace) -> int:
    boards = tuple(board for board in args.boards.split(",") if board)
    if not boards or set(boards) - set(BOARDS):
        print(f"talent bench: --boards takes some of {', '.join(BOARDS)}", file=sys.stderr)
        return 2
    work = Path(args.keep).resolve() if args.keep else Path(tempfile.mkdtemp(prefix="talent-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"talent bench: {args.postings} postings in {work}", file=sys.stderr, flush=True)
    try:
        result = bench(
            args.postings,
            args.seed,
            work,
            forecast_series=args.forecast_series,
            normalize_ads=args.normalize_ads or min(args.postings, 100_000),
            day_ads=min(10_000, args.postings // 10) if args.day_ads is None else args.day_ads,
            boards=boards,
        )
    except StageFailed as exc:
        print(f"talent bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else table(result))
    return 0
