"""`talent airflow up`: the real Airflow 3 stack on this machine, in the foreground.

api-server, scheduler, dag-processor and triggerer (and with ``--executor celery`` a Celery worker on
the Redis broker, with PostgreSQL metadata) run as child processes, each in its own process group
with its log under `warehouse/logs/airflow/`. The bundled sample sources are served beside them
unless `--no-sample`. Ctrl-C or SIGTERM stops every process it started; if one of them dies, the
others are stopped too and the command exits 1 with that component's log tail.

`talent airflow -- ARGS` runs the airflow CLI with the environment of the last `up` (its executor
and metadata DB are remembered in AIRFLOW_HOME/talent-stack.json)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlsplit

from talent.airflow_env import (
    DEFAULT_API_PORT,
    AirflowSetupError,
    airflow_env,
    airflow_executable,
    default_airflow_home,
    init_airflow,
    log_tail,
)
from talent.settings import get_settings

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
CELERY_WORKER = ("celery", "worker", "--concurrency", "2")
STACK_FILE = "talent-stack.json"
HEALTH_TIMEOUT_S = 180
STOP_GRACE_S = 20
PASSWORD_FILE = "simple_auth_manager_passwords.json.generated"


@dataclass
class StackConfig:
    executor: str = "local"
    port: int = DEFAULT_API_PORT
    metadata_url: str | None = None
    broker_url: str | None = None

    def env(self, airflow_home: Path) -> dict[str, str]:
        return airflow_env(
            airflow_home,
            executor=self.executor,
            metadata_url=self.metadata_url,
            broker_url=self.broker_url,
            api_port=self.port,
        )


def remembered_config(airflow_home: Path) -> StackConfig:
    path = airflow_home / STACK_FILE
    if path.exists():
        return StackConfig(**json.loads(path.read_text(encoding="utf-8")))
    return StackConfig()


def _check_reachable(url: str, what: str) -> None:
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3).close()
    except OSError as exc:
        raise AirflowSetupError(f"cannot reach the {what} at {parts.hostname}:{parts.port} ({exc})") from exc


def _health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=3) as resp:
            return json.load(resp)
    except (OSError, ValueError):
        return None


def _healthy(health: dict | None) -> bool:
    if not health:
        return False
    parts = ("metadatabase", "scheduler", "triggerer", "dag_processor")
    return all((health.get(part) or {}).get("status") == "healthy" for part in parts)


class Stack:
    """The started processes; `stop()` ends each one's process group."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = env
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: tuple[str, ...]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("a", encoding="utf-8")
        # A session of its own: stopping the group also stops the workers each component forks.
        self.procs[name] = subprocess.Popen(
            [airflow_executable(), *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + STOP_GRACE_S
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def up(
    config: StackConfig,
    *,
    sample: bool = True,
    sample_spec=None,
    airflow_home: Path | None = None,
    echo: Callable[[str], None] = print,
) -> int:
    settings = get_settings()
    airflow_home = airflow_home or default_airflow_home()
    log_dir = settings.warehouse_dir / "logs" / "airflow"
    env = config.env(airflow_home)
    if config.executor == "celery":
        _check_reachable(env["AIRFLOW__CELERY__BROKER_URL"], "Celery broker (Redis)")
    echo(f"· airflow home: {airflow_home} ({config.executor} executor; logs: {log_dir})")
    init_airflow(env, log_dir / "init.log")
    airflow_home.mkdir(parents=True, exist_ok=True)
    (airflow_home / STACK_FILE).write_text(json.dumps(asdict(config), indent=2), encoding="utf-8")

    stopping = {"signal": None}

    def request_stop(signum, _frame) -> None:
        stopping["signal"] = signum

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    stack = Stack(env, log_dir)
    try:
        with ExitStack() as resources:
            if sample:
                from extractors.config import load_sources_config
                from talent.sample import served_sample_sources

                sources = load_sources_config(settings.sources_config)
                env["TALENT_SOURCE_BASE_URL"] = resources.enter_context(
                    served_sample_sources(
                        settings, sources, sample_spec, server_log=log_dir / "sample-sources.log", echo=echo
                    )
                )
            for component in COMPONENTS:
                stack.start(component, (component,))
            if config.executor == "celery":
                stack.start("celery-worker", CELERY_WORKER)
            return _supervise(stack, config, airflow_home, stopping, echo)
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        echo("· stopped every Airflow process this command started")


def _supervise(stack: Stack, config: StackConfig, airflow_home: Path, stopping: dict, echo) -> int:
    deadline = time.monotonic() + HEALTH_TIMEOUT_S
    announced = False
    while stopping["signal"] is None:
        dead = stack.dead()
        if dead:
            name = dead[0]
            echo(f"talent airflow up: {name} exited; last lines of {stack.log_dir / (name + '.log')}:")
            echo(log_tail(stack.log_dir / f"{name}.log", lines=25))
            return 1
        if not announced:
            if _healthy(_health(config.port)):
                announced = True
                echo(
                    f"· Airflow UI: http://127.0.0.1:{config.port}  (user admin; password in "
                    f"{airflow_home / PASSWORD_FILE})"
                )
                echo("· Ctrl-C stops every component")
            elif time.monotonic() > deadline:
                echo(f"talent airflow up: not healthy after {HEALTH_TIMEOUT_S}s: {_health(config.port)}")
                return 1
        time.sleep(1)
    return 0


def passthrough(args: list[str], airflow_home: Path | None = None) -> int:
    """Run the airflow CLI with the stack's environment (executor and metadata DB of the last `up`)."""
    airflow_home = airflow_home or default_airflow_home()
    env = remembered_config(airflow_home).env(airflow_home)
    return subprocess.call([airflow_executable(), *args], env=env)
