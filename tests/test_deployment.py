"""The team-server deployment (docker-compose.yml + Dockerfile) cannot start here: no Docker engine.
So check what decides whether it starts: the compose file's structure (healthchecks, uid handling,
secrets, bound ports, profiles), that the image bakes all the code and creates and owns every path
the services write, and `docker-compose config` when Debian's docker-compose is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
IMAGE = "bazhong-talent-warehouse:latest"
SECRETS = ("AIRFLOW_JWT_SECRET", "AIRFLOW_FERNET_KEY", "AIRFLOW_API_SECRET_KEY", "POSTGRES_PASSWORD")
DATA_MOUNTS = ("/opt/talent/warehouse", "/opt/airflow/logs", "/opt/airflow/auth")
CODE_DIRS = ("dags", "dbt_project", "talent", "extractors", "expectations", "sample_sources", "config")
LONG_RUNNING = {
    "postgres",
    "redis",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "sources",
}
JOB_TYPES = {
    "airflow-scheduler": "SchedulerJob",
    "airflow-dag-processor": "DagProcessorJob",
    "airflow-triggerer": "TriggererJob",
}
VARIABLE = re.compile(r"\$\$|\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, $$."""

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, op, arg = match.group("name", "op", "arg")
        current = env.get(name)
        if op and op.endswith("?") and not current:
            raise KeyError(f"{name}: {arg}")
        if op == ":-" and not current or op == "-" and current is None:
            return arg
        return current or ""

    return VARIABLE.sub(substitute, value)


def load_compose() -> dict:
    return yaml.safe_load(COMPOSE_TEXT)


def volume_parts(volume: str) -> tuple[str, str, list[str]]:
    """(source, target, options) of a short-syntax volume, its variables at their defaults."""
    source, target, *options = interpolate(volume, {}).split(":")
    return source, target, options


def services() -> dict:
    return load_compose()["services"]


def our_services() -> dict:
    """The services that run the project's image (everything but postgres and redis)."""
    return {name: svc for name, svc in services().items() if svc.get("image") == IMAGE}


def dockerfile_instructions() -> list[str]:
    """One string per instruction, continuation lines joined, comments dropped."""
    lines = [line for line in DOCKERFILE.splitlines() if not line.lstrip().startswith("#")]
    return [
        " ".join(part.split()) for part in "\n".join(lines).replace("\\\n", " ").splitlines() if part.strip()
    ]


def dockerfile_env() -> dict[str, str]:
    env = {}
    for instruction in dockerfile_instructions():
        if instruction.startswith("ENV "):
            env.update(dict(pair.split("=", 1) for pair in instruction[4:].split()))
    return env


def shell_arguments(command: str, text: str) -> set[str]:
    """Every path argument of `command` (e.g. `mkdir -p`) in a shell text."""
    found = set()
    for match in re.finditer(re.escape(command) + r"\s+([^&|;\n]+)", text):
        found.update(word.strip("\"'") for word in match.group(1).split() if word.startswith(("/", '"/')))
    return found


def covers(parents: set[str], path: str) -> bool:
    return any(path == parent or path.startswith(parent.rstrip("/") + "/") for parent in parents)


def mounted_targets() -> set[str]:
    """The writable volume targets of the services that run the project's image."""
    targets = set()
    for svc in our_services().values():
        for volume in svc.get("volumes", []):
            _, target, options = volume_parts(volume)
            if "ro" not in options:
                targets.add(target)
    return targets


def written_paths(tmp_path, monkeypatch) -> set[str]:
    """What the services write: their writable volume targets, AIRFLOW_HOME and its logs, the
    warehouse, and the dbt target/log folders that talent.dbt derives from the warehouse."""
    paths = mounted_targets()
    env = {**dockerfile_env(), **our_services()["airflow-scheduler"]["environment"]}
    paths.update({env["AIRFLOW_HOME"], env["AIRFLOW_HOME"] + "/logs", env["TALENT_WAREHOUSE_DIR"]})

    from talent import dbt

    seen: dict[str, str] = {}

    def fake_run(cmd, env, **kwargs):
        seen.update(env)
        return subprocess.CompletedProcess(cmd, 0, stdout="", stderr="")

    monkeypatch.setenv("TALENT_WAREHOUSE_DIR", env["TALENT_WAREHOUSE_DIR"])
    monkeypatch.setenv("TALENT_DUCKDB_PATH", str(tmp_path / "talent.duckdb"))
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    monkeypatch.delenv("DBT_LOG_PATH", raising=False)
    monkeypatch.setattr(dbt.subprocess, "run", fake_run)
    dbt.run_dbt(["build"])
    paths.update({seen["DBT_TARGET_PATH"], seen["DBT_LOG_PATH"]})
    return paths


