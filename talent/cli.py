"""The `talent` command: the human entry point to the same functions the DAGs call.

Longer than 400 lines on purpose: it is the one table of contents of every command and its --help
text; each `cmd_*` function only parses arguments and calls into the room that does the work."""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path

from talent.settings import get_settings

EPILOG = """\
examples:
  talent run                              whole pipeline on the bundled sample sources
  talent run --no-sample                  whole pipeline on the sources in config/sources.yml
  talent sources serve                    serve the sample site on http://127.0.0.1:8765
  talent publish --month 2026-10          (re)publish one month's report
  talent transform                        load checked landings, run dbt build and the forecast
  talent sql "select * from marts.job_postings limit 5"   query the published snapshot (read-only)
  talent marts                            every mart: rows, key, grain and what it holds
  talent serve postgres --url URL         every mart into PostgreSQL (postgresql://USER@HOST:PORT/DB)
  talent dashboard --port 8050            the 数据驾驶舱 on http://127.0.0.1:8050 (reads the snapshot)
  talent extract job-board zhaopin --json   one source's extract and checks by hand
  talent bench --postings 100000 --json  speed and memory of every stage (docs/benchmarks.md)
  talent docs                             dbt's static docs of the built warehouse -> warehouse/docs/dbt/index.html

environment:
  TALENT_WAREHOUSE_DIR   where raw landings, quarantine, reports and the DuckDB file live (./warehouse)
  TALENT_DUCKDB_PATH     the warehouse database file (<warehouse>/talent.duckdb)
  TALENT_SOURCES_CONFIG  the sources file (config/sources.yml)
  TALENT_SOURCE_BASE_URL overrides base_url in the sources file
  TALENT_AIRFLOW_HOME    Airflow's home for `talent run` (./.airflow)
  TALENT_SERVING_POSTGRES_URL  PostgreSQL the transform DAG serves the marts to (`talent serve postgres`)
"""


AIRFLOW_HELP = """\
talent airflow up [--executor local|celery] [--port P] [--metadata-url URL] [--broker-url URL] [--no-sample]
    api-server, scheduler, dag-processor and triggerer (celery: and a worker) in the foreground, logs in
    warehouse/logs/airflow/; the bundled sample sources served beside them. Ctrl-C stops them all.
    local: SQLite metadata in the project's AIRFLOW_HOME (.airflow/, or TALENT_AIRFLOW_HOME).
    celery: PostgreSQL metadata at 127.0.0.1:5432 (database talent_airflow, created if missing) and
    the Redis broker at 127.0.0.1:6379.
talent airflow init [same options]
    migrate the metadata DB and create what the DAGs need, then exit (idempotent).
talent airflow -- ARGS
    the airflow CLI with the same environment as the last `up`, e.g. `talent airflow -- dags list`.
"""


def _month(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"expected a month as YYYY-MM, got {value!r}")
    return value


def _date(value: str) -> str:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {value!r}")
    return value


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cmd_run(args) -> int:
    from talent.run import PipelineError, run_pipeline

    try:
        result = run_pipeline(
            date=args.date,
            month=args.month,
            sample=not args.no_sample,
            seed=args.seed,
            postings=args.postings,
            end_month=args.end_month,
        )
    except PipelineError as exc:
        print(f"talent run: {exc}", file=sys.stderr)
        return 1
    print()
    print(f"warehouse: {result.warehouse}")
    print(f"report:    {result.report or '(not published)'}")
    print(f"           ({result.month}; took {sum(result.dag_seconds.values()):.0f}s in Airflow)")
    return 0


def cmd_sources_generate(args) -> int:
    from sample_sources.generate import generate_site

    out = Path(args.out) if args.out else get_settings().sample_site_dir
    truth = generate_site(out, seed=args.seed, postings=args.postings, end_month=args.end_month)
    print(f"sample site written to {out}")
    _print_json(truth.get("postings", {}) if not args.verbose_truth else truth)
    return 0


