"""A failed task says so in one readable line and, when the `talent_alerts` connection exists, posts
it to that webhook: checked through a real failing task run by real Airflow (`airflow dags test`)
against a real local HTTP server, and the line's wording on its own."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest

from talent.alerts import failure_line, webhook_url


@pytest.fixture
def webhook():
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"body": json.loads(body), "auth": self.headers.get("Authorization")})
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    server.shutdown()
    server.server_close()


def test_failure_line_names_dag_task_run_try_and_error():
    ti = SimpleNamespace(
        dag_id="ingest_schools", task_id="extract", map_index=-1, run_id="manual__x", try_number=3
    )
    line = failure_line({"task_instance": ti, "exception": ValueError("bad header in 巴中职中.csv\nmore")})
    assert line == "TALENT TASK FAILED ingest_schools.extract run manual__x try 3: bad header in 巴中职中.csv"


def test_webhook_url_from_a_url_host_or_parts():
    assert (
        webhook_url(SimpleNamespace(host="http://h:1/x", schema=None, port=None, extra_dejson={}))
        == "http://h:1/x"
    )
    conn = SimpleNamespace(host="hooks.example", schema="https", port=8443, extra_dejson={"endpoint": "/a"})
    assert webhook_url(conn) == "https://hooks.example:8443/a"


@pytest.mark.e2e
def test_a_failing_task_posts_to_the_configured_webhook(tmp_path, webhook):
    url, received = webhook
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "always_fails.py").write_text(
        textwrap.dedent(
            """
            import pendulum
            from airflow.sdk import dag, task
            from talent.dag_common import TASK_DEFAULT_ARGS

            @dag(schedule=None, start_date=pendulum.datetime(2026, 1, 1), default_args=TASK_DEFAULT_ARGS)
            def always_fails():
                @task
                def explode():
                    raise ValueError("school export 巴中职中.csv row 7 field 毕业生数: not a number")

                explode()

            always_fails()
            """
        )
    )
    from talent.airflow_env import airflow_env, init_airflow

    env = airflow_env(tmp_path / "airflow", fail_fast=True)
    env["AIRFLOW__CORE__DAGS_FOLDER"] = str(dags)
    env["AIRFLOW_CONN_TALENT_ALERTS"] = json.dumps(
        {"conn_type": "http", "host": url, "password": "s3cret-token"}
    )
    env["TALENT_WAREHOUSE_DIR"] = str(tmp_path / "warehouse")
    init_airflow(env, tmp_path / "init.log")
    airflow = str(Path(sys.executable).with_name("airflow"))
    proc = subprocess.run(
        [airflow, "dags", "test", "always_fails", "2026-11-02"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "TALENT TASK FAILED always_fails.explode" in output
    assert len(received) == 1, output[-3000:]
    content = received[0]["body"]["text"]["content"]
    assert content.startswith("TALENT TASK FAILED always_fails.explode run ")
    assert "毕业生数: not a number" in content
    assert received[0]["auth"] == "Bearer s3cret-token"
