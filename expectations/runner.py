"""Validate one raw landing with its Great Expectations suite and split it into accepted rows and
quarantine (contract section 3).

Flow of `validate_landing`:
1. read `manifest.json` and `records.jsonl` (kept as raw lines, so accepted rows are copied byte for
   byte), and build a pandas frame typed per the contract with a `_row` column (1-based line);
2. run the source's suite through a cached GX context (pandas datasource, whole-dataframe batch
   definition, one ValidationDefinition per suite), asking for COMPLETE results indexed by `_row`;
3. quarantine every row a critical row-level expectation flags, write `validation/accepted.jsonl`,
   `validation/accepted_rows.json` (the records.jsonl line of each accepted line, for the loader's
   `_row` lineage) and `validation/result.json`;
4. raise `ValidationFailed` when a critical expectation fails beyond its `mostly` threshold or a
   table-level critical expectation fails, after everything above is written.
5. with `data_docs_dir`, add GX's result to the Data Docs site there (expectations/data_docs.py),
   before 4's raise, so failed landings are in the docs too.

Only the standard library is imported at module level: pandas and GX (~3 s) load on first use.

Longer than ~400 lines on purpose: frame building, the GX run, blaming rows and writing the outputs
are the stages of one validation pass over one landing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from expectations.frame import build_frame, read_lines
from expectations.suites import suite_module
from expectations.suites._common import CRITICAL, ROW_COLUMN, Check, redact
from extractors.landing import verify_landing

log = logging.getLogger(__name__)

RECORDS_FILE = "records.jsonl"
MAX_REPORTED_ROWS = 20


class ValidationFailed(Exception):
    """A landing failed a critical expectation. `summary` holds the full outcome; result.json and
    the quarantine file are already written when this is raised."""

    # summary is optional so the exception survives pickling (Airflow, multiprocessing), which
    # re-creates it from its message alone.
    def __init__(self, message: str, summary: ValidationSummary | None = None) -> None:
        super().__init__(message)
        self.summary = summary


@dataclass(frozen=True)
class ExpectationOutcome:
    name: str
    severity: str
    type: str
    success: bool
    unexpected_count: int | None
    unexpected_rows: list[int]
    fields: list[str]
    error: str | None = None

    def to_result(self) -> dict[str, Any]:
        out = asdict(self)
        out["unexpected_rows"] = self.unexpected_rows[:MAX_REPORTED_ROWS]
        return out


@dataclass(frozen=True)
class ValidationSummary:
    success: bool
    source: str
    partition: str
    landing: str  # path relative to RAW_DIR: <source>/<partition>/<sha12>
    rows: int
    accepted: int
    quarantined: int
    expectations: list[ExpectationOutcome] = field(repr=False)
    result_path: Path = field(repr=False)
    accepted_path: Path = field(repr=False)
    quarantine_path: Path | None = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "success": self.success,
            "source": self.source,
            "partition": self.partition,
            "landing": self.landing,
            "rows": self.rows,
            "accepted": self.accepted,
            "quarantined": self.quarantined,
            "result_path": str(self.result_path),
            "quarantine_path": str(self.quarantine_path) if self.quarantine_path else None,
        }


# --------------------------------------------------------------------------- GX context (cached)

_GX_LOCK = threading.RLock()
_GX: dict[str, Any] = {}


def _gx_context() -> Any:
    """One ephemeral context per process: building it and registering suites costs far more than
    validating a few thousand rows, and nothing in it needs to persist (results go to result.json)."""
    if "context" not in _GX:
        # Set before the import: GX reads it when the context starts its usage-statistics client.
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        # GX logs its own plumbing at INFO (e.g. one line per skipped docs decorator); keep task logs
        # to our one line per landing unless someone configured the GX logger on purpose.
        gx_log = logging.getLogger("great_expectations")
        if gx_log.level == logging.NOTSET:
            gx_log.setLevel(logging.WARNING)
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            analytics_enabled=False,
            # tqdm bars would write one line per metric batch into Airflow task logs.
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        _GX["context"] = context
        _GX["datasource"] = context.data_sources.add_pandas(name="landings")
        _GX["suites"] = {}
    return _GX["context"]


def _validation_for(module: Any) -> tuple[Any, list[Check]]:
    """The (ValidationDefinition, checks) for a suite module, registered once per process."""
    with _GX_LOCK:
        context = _gx_context()
        name = module.SUITE_NAME
        if name not in _GX["suites"]:
            import great_expectations as gx

            checks = module.checks()
            names = [c.name for c in checks]
            if len(set(names)) != len(names):
                raise ValueError(f"suite {name}: check names must be unique: {names}")
            suite = context.suites.add(gx.ExpectationSuite(name=name))
            for check in checks:
                suite.add_expectation(check.expectation)
            asset = _GX["datasource"].add_dataframe_asset(name=name)
            batch = asset.add_batch_definition_whole_dataframe(name=f"{name}_whole_landing")
            definition = context.validation_definitions.add(
                gx.ValidationDefinition(name=f"{name}_landing", data=batch, suite=suite)
            )
            _GX["suites"][name] = (definition, checks)
        return _GX["suites"][name]


# --------------------------------------------------------------------------- running the suite


def _exception_message(info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by metric; return the first message."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "unknown error").splitlines()[0]
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "unknown error").splitlines()[0]
    return None


def _index_rows(index_list: Any) -> list[int]:
    """Row numbers from GX's unexpected_index_list: with `exclude_unexpected_values` it is
    [{"_row": [1, 5, ...]}]; without, [{"_row": 1, <column>: value}, ...]."""
    out: list[int] = []
    for item in index_list:
        value = item.get(ROW_COLUMN) if isinstance(item, dict) else item
        if isinstance(value, list):
            out.extend(int(v) for v in value)
        elif value is not None:
            out.append(int(value))
    return out


def _run_suite(module: Any, frame: Any) -> tuple[list[tuple[Check, ExpectationOutcome]], Any]:
    """The outcome of every check, and GX's own result (for Data Docs)."""
    definition, checks = _validation_for(module)
    # One validation at a time per process: the context and its stores are shared and GX makes no
    # promise of thread safety (Airflow runs tasks in processes, so this costs nothing there).
    with _GX_LOCK:
        result = definition.run(
            batch_parameters={"dataframe": frame},
            result_format={
                # COMPLETE + the named index: every failing row comes back with its records.jsonl line.
                "result_format": "COMPLETE",
                "unexpected_index_column_names": [ROW_COLUMN],
                "return_unexpected_index_query": False,
                # Rows only, no values: the values may be the very phone numbers being caught, and
                # copying them into the result costs seconds when a whole landing fails.
                "exclude_unexpected_values": True,
            },
        )
        # ValidationDefinition.run also keeps every result in the context's in-memory store; we
        # write our own result.json, so drop them rather than let a long run (a backfill over many
        # landings) accumulate them.
        store = _GX["context"].validation_results_store
        for key in store.list_keys():
            store.remove_key(key)
    by_name = {r.expectation_config.meta.get("check"): r for r in result.results}
    outcomes = []
    for check in checks:
        r = by_name[check.name]
        error = _exception_message(r.exception_info)
        details = r.result or {}
        index_list = details.get("unexpected_index_list") or []
        rows = sorted(set(_index_rows(index_list)))
        count = details.get("unexpected_count")
        outcomes.append(
            (
                check,
                ExpectationOutcome(
                    name=check.name,
                    severity=check.severity,
                    type=check.expectation.expectation_type,
                    success=bool(r.success) and error is None,
                    unexpected_count=int(count) if count is not None else None,
                    unexpected_rows=rows,
                    fields=list(check.fields),
                    error=error,
                ),
            )
        )
    return outcomes, result


