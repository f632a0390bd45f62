"""The benchmark's stages. Each takes the work folder and the parameters the runner passes, does the
real thing the pipeline does (no shortcuts that would flatter a number) and returns a small dict.

The warehouse of a benchmark lives in ``<work>/warehouse``: the runner sets TALENT_WAREHOUSE_DIR for
every child before it starts, so these functions use the ordinary settings."""

from __future__ import annotations

import csv
import io
import json
import random
import time
from collections import Counter, defaultdict
from pathlib import Path

# One partition date for the whole benchmark: the sample's months end in 2026-10.
PARTITION = "2026-11-01"
EVAL_SET = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "postings_eval.jsonl"


def _timed(func):
    started = time.perf_counter()
    result = func()
    return result, round(time.perf_counter() - started, 3)


def generate(work: Path, params: dict) -> dict:
    from sample_sources.generate import generate_site

    truth, seconds = _timed(
        lambda: generate_site(work / "site", seed=params["seed"], postings=params["postings"])
    )
    counts = {board: truth["postings"][board] for board in ("zhaopin", "rencai")}
    return {"seconds": seconds, "items": counts, "truth_file": truth["postings"]["truth_file"]}


def ingest(work: Path, params: dict) -> dict:
    """Crawl one board of the served sample over real HTTP, as the ingest DAG does."""
    from extractors.config import load_sources_config
    from extractors.job_boards import extract_board
    from sample_sources.server import serve_in_thread
    from talent.settings import get_settings

    settings = get_settings()
    board = params["board"]
    partition = params.get("partition", PARTITION)
    # A server started for the stage indexes the site as it is now, a day appended included.
    server, base_url = serve_in_thread(work / "site")
    try:
        config = load_sources_config(settings.sources_config, base_url=base_url)
        # The sample server is ours: measure the crawler, not the politeness delay real boards get.
        config["job_boards"][board]["rate_limit_per_second"] = None
        # No data interval and the DAG's checkpoint folder, as talent.tasks.extract_job_board runs
        # it: the window starts after the high-water mark of the earlier partitions' landings.
        landing, seconds = _timed(
            lambda: extract_board(
                board,
                config,
                partition,
                settings.raw_dir,
                checkpoint_dir=settings.warehouse_dir / "state" / "checkpoints",
            )
        )
    finally:
        server.shutdown()
    return {
        "board": board,
        "partition": partition,
        "seconds": seconds,
        "ads": landing.rows,
        "ads_per_s": round(landing.rows / seconds, 1) if seconds else None,
        "path": str(landing.path),
    }


def append_day(work: Path, params: dict) -> dict:
    """One more day of ads on the generated site (sample_sources/increment.py), after its last posting."""
    from sample_sources.increment import append_day as append

    added, seconds = _timed(lambda: append(work / "site", ads=params["ads"]))
    return {"seconds": seconds, "day": added["day"], "ads": added["items"], "new_ads": added["new_ads"]}


def validate(work: Path, params: dict) -> dict:
    from expectations import validate_landing
    from talent.settings import get_settings

    settings = get_settings()
    started = time.perf_counter()
    rows = quarantined = 0
    for path in filter(None, params["paths"]):  # "" is a board with nothing new
        summary = validate_landing(Path(path), quarantine_dir=settings.quarantine_dir)
        rows += summary.rows
        quarantined += summary.quarantined
    return {"seconds": round(time.perf_counter() - started, 3), "rows": rows, "quarantined": quarantined}


def load(work: Path, params: dict) -> dict:
    from talent.load import load_raw
    from talent.settings import get_settings

    settings = get_settings()
    tables, seconds = _timed(lambda: load_raw(settings.duckdb_path, settings.raw_dir))
    return {"seconds": seconds, "rows": sum(tables.values())}


def normalize(work: Path, params: dict) -> dict:
    """`talent postings normalize` on a file: the evaluation set's ads repeated to the asked number."""
    from extractors.job_boards.normalize import normalize_jsonl

    base = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    for ad in base:
        ad.pop("labels", None)
    count = params["ads"]
    source = io.StringIO(
        "".join(json.dumps(base[i % len(base)], ensure_ascii=False) + "\n" for i in range(count))
    )
    started = time.perf_counter()
    stats = normalize_jsonl(source, io.StringIO(), name="<bench>")
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 3),
        "ads": stats["records"],
        "ads_per_s": round(stats["records"] / seconds, 1),
    }