def cmd_sources_serve(args) -> int:
    from extractors.config import load_sources_config
    from sample_sources.server import serve_forever
    from talent.sample import SampleSpec, prepare_sample_site
    from talent.sources_cli import faults_from_args

    settings = get_settings()
    site = Path(args.dir) if args.dir else settings.sample_site_dir
    spec = SampleSpec(args.seed, args.postings, args.end_month)
    if not (site / "truth.json").exists():
        print(f"no sample site in {site}: generating one (seed {args.seed}, {args.postings} postings)")
    # The e-mailed school files go to the warehouse inbox, as `talent run` and `talent airflow up` do.
    config = load_sources_config(settings.sources_config)
    prepare_sample_site(settings, config, spec, site_dir=site, keep_existing=True)
    print(f"serving {site} on http://{args.host}:{args.port} (Ctrl-C stops)")
    try:
        serve_forever(site, args.host, args.port, faults=faults_from_args(args))
    except KeyboardInterrupt:
        pass
    return 0


def cmd_airflow(args) -> int:
    from talent import airflow_stack
    from talent.airflow_env import EXECUTORS

    rest = list(args.airflow_args)
    if rest[:1] == ["--"]:
        return airflow_stack.passthrough(rest[1:])
    action = rest[0] if rest else "up"
    if action not in ("up", "init"):
        return airflow_stack.passthrough(rest)
    opts = argparse.ArgumentParser(prog=f"talent airflow {action}", description=AIRFLOW_HELP)
    opts.add_argument("--executor", choices=sorted(EXECUTORS), default="local")
    opts.add_argument("--port", type=int, default=airflow_stack.DEFAULT_API_PORT, help="api-server port")
    opts.add_argument(
        "--metadata-url",
        help="SQLAlchemy URL of the metadata DB (celery default: "
        "postgresql+psycopg2://postgres@127.0.0.1:5432/talent_airflow)",
    )
    opts.add_argument("--broker-url", help="Celery broker (default redis://127.0.0.1:6379/0)")
    opts.add_argument("--no-sample", action="store_true", help="do not serve the bundled sample sources")
    opts.add_argument("--seed", type=int, default=42, help="sample generator seed (default 42)")
    opts.add_argument(
        "--postings", type=int, default=3000, help="job-board items in the sample (default 3000)"
    )
    opts.add_argument("--end-month", type=_month, default="2026-10", help="last month of sample postings")
    options = opts.parse_args(rest[1:])
    config = airflow_stack.StackConfig(
        options.executor, options.port, options.metadata_url, options.broker_url
    )
    if action == "init":
        from talent.airflow_env import default_airflow_home, init_airflow

        home = default_airflow_home()
        init_airflow(config.env(home), get_settings().warehouse_dir / "logs" / "airflow" / "init.log")
        print(f"airflow metadata ready ({config.executor} executor, home {home})")
        return 0
    from talent.sample import SampleSpec

    spec = SampleSpec(options.seed, options.postings, options.end_month)
    return airflow_stack.up(config, sample=not options.no_sample, sample_spec=spec)


def cmd_transform(args) -> int:
    from talent import tasks

    # The transform DAG's three steps: the forecast step also builds the dbt models over its tables.
    _print_json({"load": tasks.load_raw(), "dbt": tasks.dbt_build(), "forecast": tasks.forecast_demand()})
    return 0


def cmd_publish(args) -> int:
    from talent import tasks

    month = args.month or tasks.latest_data_month()
    _print_json(tasks.publish_report(month))
    return 0


def cmd_dashboard(args) -> int:
    from talent.dashboard import serve

    serve(args.port)
    return 0


