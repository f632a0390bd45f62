"""Measure the job-board pipeline: dedup precision/recall against the sample generator's answer key,
classifier precision/recall on the hand-labelled evaluation set, and the normaliser's throughput.

    .venv/bin/python scripts/evaluate_job_boards.py                       # seed 42, 3000 postings
    .venv/bin/python scripts/evaluate_job_boards.py --seed 1 --postings 20000 --json out.json

Dedup runs the real path in a temporary warehouse: generate and serve the sample site, extract both
boards over HTTP, validate (Great Expectations), load DuckDB, `dbt build`, then compare the vacancy
each posting was assigned to (intermediate.int_postings_near_duplicates_flagged) with the ad the
generator made it a copy of (`_data/postings_truth.jsonl`). Pairwise: a pair of postings is a true
positive when both say "same vacancy". Kept out of the test suite on purpose (timings vary by machine);
the tests assert the thresholds."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from talent.bench.stages import pairwise  # noqa: E402  (one definition, shared with talent bench)

EVAL_SET = ROOT / "tests" / "fixtures" / "postings_eval.jsonl"
# Ads written and labelled for issue 12 before the vocabulary was grown for it, and never read while
# tuning: the honest figure. Labelled for place, industry and occupation only.
HOLDOUT_SET = ROOT / "tests" / "fixtures" / "postings_holdout.jsonl"
# Fields of the evaluation set: scalar ones compared as values (None = "no label / not found"),
# skills as sets of (ad, skill) pairs.
SCALAR_FIELDS = (
    "county",
    "in_region",
    "industry",
    "occupation_code",
    "education_level",
    "experience_min_years",
    "experience_max_years",
    "salary_min",
    "salary_max",
    "salary_months",
    "salary_negotiable",
)
# For these a value is a "positive" prediction; the rest count every value (False/0 included).
NULL_IS_NEGATIVE = {"industry": "其他", "occupation_code": "unclassified", "salary_negotiable": False}
# The explicit "no occupation" code and a missing one are the same answer (labels written before
# the normaliser gave the code say null).
UNCLASSIFIED = "unclassified"


def _comparable(field: str, value):
    return UNCLASSIFIED if field == "occupation_code" and value is None else value


def evaluate_dedup(seed: int, postings: int, work: Path) -> dict:
    os.environ["TALENT_WAREHOUSE_DIR"] = str(work / "warehouse")
    os.environ.pop("TALENT_DUCKDB_PATH", None)
    import duckdb

    from expectations import validate_landing
    from extractors.config import load_sources_config
    from extractors.job_boards import extract_board
    from sample_sources.generate import generate_site
    from sample_sources.server import serve_in_thread
    from talent.load import load_raw
    from talent.settings import get_settings

    settings = get_settings()
    site = work / "site"
    truth = generate_site(site, seed=seed, postings=postings)
    server, base_url = serve_in_thread(site)
    timings = {}
    try:
        config = load_sources_config(ROOT / "config" / "sources.yml", base_url=base_url)
        for board in ("zhaopin", "rencai"):
            config["job_boards"][board]["rate_limit_per_second"] = None  # measuring us, not politeness
        started = time.perf_counter()
        landings = [extract_board(b, config, "2026-11-02", settings.raw_dir) for b in ("zhaopin", "rencai")]
        timings["extract_seconds"] = round(time.perf_counter() - started, 2)
    finally:
        server.shutdown()
    started = time.perf_counter()
    validations = [validate_landing(Path(x.path), quarantine_dir=settings.quarantine_dir) for x in landings]
    timings["validate_seconds"] = round(time.perf_counter() - started, 2)
    load_raw(settings.duckdb_path, settings.raw_dir)
    started = time.perf_counter()
    env = dict(
        os.environ, TALENT_DUCKDB_PATH=str(settings.duckdb_path), DBT_SEND_ANONYMOUS_USAGE_STATS="false"
    )
    env.update(DBT_TARGET_PATH=str(work / "dbt_target"), DBT_LOG_PATH=str(work / "dbt_logs"))
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(ROOT / "dbt_project"),
            "--profiles-dir",
            str(ROOT / "dbt_project"),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    timings["dbt_build_seconds"] = round(time.perf_counter() - started, 2)
    if proc.returncode != 0:
        raise SystemExit(f"dbt build failed:\n{proc.stdout[-4000:]}")

    answer = {}
    with open(site / truth["postings"]["truth_file"], encoding="utf-8") as handle:
        for line in handle:
            t = json.loads(line)
            answer[t["id"]] = t
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        rows = con.execute(
            "select s.source_id, f.exact_key, f.dedup_key from intermediate.int_postings_near_duplicates_flagged f "
            "join staging.stg_job_boards__postings s using (posting_id)"
        ).fetchall()
        by_month = dict(
            con.execute(
                "select strftime(month, '%Y-%m'), sum(postings) from marts.talent_demand_monthly group by 1"
            ).fetchall()
        )
        unique_total = con.execute("select count(*) from marts.job_postings").fetchone()[0]
    loaded = {sid for sid, _, _ in rows}
    malformed = {i for i, t in answer.items() if t["malformed"]}
    good = {sid: answer[sid] for sid in loaded if sid in answer and not answer[sid]["malformed"]}
    truth_of = {sid: t["ad"] for sid, t in good.items()}
    exact = {sid: key for sid, key, _ in rows if sid in good}
    final = {sid: key for sid, _, key in rows if sid in good}

    # Recall of the near-duplicate step alone: true pairs the exact key splits, how many it joins.
    split_pairs = joined = 0
    by_ad = defaultdict(list)
    for sid in good:
        by_ad[truth_of[sid]].append(sid)
    for members in by_ad.values():
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if exact[a] != exact[b]:
                    split_pairs += 1
                    joined += final[a] == final[b]
    variants = Counter(t["variant"] for t in good.values() if t["variant"])
    expected_by_month = {m: n for m, n in truth["postings"]["unique_in_region_by_month"].items() if n}
    return {
        "seed": seed,
        "postings": postings,
        "items_landed": sum(x.rows for x in landings),
        "items_quarantined": sum(v.quarantined for v in validations),
        "malformed_in_truth": len(malformed),
        "malformed_quarantined": len(malformed - loaded),
        "exact_only": pairwise(exact, truth_of),
        "exact_then_near_duplicates": pairwise(final, truth_of),
        "near_duplicate_step": {"true_pairs_split_by_exact_key": split_pairs, "joined": joined},
        "copy_variants": dict(sorted(variants.items())),
        "unique_vacancies": {"warehouse": unique_total, "truth": truth["postings"]["unique_total"]},
        "in_region_by_month_equal_truth": by_month == expected_by_month,
        "timings": timings,
    }


def _positive(field: str, value) -> bool:
    if value is None:
        return False
    return value != NULL_IS_NEGATIVE.get(field, object())


def evaluate_classifiers(path: Path = EVAL_SET) -> dict:
    """Per field: precision = correct positive predictions / positive predictions, recall = correct
    positive predictions / positive labels ("positive" = a value other than null, 其他 for industry,
    false for salary_negotiable); plus plain accuracy over all ads."""
    from extractors.job_boards.normalize import process_ad

    ads = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out: dict[str, dict] = {}
    predictions = [process_ad(ad) for ad in ads]
    # a set labels only some fields (the holdout: place, industry, occupation)
    for field in (f for f in SCALAR_FIELDS if f in ads[0]["labels"]):
        tp = pred_pos = label_pos = correct = 0
        for ad, pred in zip(ads, predictions, strict=True):
            label, got = _comparable(field, ad["labels"][field]), _comparable(field, pred[field])
            if isinstance(label, float) or isinstance(got, float):
                same = label is not None and got is not None and abs(float(label) - float(got)) < 0.011
            else:
                same = label == got
            correct += same
            pred_pos += _positive(field, got)
            label_pos += _positive(field, label)
            tp += same and _positive(field, got)
        out[field] = {
            "precision": round(tp / pred_pos, 4) if pred_pos else None,
            "recall": round(tp / label_pos, 4) if label_pos else None,
            "accuracy": round(correct / len(ads), 4),
            "labelled": label_pos,
        }
    if "skills" not in ads[0]["labels"]:
        return {"set": path.name, "ads": len(ads), "fields": out}
    tp = pred_pos = label_pos = 0
    for ad, pred in zip(ads, predictions, strict=True):
        labels, got = set(ad["labels"]["skills"]), set(pred["skills"])
        tp += len(labels & got)
        pred_pos += len(got)
        label_pos += len(labels)
    out["skills"] = {
        "precision": round(tp / pred_pos, 4) if pred_pos else None,
        "recall": round(tp / label_pos, 4) if label_pos else None,
        "labelled": label_pos,
    }
    return {"set": path.name, "ads": len(ads), "fields": out}


def mistakes(path: Path = EVAL_SET, fields=("county", "industry", "occupation_code")) -> list[str]:
    """Lines describing every disagreement on `fields` (to read when a number drops)."""
    from extractors.job_boards.normalize import process_ad

    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        ad = json.loads(line)
        pred = process_ad(ad)
        for field in fields:
            if _comparable(field, pred[field]) != _comparable(field, ad["labels"][field]):
                lines.append(
                    f"{ad['id']} {field}: label {ad['labels'][field]!r} got {pred[field]!r} — {ad['title']} / {ad['company']}"
                )
    return lines


def throughput(ads: int) -> dict:
    """Ads per second through `normalize_jsonl` (parse, scrub, normalise, classify, serialise), on
    the evaluation set's ads repeated to `ads` lines."""
    from extractors.job_boards.normalize import normalize_jsonl

    base = [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    for ad in base:
        ad.pop("labels", None)
    lines = [json.dumps(base[i % len(base)], ensure_ascii=False) for i in range(ads)]
    source = io.StringIO("\n".join(lines) + "\n")
    sink = io.StringIO()
    stats = normalize_jsonl(source, sink, name="<benchmark>")
    return {"ads": stats["records"], "seconds": stats["seconds"], "ads_per_second": stats["ads_per_second"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--postings", type=int, default=3000)
    parser.add_argument("--throughput-ads", type=int, default=20000)
    parser.add_argument("--skip-dedup", action="store_true", help="only the classifiers and throughput")
    parser.add_argument("--show-mistakes", action="store_true")
    parser.add_argument(
        "--holdout",
        action="store_true",
        help="only the classifiers on the holdout set (tests/fixtures/postings_holdout.jsonl)",
    )
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    if args.holdout:
        report = {"holdout": evaluate_classifiers(HOLDOUT_SET)}
        print(json.dumps(report, ensure_ascii=False, indent=2))
        if args.show_mistakes:
            print("\n".join(mistakes(HOLDOUT_SET)))
        if args.json:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return 0
    report = {"classifiers": evaluate_classifiers(), "throughput": throughput(args.throughput_ads)}
    if not args.skip_dedup:
        with tempfile.TemporaryDirectory(prefix="talent-eval-") as tmp:
            report["dedup"] = evaluate_dedup(args.seed, args.postings, Path(tmp))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.show_mistakes:
        print("\n".join(mistakes()))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