def test_compose_runs_every_airflow_3_component_the_sources_and_an_init():
    commands = {name: svc.get("command") for name, svc in services().items()}
    assert commands["airflow-apiserver"] == "airflow api-server"
    assert commands["airflow-scheduler"] == "airflow scheduler"
    assert commands["airflow-dag-processor"] == "airflow dag-processor"
    assert commands["airflow-triggerer"] == "airflow triggerer"
    assert commands["sources"] == "talent sources serve --host 0.0.0.0 --port 8765"
    assert "talent airflow init" in " ".join(commands["airflow-init"])
    assert set(services()) == LONG_RUNNING | {"airflow-init"}


def test_every_long_running_service_has_a_healthcheck():
    for name in LONG_RUNNING:
        check = services()[name].get("healthcheck") or {}
        assert not check.get("disable"), name
        assert check.get("test") and check["test"][0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"
    for name, job_type in JOB_TYPES.items():
        test = " ".join(services()[name]["healthcheck"]["test"])
        assert f"airflow jobs check --job-type {job_type} --hostname" in test, name
    assert "/api/v2/monitor/health" in " ".join(services()["airflow-apiserver"]["healthcheck"]["test"])


def test_init_runs_once_before_every_service_of_the_image():
    init = services()["airflow-init"]
    assert init["restart"] == "no"
    assert init["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name, svc in our_services().items():
        if name != "airflow-init":
            assert svc["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully", name


def test_code_is_baked_into_the_image_and_only_data_is_mounted():
    for name, svc in our_services().items():
        for volume in svc.get("volumes", []):
            source, target, options = volume_parts(volume)
            assert target in DATA_MOUNTS or "ro" in options, f"{name}: {volume}"
            for code in CODE_DIRS:
                assert not source.rstrip("/").endswith(code), f"{name} mounts code: {volume}"
                assert not covers({target}, f"/opt/talent/{code}"), f"{name} hides baked code: {volume}"
    copies = [i for i in dockerfile_instructions() if i.startswith("COPY ")]
    for code in CODE_DIRS:
        assert any(f" {code}/ " in f"{i} " or i.startswith("COPY . ") for i in copies), f"{code} not baked"
    assert "AIRFLOW__CORE__DAGS_FOLDER: /opt/talent/dags" in COMPOSE_TEXT


def test_services_run_as_airflow_uid_in_group_0_and_init_owns_paths_for_it():
    for name, svc in our_services().items():
        expected = "0:0" if name == "airflow-init" else "${AIRFLOW_UID:-50000}:0"
        assert svc["user"] == expected, name
        assert interpolate(svc["user"], {"AIRFLOW_UID": "1234"}) == (
            "0:0" if name == "airflow-init" else "1234:0"
        )
        assert svc["build"]["args"]["AIRFLOW_UID"] == "${AIRFLOW_UID:-50000}"
    script = services()["airflow-init"]["command"][-1]
    assert 'chown -h "$$uid:0"' in script
    assert re.search(r'setpriv --reuid="\$\$uid" --regid=0 .*\n?.*talent airflow init', script)
    assert "ARG AIRFLOW_UID=50000" in dockerfile_instructions()
    assert "USER ${AIRFLOW_UID}:0" in dockerfile_instructions()


def test_no_secret_has_a_default():
    assert "change-me" not in COMPOSE_TEXT.lower()
    for name in SECRETS:
        uses = re.findall(r"\$\{" + name + r"(:?[-?]?)", COMPOSE_TEXT)
        assert uses and set(uses) == {":?"}, f"{name} must be required everywhere: {uses}"
    env = our_services()["airflow-scheduler"]["environment"]
    assert env["AIRFLOW__CORE__FERNET_KEY"].startswith("${AIRFLOW_FERNET_KEY:?")
    assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW_JWT_SECRET:?")
    with pytest.raises(KeyError, match="AIRFLOW_FERNET_KEY"):
        interpolate(env["AIRFLOW__CORE__FERNET_KEY"], {"AIRFLOW_FERNET_KEY": ""})


def test_env_example_documents_each_secret_with_a_command_and_stays_out_of_git_and_the_image():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in (*SECRETS, "AIRFLOW_UID"):
        block = example.split(f"\n{name}=")[0].rsplit("\n\n", 1)[-1]
        assert re.search(r"#\s+(openssl|id) ", block), f".env.example gives no command for {name}"
        assert re.search(rf"^{name}=$", example, re.M), f"{name} must be empty in .env.example"
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".env" in (ROOT / ".dockerignore").read_text(encoding="utf-8").split()


def test_api_is_bound_to_localhost_unless_configured_and_nothing_else_is_published():
    for name, svc in services().items():
        if name != "airflow-apiserver":
            assert "ports" not in svc, f"{name} publishes a port"
    (port,) = services()["airflow-apiserver"]["ports"]
    assert interpolate(port, {}) == "127.0.0.1:8080:8080"
    assert (
        interpolate(port, {"AIRFLOW_API_BIND": "0.0.0.0", "AIRFLOW_API_PORT": "9090"}) == "0.0.0.0:9090:8080"
    )


def test_celery_profile_adds_redis_and_a_worker_and_local_executor_is_the_default():
    svcs = services()
    assert svcs["redis"]["profiles"] == ["celery"] and svcs["airflow-worker"]["profiles"] == ["celery"]
    assert "exec airflow celery worker" in svcs["airflow-worker"]["command"][-1]
    assert svcs["airflow-worker"]["depends_on"]["redis"]["condition"] == "service_healthy"
    env = svcs["airflow-worker"]["environment"]
    assert interpolate(env["AIRFLOW__CORE__EXECUTOR"], {}) == "LocalExecutor"
    assert (
        interpolate(env["AIRFLOW__CORE__EXECUTOR"], {"AIRFLOW_EXECUTOR": "CeleryExecutor"})
        == "CeleryExecutor"
    )
    assert interpolate(env["AIRFLOW__CELERY__BROKER_URL"], {}) == "redis://redis:6379/0"
    secrets = dict.fromkeys(SECRETS, "s")
    assert (
        interpolate(env["AIRFLOW__CELERY__RESULT_BACKEND"], secrets)
        == "db+postgresql+psycopg2://airflow:s@postgres:5432/airflow"
    )
    # A plain `up` must not need a profile's service.
    for name, svc in svcs.items():
        if not svc.get("profiles"):
            needed = {dep for dep in svc.get("depends_on", {}) if svcs[dep].get("profiles")}
            assert not needed, f"{name} depends on profile services {needed}"


def test_sample_sources_are_a_profile_and_the_base_url_is_overridable():
    sources = services()["sources"]
    assert sources["profiles"] == ["sample"]
    base = our_services()["airflow-scheduler"]["environment"]["TALENT_SOURCE_BASE_URL"]
    assert interpolate(base, {}) == "http://sources:8765"
    assert interpolate(base, {"TALENT_SOURCE_BASE_URL": "https://data.example"}) == "https://data.example"


def test_dockerfile_creates_and_owns_every_path_the_services_write(tmp_path, monkeypatch):
    written = written_paths(tmp_path, monkeypatch)
    instructions = " ".join(dockerfile_instructions())
    created = shell_arguments("mkdir -p", instructions)
    owned = shell_arguments('chown -R "${AIRFLOW_UID}:0"', instructions)
    group_writable = shell_arguments("chmod -R g+rwX", instructions)
    init = services()["airflow-init"]["command"][-1].replace("\\\n", " ")
    init_owned = set(re.search(r'mounted="([^"]+)"', init).group(1).split())
    init_created = init_owned | shell_arguments("mkdir -p", init)
    assert re.search(r'find \$\$mounted .*-exec chown -h "\$\$uid:0"', init)
    assert re.search(r"find \$\$mounted .*-exec chmod g\+rwX", init)
    for path in sorted(written):
        assert any(covers({path}, made) for made in created), f"Dockerfile never creates {path}"
        assert covers(owned, path), f"Dockerfile does not chown {path} to AIRFLOW_UID"
        assert covers(group_writable, path), f"Dockerfile does not make {path} group-writable"
        if covers(mounted_targets(), path):
            # A mount hides the image's folder: init creates it again on the volume and owns it.
            assert path in init_created, f"airflow-init does not create {path}"
            assert covers(init_owned, path), f"airflow-init does not chown {path}"


def test_image_installs_the_lock_with_the_server_extras():
    assert "FROM python:3.11" in DOCKERFILE
    assert "-r requirements.lock" in DOCKERFILE
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for package in ("apache-airflow-providers-celery", "psycopg2-binary", "asyncpg"):
        assert re.search(rf"^{package}==", lock, re.M) or f"{package}==" in DOCKERFILE, package


def compose_config(tmp_path, *args: str, secrets: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "AIRFLOW", "TALENT_"))}
    env = {k: v for k, v in env.items() if k not in SECRETS}
    if secrets:
        env.update(dict.fromkeys(SECRETS, "dummy"), AIRFLOW_UID="1234")
    empty_env_file = tmp_path / "empty.env"  # a developer's own .env must not decide the outcome
    empty_env_file.write_text("")
    cmd = ["docker-compose", "--env-file", str(empty_env_file), "-f", str(ROOT / "docker-compose.yml")]
    return subprocess.run([*cmd, *args, "config"], env=env, capture_output=True, text=True, timeout=120)


needs_compose = pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose is not installed (as root: `make system-deps` or apt-get install docker-compose)",
)


@needs_compose
@pytest.mark.parametrize(
    "profiles", [(), ("--profile", "celery"), ("--profile", "sample", "--profile", "celery")]
)
def test_docker_compose_accepts_the_file(tmp_path, profiles):
    result = compose_config(tmp_path, *profiles)
    assert result.returncode == 0, result.stderr
    rendered = yaml.safe_load(result.stdout)
    assert rendered["services"]["airflow-apiserver"]["ports"][0].startswith("127.0.0.1:8080:8080")
    assert rendered["services"]["airflow-scheduler"]["user"] == "1234:0"


@needs_compose
def test_docker_compose_refuses_to_start_without_the_secrets(tmp_path):
    result = compose_config(tmp_path, secrets=False)
    assert result.returncode != 0
    assert any(name in result.stderr for name in SECRETS), result.stderr
