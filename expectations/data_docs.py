"""Great Expectations Data Docs for landing validations: a static site (index.html, one page per
suite, one page per validated landing) built with GX's own SiteBuilder after each validation.

- Results live in a filesystem ValidationResultsStore under `<site>/results/`, keyed by the landing:
  suite / run name = partition / run time = the manifest's `landed_at` / batch id =
  `<source>-<partition>-<sha12>`. A landing folder never changes (same bytes, same sha12, same
  manifest), so re-validating it overwrites its entry: the site grows only with new landings.
- A build renders the suites, the one new validation (GX's incremental build) and the index.
- Offline: GX's templates load Bootstrap, jQuery, bootstrap-table, Font Awesome, vega... from CDNs.
  Every page built is rewritten to load the copies vendored in `data_docs_assets/` (copied to
  `<site>/static/vendor/`); vega and the dark theme are dropped (no suite here draws a chart) and
  Font Awesome's few icons become Unicode glyphs (`icons.css`). See data_docs_assets/README.md.
- Fast over time: GX's index builder loads and deserialises every stored result (~10 ms each, so
  seconds after a few hundred landings) only to read its status and batch. `index_entries.json`
  keeps those few fields per result and the docs context answers the index from it.
- Several Airflow tasks may validate at once: a build holds an flock on `<site>/.build.lock`.
"""

from __future__ import annotations

import fcntl
import importlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from expectations.suites import SUITE_FOR_SOURCE

log = logging.getLogger(__name__)

SITE_NAME = "落地数据质量 · landing validations"
RESULTS_DIR = "results"
INDEX_ENTRIES = "index_entries.json"
ASSETS_DIR = Path(__file__).with_name("data_docs_assets")
VENDOR_DIR = "static/vendor"
# Failing rows kept per expectation in the docs copy of a result (result.json keeps its own 20):
# a landing whose every row fails would otherwise store and render 100k row numbers.
MAX_ROWS_IN_DOCS = 20

# CDN url fragment -> vendored file (None: drop the tag). Matched in order, first hit wins.
_CDN_ASSETS: list[tuple[str, str | None]] = [
    ("bootstrap-table-filter-control", "bootstrap-table-filter-control.min"),
    ("bootstrap-table", "bootstrap-table.min"),
    ("bootstrap-datepicker", "bootstrap-datepicker.min"),
    ("bootstrap-prefers-dark", None),
    ("bootstrap.min.css", "bootstrap.min"),
    ("bootstrap.min.js", "bootstrap.bundle.min"),  # the bundle carries Popper
    ("popper", None),
    ("jquery", "jquery.min"),
    ("font-awesome", "icons"),
    ("vega", None),
]
_REMOTE_TAG = re.compile(
    r"<(?P<tag>script|link)\b[^>]*?\b(?:src|href)=\"(?P<url>https?://[^\"]+)\"[^>]*>(?:\s*</script>)?"
)
_REMOTE_IMG = re.compile(r"(<img\b[^>]*?\bsrc=\")https?://[^\"]*/(?P<name>[\w.-]+\.png)[^\"]*\"")
_REMOTE_CSS_URL = re.compile(r"url\((['\"]?)https?://[^)]*\1\)")
_NEWSLETTER_FOOTER = re.compile(r"<footer>(?:(?!</footer>).)*newsletter.*?</footer>", re.S)

_LOCK = threading.Lock()
_CONTEXTS: dict[Path, Any] = {}
_ENTRIES: dict[Path, dict[str, dict[str, Any]]] = {}


def _suite_modules() -> list[Any]:
    names = sorted(set(SUITE_FOR_SOURCE.values()))
    return [importlib.import_module(f"expectations.suites.{name}") for name in names]


