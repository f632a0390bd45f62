"""The bundled sample sources as the pipeline meets them, one way for every caller: `talent run`,
`talent airflow up` and `talent sources serve` all generate the site if needed, drop its e-mailed
school files into the warehouse inbox (what a person would do) and serve it on a fixed port, so the
scheduled path and `talent run` read the same sources and build the same warehouse."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from talent.settings import Settings

DEFAULT_SAMPLE_PORT = 8765
DEFAULT_SEED = 42
DEFAULT_POSTINGS = 3000
DEFAULT_END_MONTH = "2026-10"


class SampleSourcesError(RuntimeError):
    pass


@dataclass(frozen=True)
class SampleSpec:
    """Which sample site: the generator's seed, how many job-board items, the last month of ads."""

    seed: int = DEFAULT_SEED
    postings: int = DEFAULT_POSTINGS
    end_month: str = DEFAULT_END_MONTH


def sample_port() -> int:
    # A fixed port, not a free one: ads and bulletins keep the URL they were fetched from, so a new
    # port each run would make every landing look new.
    return int(os.environ.get("TALENT_SAMPLE_PORT", DEFAULT_SAMPLE_PORT))


def ensure_sample_site(site_dir: Path, spec: SampleSpec, *, keep_existing: bool = False) -> dict:
    """Generate the sample site unless one with the same parameters (with ``keep_existing``: any
    sample site) is already there."""
    import json

    from sample_sources.generate import generate_site

    truth_path = site_dir / "truth.json"
    if truth_path.exists():
        truth = json.loads(truth_path.read_text(encoding="utf-8"))
        if keep_existing or (truth.get("seed"), truth.get("postings_requested"), truth.get("end_month")) == (
            spec.seed,
            spec.postings,
            spec.end_month,
        ):
            return truth
    return generate_site(site_dir, seed=spec.seed, postings=spec.postings, end_month=spec.end_month)


def school_inbox_dir(settings: Settings, config: dict) -> Path:
    """The folder people drop school exports into (`schools.inbox`, relative to the warehouse)."""
    return settings.warehouse_dir / (config.get("schools") or {}).get("inbox", "inbox/schools")


def prepare_sample_site(
    settings: Settings,
    config: dict,
    spec: SampleSpec,
    site_dir: Path | None = None,
    *,
    keep_existing: bool = False,
) -> Path:
    """Generate (if needed) and stage the inbox; returns the site folder. ``keep_existing`` serves a
    site already there as it is (one a fault test or a hand edit has changed, say)."""
    from sample_sources.schools import stage_inbox

    site_dir = site_dir or settings.sample_site_dir
    ensure_sample_site(site_dir, spec, keep_existing=keep_existing)
    stage_inbox(site_dir, school_inbox_dir(settings, config))
    return site_dir


@contextmanager
def served_sample_sources(
    settings: Settings,
    config: dict,
    spec: SampleSpec | None = None,
    *,
    port: int | None = None,
    server_log: Path | None = None,
    echo: Callable[[str], None] = print,
) -> Iterator[str]:
    """Prepare the sample site and serve it in a thread for the length of the block; yields its
    base URL (what TALENT_SOURCE_BASE_URL should be for the processes reading it)."""
    from sample_sources.server import serve_in_thread

    spec = spec or SampleSpec()
    if server_log is not None:
        # One line a request is useful when serving by hand, noise in a pipeline's progress.
        server_logger = logging.getLogger("sample_sources.server")
        server_log.parent.mkdir(parents=True, exist_ok=True)
        server_logger.handlers[:] = [logging.FileHandler(server_log, encoding="utf-8")]
        server_logger.propagate = False
    echo(f"· sample sources: {settings.sample_site_dir} (seed {spec.seed}, {spec.postings} postings)")
    site_dir = prepare_sample_site(settings, config, spec)
    port = sample_port() if port is None else port
    try:
        server, base_url = serve_in_thread(site_dir, port=port)
    except OSError as exc:
        raise SampleSourcesError(
            f"cannot serve the sample sources on 127.0.0.1:{port} ({exc}); stop what uses "
            "that port or set TALENT_SAMPLE_PORT"
        ) from exc
    echo(f"· serving them at {base_url}")
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