# --------------------------------------------------------------------------- writing results


def _write_atomic(path: Path, data: bytes) -> None:
    """Temp file + rename: a reader (the loader) never sees a half-written result."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _dumps(obj: Any, **kwargs: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, **kwargs) + "\n").encode("utf-8")


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            k: v if isinstance(v, int | float | bool) or v is None else _redact_value(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    return value


def _sentence(check: Check, detail: str | None = None) -> str:
    # Sentences start with the field name as written (lower case), so no capitalisation here.
    text = detail or check.reason
    return f"{text} ({check.severity} expectation {check.name}, {check.expectation.expectation_type})."


def _row_preview(rows: list[int], limit: int = 5) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def _with_problem_fields(
    outcome: ExpectationOutcome, problems: dict[int, list[tuple[str, str]]], columns: dict[str, str]
) -> ExpectationOutcome:
    """Name the real fields behind the type check instead of its placeholder."""
    if outcome.name != "values_have_contract_types" or not outcome.unexpected_rows:
        return outcome
    found = {fld for row in outcome.unexpected_rows for fld, _ in problems.get(row, [])}
    order = ["(line)", *columns]
    return replace(outcome, fields=[f for f in order if f in found])


def _failure_clause(check: Check, outcome: ExpectationOutcome, rows: int, missing: list[str]) -> str:
    if check.name == "required_columns":
        return f"{check.name}: missing fields {', '.join(missing)}"
    if outcome.error:
        return f"{check.name} could not be evaluated ({outcome.error}); fields {', '.join(outcome.fields)}"
    if not outcome.unexpected_rows:
        return f"{check.name}: {check.reason}"
    allowed = f", more than the {1 - check.mostly:.0%} allowed" if check.mostly is not None else ""
    return (
        f"{check.name}: {check.reason} in {outcome.unexpected_count} of {rows} rows{allowed}"
        f" (rows {_row_preview(outcome.unexpected_rows)}; field {', '.join(outcome.fields)})"
    )


def _publish_data_docs(
    site_dir: str | os.PathLike[str],
    gx_result: Any,
    suite_name: str,
    manifest: dict[str, Any],
    summary: ValidationSummary,
) -> None:
    """Add the validation to the Data Docs site. The docs are a view of result.json, which is
    already written: a docs failure is logged, never the landing's verdict."""
    from expectations.data_docs import publish_validation

    counts = {"rows": summary.rows, "accepted": summary.accepted, "quarantined": summary.quarantined}
    try:
        publish_validation(
            site_dir,
            gx_result,
            suite_name=suite_name,
            manifest=manifest,
            landing=summary.landing,
            success=summary.success,
            summary=counts,
        )
    except Exception:
        log.warning("Data Docs were not updated for %s", summary.landing, exc_info=True)