def dbt_build(work: Path, params: dict) -> dict:
    """The transform's dbt build (every model but the forecast's), with its tests, as the DAG runs it."""
    from talent.dbt import run_dbt
    from talent.tasks import FORECAST_MODELS

    result, seconds = _timed(lambda: run_dbt(["build", "--exclude", FORECAST_MODELS]))
    return {"seconds": seconds, "summary": result["summary"]}


def bare_duckdb(work: Path, params: dict) -> dict:
    from talent.bench.bare import run_bare
    from talent.settings import get_settings

    settings = get_settings()
    return run_bare(settings.duckdb_path, settings.warehouse_dir / "dbt" / "target", work / "bare")


def forecast(work: Path, params: dict) -> dict:
    """Fit and backtest a panel of ``series`` monthly series: the warehouse's own demand series, and
    when more are asked for, copies of them with seeded noise (a province's panel has the same shapes)."""
    from talent.forecast import evaluate_csv
    from talent.forecast.pipeline import export_series_csv
    from talent.settings import get_settings

    settings = get_settings()
    exported = work / "series.csv"
    export_series_csv(settings.duckdb_path, exported)
    with open(exported, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_series: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for row in rows:
        by_series[row["series_id"]].append((row["month"], float(row["value"])))
    wanted = params["series"]
    names = sorted(by_series)
    rng = random.Random(7)
    panel = work / "panel.csv"
    with open(panel, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["series_id", "month", "value"])
        for i in range(wanted):
            name = names[i % len(names)]
            scale = 1.0 if i < len(names) else rng.uniform(0.5, 2.0)
            for month, value in by_series[name]:
                noisy = value * scale * (1.0 if i < len(names) else rng.uniform(0.85, 1.15))
                writer.writerow([f"{name}#{i}", month, round(noisy, 2)])
    result, seconds = _timed(lambda: evaluate_csv(panel, horizon=12))
    return {"seconds": seconds, "series": wanted, "mase_chosen_mean": result.get("mase_chosen_mean")}


def dedup_quality(work: Path, params: dict) -> dict:
    """Pairwise precision and recall of the warehouse's vacancy clusters against the generator's truth."""
    import duckdb

    from talent.settings import get_settings

    started = time.perf_counter()
    answer = {}
    with open(work / "site" / params["truth_file"], encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if not item["malformed"]:
                answer[item["id"]] = item["ad"]
    with duckdb.connect(str(get_settings().duckdb_path), read_only=True) as con:
        rows = con.execute(
            "select s.source_id, f.dedup_key from intermediate.int_postings_near_duplicates_flagged f "
            "join staging.stg_job_boards__postings s using (posting_id)"
        ).fetchall()
    predicted = {sid: key for sid, key in rows if sid in answer}
    quality = pairwise(predicted, {sid: answer[sid] for sid in predicted})
    return {"seconds": round(time.perf_counter() - started, 3), **quality}


def _pairs(sizes) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def pairwise(predicted: dict[str, str], truth: dict[str, int]) -> dict:
    """Pairwise precision/recall of a clustering of items against the true grouping."""
    both = Counter((predicted[i], truth[i]) for i in predicted)
    tp = _pairs(both.values())
    predicted_pairs = _pairs(Counter(predicted.values()).values())
    truth_pairs = _pairs(Counter(truth[i] for i in predicted).values())
    return {
        "true_pairs": truth_pairs,
        "predicted_pairs": predicted_pairs,
        "true_positive_pairs": tp,
        "precision": round(tp / predicted_pairs, 4) if predicted_pairs else None,
        "recall": round(tp / truth_pairs, 4) if truth_pairs else None,
        "clusters": len(set(predicted.values())),
        "true_clusters": len({truth[i] for i in predicted}),
    }


STAGES = {
    "generate": generate,
    "append_day": append_day,
    "ingest": ingest,
    "validate": validate,
    "load": load,
    "normalize": normalize,
    "dbt_build": dbt_build,
    "bare_duckdb": bare_duckdb,
    "forecast": forecast,
    "dedup_quality": dedup_quality,
}