def _docs_context(site_dir: Path) -> Any:
    """An ephemeral context per site whose validation results persist beside the site and whose
    expectation store holds every suite (the index drops suite pages missing from that store)."""
    if site_dir not in _CONTEXTS:
        import great_expectations as gx
        from great_expectations.data_context.types.base import DataContextConfig, ProgressBarsConfig

        def in_memory(class_name: str) -> dict[str, Any]:
            return {"class_name": class_name, "store_backend": {"class_name": "InMemoryStoreBackend"}}

        filesystem = {"class_name": "TupleFilesystemStoreBackend"}
        config = DataContextConfig(
            stores={
                "expectations_store": in_memory("ExpectationsStore"),
                "checkpoint_store": in_memory("CheckpointStore"),
                "validation_definition_store": in_memory("ValidationDefinitionStore"),
                "validation_results_store": {
                    "class_name": "ValidationResultsStore",
                    "store_backend": {**filesystem, "base_directory": str(site_dir / RESULTS_DIR)},
                },
            },
            expectations_store_name="expectations_store",
            checkpoint_store_name="checkpoint_store",
            validation_results_store_name="validation_results_store",
            data_docs_sites={
                SITE_NAME: {
                    "class_name": "SiteBuilder",
                    # The how-to buttons and walkthrough modal link to GX's tutorials online.
                    "show_how_to_buttons": False,
                    "store_backend": {**filesystem, "base_directory": str(site_dir)},
                    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                    "site_section_builders": {"profiling": "None"},
                }
            },
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        _answer_index_from_entries(context, site_dir)
        for module in _suite_modules():
            checks = module.checks()
            context.suites.add(
                gx.ExpectationSuite(name=module.SUITE_NAME, expectations=[c.expectation for c in checks])
            )
        _CONTEXTS[site_dir] = context
    return _CONTEXTS[site_dir]


def _entry_key(suite_name: str, run_id: Any, batch_identifier: str) -> str:
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
        run_id=run_id,
        batch_identifier=batch_identifier,
    )
    return "/".join(key.to_tuple())


def _answer_index_from_entries(context: Any, site_dir: Path) -> None:
    """Make `context.get_validation_result` (what DefaultSiteIndexBuilder calls per listed result)
    return a result holding only the status and meta kept in index_entries.json. Results without
    an entry, and every other reader (page rendering reads the store itself), get the full one."""
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

    full = context.get_validation_result

    def get_validation_result(
        expectation_suite_name: str,
        run_id: Any = None,
        batch_identifier: str | None = None,
        validation_results_store_name: str | None = None,
        failed_only: bool = False,
    ) -> Any:
        entries = _ENTRIES.get(site_dir, {})
        entry = None
        if run_id is not None and batch_identifier is not None and not failed_only:
            entry = entries.get(_entry_key(expectation_suite_name, run_id, batch_identifier))
        if entry is None:
            return full(
                expectation_suite_name,
                run_id=run_id,
                batch_identifier=batch_identifier,
                validation_results_store_name=validation_results_store_name,
                failed_only=failed_only,
            )
        return ExpectationSuiteValidationResult(
            success=entry["success"], results=[], suite_name=expectation_suite_name, meta=entry["meta"]
        )

    context.get_validation_result = get_validation_result