def validate_landing(
    landing_path: str | os.PathLike[str],
    *,
    quarantine_dir: str | os.PathLike[str],
    data_docs_dir: str | os.PathLike[str] | None = None,
) -> ValidationSummary:
    """Validate `<raw>/<source>/<partition>/<sha12>/` and write its validation outputs.

    Returns a `ValidationSummary`; raises `ValidationFailed` (after writing result.json, the
    accepted rows and the quarantine file) when a critical expectation fails. Re-validating the
    same landing rewrites byte-identical files. With `data_docs_dir`, the GX Data Docs site there
    (index.html) is rebuilt with this validation, failed or not (see expectations/data_docs.py).
    """
    landing_dir = Path(landing_path)
    manifest = json.loads((landing_dir / "manifest.json").read_text(encoding="utf-8"))
    source, partition = manifest["source"], manifest["partition"]
    landing = "/".join(landing_dir.resolve().parts[-3:])
    module = suite_module(source)

    verify_landing(landing_dir, manifest)
    lines = read_lines(landing_dir / RECORDS_FILE)
    frame, records, problems = build_frame(lines, module.COLUMNS)
    derive = getattr(module, "derive", None)
    if derive is not None:
        frame = derive(frame)
    outcomes, gx_result = _run_suite(module, frame)
    outcomes = [(c, _with_problem_fields(o, problems, module.COLUMNS)) for c, o in outcomes]

    # Rows flagged by any critical row-level expectation are quarantined, even when the
    # expectation as a whole passed thanks to `mostly`: the threshold decides whether the landing
    # fails, not whether a bad row gets through.
    blame: dict[int, list[tuple[list[str], str]]] = {}
    for check, outcome in outcomes:
        if check.severity != CRITICAL:
            continue
        for row in outcome.unexpected_rows:
            typed = problems.get(row, [])
            if check.name == "values_have_contract_types":
                for fld, message in typed:
                    blame.setdefault(row, []).append(([fld], _sentence(check, message)))
            else:
                # A badly typed value is nulled in the frame (an unparseable line: all of them);
                # "x is missing" on top of "x should be an integer" would only mislead, so such
                # rows are blamed on the type alone.
                covered = {fld for fld, _ in typed}
                if "(line)" not in covered and not set(check.fields) <= covered:
                    blame.setdefault(row, []).append((list(check.fields), _sentence(check)))

    quarantine_lines = []
    for row in sorted(blame):
        fields: list[str] = []
        for flds, _ in blame[row]:
            fields.extend(f for f in flds if f not in fields)
        record = records[row - 1]
        if record is None:
            record = {"_unparsed_line": lines[row - 1].decode("utf-8", errors="replace")}
        quarantine_lines.append(
            _dumps(
                {
                    "source": source,
                    "landing": landing,
                    "file": RECORDS_FILE,
                    "row": row,
                    "field": ", ".join(fields),
                    "reason": redact(" ".join(reason for _, reason in blame[row])),
                    "record": _redact_value(record),
                }
            )
        )
    accepted_rows = [r for r in range(1, len(lines) + 1) if r not in blame]

    failed = [(c, o) for c, o in outcomes if c.severity == CRITICAL and not o.success]
    success = not failed
    validation_dir = landing_dir / "validation"
    result = {
        "success": success,
        "source": source,
        "partition": partition,
        "landing": landing,
        "file": RECORDS_FILE,
        "sha256": manifest.get("sha256"),
        "rows": len(lines),
        "accepted": len(accepted_rows),
        "quarantined": len(blame),
        "expectations": [o.to_result() for _, o in outcomes],
    }
    result_path = validation_dir / "result.json"
    # Withdraw the old verdict first: a loader running meanwhile must not pair a previous
    # success with accepted rows that are being rewritten. It is written again last.
    result_path.unlink(missing_ok=True)
    accepted_path = validation_dir / "accepted.jsonl"
    accepted_bytes = b"".join(lines[r - 1] + b"\n" for r in accepted_rows)
    # The loader checks the accepted rows against this, as it checks records.jsonl against the manifest.
    result["accepted_sha256"] = hashlib.sha256(accepted_bytes).hexdigest()
    _write_atomic(accepted_path, accepted_bytes)
    _write_atomic(validation_dir / "accepted_rows.json", _dumps(accepted_rows, separators=(",", ":")))

    quarantine_path: Path | None = Path(quarantine_dir) / source / partition / f"{landing_dir.name}.jsonl"
    if quarantine_lines:
        _write_atomic(quarantine_path, b"".join(quarantine_lines))
    else:
        # A stale file from an earlier run of older code would contradict result.json.
        quarantine_path.unlink(missing_ok=True)
        quarantine_path = None
    # result.json last: its presence with success=true is what the loader trusts.
    _write_atomic(result_path, _dumps(result, indent=2))

    summary = ValidationSummary(
        success=success,
        source=source,
        partition=partition,
        landing=landing,
        rows=len(lines),
        accepted=len(accepted_rows),
        quarantined=len(blame),
        expectations=[o for _, o in outcomes],
        result_path=result_path,
        accepted_path=accepted_path,
        quarantine_path=quarantine_path,
    )
    if data_docs_dir is not None:
        _publish_data_docs(data_docs_dir, gx_result, module.SUITE_NAME, manifest, summary)
    warnings = [o.name for c, o in outcomes if not o.success and c.severity != CRITICAL]
    log.info(
        "validated %s: %d rows, %d accepted, %d quarantined, %s%s",
        landing,
        summary.rows,
        summary.accepted,
        summary.quarantined,
        "passed" if success else "FAILED",
        f" (warnings: {', '.join(warnings)})" if warnings else "",
    )
    if failed:
        missing = [c for c in module.COLUMNS if c not in frame.columns]
        clauses = "; ".join(
            _failure_clause(c, o, len(lines), missing)
            for c, o in failed
            # A check that could not run because its column is missing adds nothing to
            # "required_columns: missing fields ...".
            if not (o.error and o.fields and set(o.fields) <= set(missing))
        )
        raise ValidationFailed(
            f"{source} landing {landing} failed validation of file {landing}/{RECORDS_FILE}: {clauses}",
            summary,
        )
    return summary