def cmd_docs(args) -> int:
    from talent.dbt import DbtError
    from talent.dbt_docs import WarehouseNotBuilt, build_dbt_docs

    try:
        path = build_dbt_docs()
    except (WarehouseNotBuilt, DbtError) as exc:
        print(f"talent docs: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


def cmd_bulletin_parse(args) -> int:
    from extractors.bulletins import parse_bulletin_file

    for path in args.files:
        print(json.dumps(parse_bulletin_file(Path(path)), ensure_ascii=False, sort_keys=True))
    return 0


def cmd_postings_normalize(args) -> int:
    from extractors.job_boards.normalize import normalize_jsonl

    source = sys.stdin if args.file in (None, "-") else open(args.file, encoding="utf-8-sig")  # noqa: SIM115
    try:
        stats = normalize_jsonl(source, sys.stdout, name=args.file or "<stdin>", workers=args.workers)
    finally:
        if source is not sys.stdin:
            source.close()
    logging.getLogger("talent.postings").info("normalised: %s", stats)
    # Every line still has its output record (errors included), but a caller piping this into a
    # load must be able to tell that some input was unreadable.
    return 1 if stats.get("errors") else 0


def cmd_schools_parse(args) -> int:
    from extractors.schools import parse_school_file

    result = parse_school_file(Path(args.file), school=args.school, year=args.year)
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 0


def cmd_forecast_evaluate(args) -> int:
    from talent.forecast import evaluate_csv

    print(json.dumps(evaluate_csv(Path(args.file), horizon=args.horizon), ensure_ascii=False, sort_keys=True))
    return 0


def cmd_forecast_export(args) -> int:
    from talent.forecast import export_series_csv

    count = export_series_csv(get_settings().duckdb_path, Path(args.file), args.month)
    print(f"{count} series written to {args.file}")
    return 0


def cmd_sql(args) -> int:
    from talent.query import QueryError, render, run_sql
    from talent.serving import SnapshotMissing

    try:
        columns, rows = run_sql(args.query)
    except (QueryError, SnapshotMissing) as exc:
        print(f"talent sql: {exc}", file=sys.stderr)
        return 1
    sys.stdout.write(render(columns, rows, args.format))
    return 0


def cmd_marts(args) -> int:
    from talent.query import list_marts, render_marts

    tables, build = list_marts(include_reference=args.all)
    if args.format == "json":
        _print_json({"build_id": build, "tables": tables})
    else:
        sys.stdout.write(render_marts(tables, build))
    return 0


def cmd_serve_postgres(args) -> int:
    import os

    from talent.serve_postgres import serve_postgres

    url = args.url or os.environ.get("TALENT_SERVING_POSTGRES_URL")
    if not url:
        print("talent serve postgres: give --url (or set TALENT_SERVING_POSTGRES_URL)", file=sys.stderr)
        return 2
    _print_json(serve_postgres(url, read_role=args.read_role, force=args.force))
    return 0


def cmd_bench(args) -> int:
    from talent.bench import main as bench_main

    return bench_main(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="talent",
        description="Bazhong talent warehouse: pull sources, check them, build the DuckDB warehouse "
        "with dbt and publish the monthly talent-demand report.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sample_opts = argparse.ArgumentParser(add_help=False)
    sample_opts.add_argument("--seed", type=int, default=42, help="sample generator seed (default 42)")
    sample_opts.add_argument(
        "--postings", type=int, default=3000, help="job-board items in the sample site (default 3000)"
    )
    sample_opts.add_argument(
        "--end-month", type=_month, default="2026-10", help="last month of sample postings (default 2026-10)"
    )

    run = sub.add_parser(
        "run",
        parents=[sample_opts],
        help="run the whole pipeline through Airflow (what `make run` calls)",
        description="Run every DAG with `airflow dags test` in dependency order: ingest (bulletins, "
        "job boards, schools) → transform (load + dbt build) → publish. Idempotent: a second run "
        "lands nothing new and publishes no new report version.",
    )
    run.add_argument("--date", type=_date, help="logical date of the ingest run (default: today, UTC)")
    run.add_argument("--month", type=_month, help="report month (default: the latest month with postings)")
    run.add_argument(
        "--no-sample", action="store_true", help="read the sources in the sources config, not the sample site"
    )
    run.set_defaults(func=cmd_run)

    sources = sub.add_parser("sources", help="the bundled sample sources (demo and test site)")
    sources_sub = sources.add_subparsers(dest="sources_command", required=True, metavar="ACTION")
    gen = sources_sub.add_parser("generate", parents=[sample_opts], help="write the sample site to a folder")
    gen.add_argument("--out", help="folder to write (default <warehouse>/sample_site)")
    gen.add_argument("--verbose-truth", action="store_true", help="print the whole truth.json")
    gen.set_defaults(func=cmd_sources_generate)
    serve = sources_sub.add_parser("serve", parents=[sample_opts], help="serve the sample site over HTTP")
    serve.add_argument("--dir", help="site folder (default <warehouse>/sample_site; generated if missing)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.set_defaults(func=cmd_sources_serve)
    from talent.sources_cli import add_fault_options, add_faults_parser

    add_fault_options(serve)  # --faults: the sample site broken on purpose (docs/fault-matrix.md)
    add_faults_parser(sources_sub)

    airflow = sub.add_parser(
        "airflow",
        help="the real Airflow stack (`talent airflow up`), or the airflow CLI (`talent airflow -- ARGS`)",
        description=AIRFLOW_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    airflow.add_argument("airflow_args", nargs=argparse.REMAINDER, metavar="up|init|-- ARGS")
    airflow.set_defaults(func=cmd_airflow)

    transform = sub.add_parser(
        "transform", help="load checked raw landings into DuckDB, run dbt build and forecast demand"
    )
    transform.set_defaults(func=cmd_transform)

    publish = sub.add_parser("publish", help="publish the monthly report for a month")
    publish.add_argument("--month", type=_month, help="YYYY-MM (default: the latest month with postings)")
    publish.set_defaults(func=cmd_publish)

    dashboard = sub.add_parser(
        "dashboard",
        help="serve the 数据驾驶舱 (dashboard) on 127.0.0.1, reading the published snapshot",
        description="Demand by 1+3 industry and county, the forecast with 80/95% bands, the shortage "
        "list, graduates versus demand by major, data freshness and quality per source. Works offline.",
    )
    dashboard.add_argument("--port", type=int, default=8050, help="port on 127.0.0.1 (default 8050)")
    dashboard.set_defaults(func=cmd_dashboard)

    docs = sub.add_parser(
        "docs",
        help="build dbt's static docs of the warehouse (warehouse/docs/dbt/index.html)",
        description="Run `dbt docs generate --static` on the built warehouse and copy the one-file site "
        "to <warehouse>/docs/dbt/index.html (opens from disk, no server). The Great Expectations Data "
        "Docs are built by every validation: <warehouse>/quality/index.html.",
    )
    docs.set_defaults(func=cmd_docs)

    sql = sub.add_parser(
        "sql",
        help="run a SQL query on the published snapshot (read-only)",
        description="Run one SQL query (DuckDB dialect) on the published snapshot "
        "(warehouse/serving/talent.duckdb: schemas marts and reference), never on the pipeline's own "
        "file, so it answers while a run is under way. Read-only: no writes, no file or network access.",
    )
    sql.add_argument(
        "query", metavar="QUERY", help='e.g. "select * from marts.talent_demand_monthly limit 5"'
    )
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table", help="default: table")
    sql.set_defaults(func=cmd_sql)

    marts = sub.add_parser(
        "marts",
        help="list every mart: rows, key, grain and description",
        description="List every mart of the published snapshot with its row count, primary key, grain "
        "(one row per …) and description, as dbt documents them.",
    )
    marts.add_argument("--format", choices=["table", "json"], default="table", help="json adds every column")
    marts.add_argument("--all", action="store_true", help="include the reference tables (schema reference)")
    marts.set_defaults(func=cmd_marts)

    serve_cmd = sub.add_parser("serve", help="publish the snapshot's marts to a database for BI tools")
    serve_sub = serve_cmd.add_subparsers(dest="serve_command", required=True, metavar="TARGET")
    serve_pg = serve_sub.add_parser(
        "postgres",
        help="copy every mart into schema marts of a PostgreSQL database, in one transaction",
        description="Copy every table of the published snapshot into schemas marts and reference of a "
        "PostgreSQL database: same columns, BIGINT/NUMERIC/DATE/TIMESTAMP types, primary keys and dbt's "
        "descriptions as comments, swapped in within one transaction (readers see the old or the new "
        "version, never half). Serving the same build again does nothing.",
    )
    serve_pg.add_argument(
        "--url", help="postgresql://USER@HOST:PORT/DB (default: $TALENT_SERVING_POSTGRES_URL)"
    )
    serve_pg.add_argument("--read-role", help="grant USAGE and SELECT on the served schemas to this role")
    serve_pg.add_argument("--force", action="store_true", help="serve even if that build is already there")
    serve_pg.set_defaults(func=cmd_serve_postgres)

    bulletin = sub.add_parser("bulletin", help="statistics bulletins (统计公报)")
    bulletin_sub = bulletin.add_subparsers(dest="bulletin_command", required=True, metavar="ACTION")
    parse = bulletin_sub.add_parser(
        "parse",
        help="extract indicators from saved bulletin pages",
        description="Read saved bulletin pages (HTML or text; UTF-8, GB2312/GBK/GB18030) and print one "
        "JSON object a file: region, year, indicators (value, unit, growth_pct, source sentence) and the "
        "sections nothing was read from. Indicators a bulletin does not state are absent, not zero.",
    )
    parse.add_argument("files", nargs="+", metavar="FILE")
    parse.set_defaults(func=cmd_bulletin_parse)

    postings = sub.add_parser("postings", help="job-board postings")
    postings_sub = postings.add_subparsers(dest="postings_command", required=True, metavar="ACTION")
    normalize = postings_sub.add_parser(
        "normalize",
        help="normalise raw ads (JSON lines in, JSON lines out)",
        description="Read JSON lines of raw ads (title, company, salary, education, experience, location, "
        "description, posted_at, headcount, source, url) and write them with salary, education, "
        "experience, county, industry, occupation and skills added and personal data masked.",
    )
    normalize.add_argument("file", nargs="?", metavar="FILE|-", help="input JSON lines (default: stdin)")
    normalize.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="normalise blocks of 1000 lines in N processes, output in input order (default: 1)",
    )
    normalize.set_defaults(func=cmd_postings_normalize)

    schools = sub.add_parser("schools", help="school records (enrolment, graduates, destinations)")
    schools_sub = schools.add_subparsers(dest="schools_command", required=True, metavar="ACTION")
    school_parse = schools_sub.add_parser(
        "parse",
        help="read one school export into rows per major",
        description="Read one export (CSV in UTF-8/GB18030, or XLSX; summary tables or student-level rows) "
        "and print one JSON object: rows per major (counts as integers) and quarantined cells. "
        "Student-level files come out aggregated, with no personal data.",
    )
    school_parse.add_argument("file", metavar="FILE")
    school_parse.add_argument("--school", help="school name (default: from the title row or file name)")
    school_parse.add_argument(
        "--year", type=int, help="graduation year (default: from the title or file name)"
    )
    school_parse.set_defaults(func=cmd_schools_parse)

    forecast = sub.add_parser("forecast", help="demand forecasts")
    forecast_sub = forecast.add_subparsers(dest="forecast_command", required=True, metavar="ACTION")
    evaluate = forecast_sub.add_parser(
        "evaluate",
        help="rolling-origin backtest of the forecasting models on a CSV",
        description="Read a CSV with columns series_id,month,value (month as YYYY-MM) and print one JSON "
        "object: per series the chosen model and each model's MASE, sMAPE and interval coverage.",
    )
    evaluate.add_argument("file", metavar="FILE.csv")
    evaluate.add_argument("--horizon", type=int, default=12, help="months ahead to test (default 12)")
    evaluate.set_defaults(func=cmd_forecast_evaluate)
    export = forecast_sub.add_parser(
        "export",
        help="write the series the pipeline forecasts as a CSV (input for evaluate)",
        description="Read the demand series from the warehouse marts (read-only) as the forecast step builds "
        "them and write them as a series_id,month,value CSV.",
    )
    export.add_argument("file", metavar="OUT.csv")
    export.add_argument(
        "--month", type=_month, help="last month of history (default: the latest month with postings)"
    )
    export.set_defaults(func=cmd_forecast_export)

    from talent.extract_cli import add_parser as add_extract_parser

    add_extract_parser(sub)

    from talent.bench.runner import build_parser as bench_parser

    bench = bench_parser(sub.add_parser("bench", help="speed and memory of every stage on N postings"))
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    from expectations import ValidationFailed
    from extractors.errors import SourceError

    try:
        return args.func(args)
    except (ValueError, FileNotFoundError, RuntimeError, SourceError, ValidationFailed) as exc:
        print(f"talent {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