def _write_text_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _update_entries(site_dir: Path, key: str, entry: dict[str, Any]) -> None:
    """Add `entry` to index_entries.json (read afresh: other processes add theirs)."""
    path = site_dir / INDEX_ENTRIES
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        entries = {}  # a lost or damaged file only makes the index read the full results
    entries[key] = entry
    _write_text_atomic(path, json.dumps(entries, ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    _ENTRIES[site_dir] = entries


@contextmanager
def _site_lock(site_dir: Path) -> Iterator[None]:
    site_dir.mkdir(parents=True, exist_ok=True)
    with open(site_dir / ".build.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _copy_vendored_assets(site_dir: Path) -> None:
    target = site_dir / VENDOR_DIR
    target.mkdir(parents=True, exist_ok=True)
    for source in ASSETS_DIR.iterdir():
        if source.suffix not in (".css", ".js"):
            continue
        dest = target / source.name
        if not dest.exists() or dest.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, dest)


def _local_tag(match: re.Match[str], static_prefix: str) -> str:
    url = match["url"]
    for fragment, local in _CDN_ASSETS:
        if fragment in url:
            if local is None:
                return ""
            if match["tag"] == "script":
                return f'<script src="{static_prefix}vendor/{local}.js"></script>'
            return f'<link rel="stylesheet" href="{static_prefix}vendor/{local}.css"/>'
    # A newer GX asking for something not vendored: left as is, and said once per page.
    log.warning("Data Docs: no local copy of %s; the page still loads it from the network", url)
    return match[0]


def offline_html(html: str, depth: int) -> str:
    """`html` of a page `depth` folders below the site root, loading local assets only.

    Idempotent: a page already rewritten has no remote asset left to match."""
    static_prefix = "../" * depth + "static/"
    html = _REMOTE_TAG.sub(lambda m: _local_tag(m, static_prefix), html)
    # GX copies its own logo into static/images/; the navbar asks its web-assets bucket for it.
    html = _REMOTE_IMG.sub(lambda m: f'{m[1]}{static_prefix}images/{m["name"]}"', html)
    # GX's newsletter sign-up says nothing about this data.
    html = _NEWSLETTER_FOOTER.sub("", html)
    # The dark-theme logo in the inline stylesheet.
    return _REMOTE_CSS_URL.sub("none", html)


def _rewrite_page(site_dir: Path, page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    depth = len(page.relative_to(site_dir).parts) - 1
    new = offline_html(text, depth)
    if new != text:
        _write_text_atomic(page, new)


def _trim_for_docs(result: Any) -> None:
    """Cap the failing-row lists of a GX result in place (the runner has read them already)."""
    for expectation_result in result.results:
        details = expectation_result.result or {}
        details.pop("unexpected_index_list", None)
        partial = details.get("partial_unexpected_index_list")
        if isinstance(partial, list):
            details["partial_unexpected_index_list"] = partial[:MAX_ROWS_IN_DOCS]


def _landed_at(manifest: dict[str, Any]) -> datetime:
    value = manifest.get("landed_at")
    if value:
        moment = datetime.fromisoformat(value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    # Older landings: the partition day, so the key is still stable.
    return datetime.fromisoformat(manifest["partition"]).replace(tzinfo=UTC)


def publish_validation(
    site_dir: str | os.PathLike[str],
    result: Any,
    *,
    suite_name: str,
    manifest: dict[str, Any],
    landing: str,
    success: bool,
    summary: dict[str, Any],
) -> Path:
    """Store the GX `result` of one landing's validation and rebuild the Data Docs site in
    `site_dir`. Returns the page of this validation. `result` is trimmed in place.

    `success` is the landing's verdict (critical expectations only, as in result.json); GX's own
    would count a failed warning as a failed landing. The page still marks each expectation."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    site = Path(site_dir).resolve()
    source, partition = manifest["source"], manifest["partition"]
    sha12 = landing.rsplit("/", 1)[-1]
    run_id = RunIdentifier(run_name=partition, run_time=_landed_at(manifest))
    key = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name),
        run_id=run_id,
        batch_identifier=f"{source}-{partition}-{sha12}",
    )
    _trim_for_docs(result)
    result.success = success
    # What the pages show of the run and the batch: the landing, not GX's anonymous dataframe.
    result.meta["run_id"] = run_id
    result.meta["batch_spec"] = {"data_asset_name": source, "landing": landing, **summary}
    with _LOCK, _site_lock(site):
        context = _docs_context(site)
        context.validation_results_store.set(key, result)
        entry_meta = {"batch_spec": result.meta["batch_spec"]}
        _update_entries(site, "/".join(key.to_tuple()), {"success": success, "meta": entry_meta})
        suites = [ExpectationSuiteIdentifier(name=m.SUITE_NAME) for m in _suite_modules()]
        context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=[key, *suites])
        _copy_vendored_assets(site)
        url = context.get_docs_sites_urls(resource_identifier=key, site_name=SITE_NAME)[0]["site_url"]
        page = Path(unquote(urlparse(url).path))
        if not page.is_file():
            # GX logs a rendering error and carries on; say which landing lost its page.
            raise RuntimeError(f"Data Docs: no page was rendered for {landing} (see the GX error above)")
        for built in [site / "index.html", page, *(site / "expectations").glob("*.html")]:
            _rewrite_page(site, built)
    return page
