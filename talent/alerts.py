"""What a failed task says, and to whom.

Every talent task has `on_task_failure` as its failure callback (talent/dag_common.py). It logs one
line a person can act on (which DAG, task, run and try, the error, where the log is) and, when an
Airflow connection `talent_alerts` exists, posts the same line as JSON to that webhook (a WeCom /
DingTalk / Slack-style incoming hook, or any HTTP endpoint). The repository holds no secret: the URL
and an optional bearer token live in the connection (UI, `airflow connections add`, or the
environment variable AIRFLOW_CONN_TALENT_ALERTS)."""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

log = logging.getLogger("talent.alerts")

ALERT_CONN_ID = "talent_alerts"
POST_TIMEOUT_S = 10


def failure_line(context: dict[str, Any]) -> str:
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    run_id = getattr(ti, "run_id", None) or getattr(context.get("dag_run"), "run_id", "?")
    try_number = getattr(ti, "try_number", "?")
    error = context.get("exception")
    reason = (str(error).strip().splitlines() or [type(error).__name__])[0] if error else "unknown error"
    task = f"{task_id}[{map_index}]" if isinstance(map_index, int) and map_index >= 0 else task_id
    where = getattr(ti, "log_url", None)
    line = f"TALENT TASK FAILED {dag_id}.{task} run {run_id} try {try_number}: {reason[:300]}"
    return line + (f" (log: {where})" if where else "")


def webhook_url(conn: Any) -> str:
    """The URL of an HTTP connection whose host is either a whole URL or a host name."""
    host = conn.host or ""
    if host.startswith(("http://", "https://")):
        return host
    scheme = conn.schema or "https"
    port = f":{conn.port}" if conn.port else ""
    endpoint = (conn.extra_dejson or {}).get("endpoint", "")
    return f"{scheme}://{host}{port}{endpoint}"


def _alert_connection() -> Any | None:
    try:
        from airflow.sdk import Connection

        return Connection.get(ALERT_CONN_ID)
    except Exception:  # noqa: BLE001 - no connection configured is the normal case
        return None


def post(url: str, payload: dict[str, Any], token: str | None = None) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=POST_TIMEOUT_S) as response:
        return response.status


def on_task_failure(context: dict[str, Any]) -> None:
    """Airflow failure callback: never raises (an alert that fails must not hide the failure)."""
    line = failure_line(context)
    log.error(line)
    conn = _alert_connection()
    if conn is None:
        return
    try:
        status = post(webhook_url(conn), {"msgtype": "text", "text": {"content": line}}, conn.password)
        log.info("alert posted to connection %s (HTTP %s)", ALERT_CONN_ID, status)
    except Exception as exc:  # noqa: BLE001
        log.warning("could not post the alert to connection %s: %s", ALERT_CONN_ID, exc)
