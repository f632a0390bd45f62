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
from pathlib import Path

from talent.bench.stage import RESULT_MARKER

BOARDS = ("zhaopin", "rencai")


class StageFailed(RuntimeError):
    pass


def run_stage(name: str, work: Path, params: dict, *, label: str | None = None) -> dict:
    label = label or name
    print(f"· {label} …", file=sys.stderr, flush=True)
    env = dict(os.environ, TALENT_WAREHOUSE_DIR=str(work / "warehouse"))
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


def bench(postings: int, seed: int, work: Path, *, forecast_series: int, normalize_ads: int) -> dict:
    stages: dict[str, dict] = {}
    stages["generate"] = run_stage("generate", work, {"seed": seed, "postings": postings})
    for board in BOARDS:
        stages[f"ingest_{board}"] = run_stage("ingest", work, {"board": board}, label=f"ingest {board}")
    paths = [stages[f"ingest_{board}"]["path"] for board in BOARDS]
    stages["validate"] = run_stage("validate", work, {"paths": paths})
    stages["load"] = run_stage("load", work, {})
    stages["normalize"] = run_stage("normalize", work, {"ads": normalize_ads})
    stages["dbt_build"] = run_stage("dbt_build", work, {})
    stages["bare_duckdb"] = run_stage("bare_duckdb", work, {})
    stages["dedup_quality"] = run_stage(
        "dedup_quality", work, {"truth_file": stages["generate"]["truth_file"]}
    )
    stages["forecast"] = run_stage("forecast", work, {"series": forecast_series})
    return {
        "postings": postings,
        "seed": seed,
        "machine": machine(),
        "ingest_ads_per_s": {board: stages[f"ingest_{board}"]["ads_per_s"] for board in BOARDS},
        "normalize_ads_per_s": stages["normalize"]["ads_per_s"],
        "dbt_build_s": stages["dbt_build"]["seconds"],
        "bare_duckdb_s": stages["bare_duckdb"]["seconds"],
        "dbt_to_bare_ratio": round(stages["dbt_build"]["seconds"] / stages["bare_duckdb"]["seconds"], 2)
        if stages["bare_duckdb"]["seconds"]
        else None,
        # The incremental day needs a sample that can grow by a day of new ads; not measured yet.
        "incremental_day_s": None,
        "peak_rss_mb": {name: stage["peak_rss_mb"] for name, stage in stages.items()},
        "forecast_series": stages["forecast"]["series"],
        "forecast_s": stages["forecast"]["seconds"],
        "dedup_precision": stages["dedup_quality"]["precision"],
        "dedup_recall": stages["dedup_quality"]["recall"],
        "stages": stages,
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
        "incremental day: not measured yet",
    ]
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
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument(
        "--keep", metavar="DIR", help="work in DIR and keep the warehouse, dbt target/ and logs"
    )
    return parser


def main(args: argparse.Namespace) -> int:
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
        )
    except StageFailed as exc:
        print(f"talent bench: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else table(result))
    return 0
