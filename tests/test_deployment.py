"""The team-server deployment cannot run here (no Docker engine), so check what can be checked:
the compose file's structure, that it runs the same DAG folder and pool, and that the image
installs the same lock file the tests run on."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_every_airflow_3_component_and_postgres():
    services = load_compose()["services"]
    assert {
        "postgres",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
    } <= set(services)
    commands = {name: svc.get("command") for name, svc in services.items()}
    assert commands["airflow-apiserver"] == "airflow api-server"
    assert commands["airflow-dag-processor"] == "airflow dag-processor"


def test_airflow_services_share_metadata_db_dags_and_execution_api():
    services = load_compose()["services"]
    for name, svc in services.items():
        if not name.startswith("airflow-"):
            continue
        env = svc["environment"]
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://")
        assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/talent/dags"
        assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"].startswith("http://airflow-apiserver:8080/")
        assert "./dags:/opt/talent/dags" in svc["volumes"]
        assert svc["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_init_creates_the_duckdb_single_writer_pool():
    from talent.dag_common import DUCKDB_POOL

    init = load_compose()["services"]["airflow-init"]
    script = " ".join(init["command"])
    assert "airflow db migrate" in script
    assert f"airflow pools set {DUCKDB_POOL} 1" in script


def test_image_installs_the_locked_dependencies():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11" in dockerfile
    assert "-r requirements.lock" in dockerfile
