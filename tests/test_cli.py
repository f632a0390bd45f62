"""The `talent` command helps: every subcommand has help text and bad arguments get a clear error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from talent.cli import build_parser


def talent(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "talent.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_top_level_help_lists_commands_and_environment():
    out = talent("--help")
    assert out.returncode == 0
    for word in ("run", "sources", "transform", "publish", "TALENT_WAREHOUSE_DIR"):
        assert word in out.stdout


@pytest.mark.parametrize("command", [["run"], ["sources", "generate"], ["sources", "serve"], ["publish"]])
def test_every_subcommand_has_help(command):
    out = talent(*command, "--help")
    assert out.returncode == 0, out.stderr
    assert "usage: talent" in out.stdout


def test_malformed_month_is_refused_with_the_expected_format():
    with pytest.raises(SystemExit):
        build_parser().parse_args(["publish", "--month", "2026-13"])
    out = talent("publish", "--month", "Oct 2026")
    assert out.returncode == 2
    assert "YYYY-MM" in out.stderr


def test_sources_serve_serves_an_existing_sample_site(tmp_path):
    """`talent sources serve` keeps a site that is already there (one a fault test changed, say)."""
    import os
    import socket
    import time
    import urllib.request

    from sample_sources.generate import generate_site

    site = tmp_path / "site"
    generate_site(site, seed=3, postings=60)
    marker = site / "index.html"
    marker.write_bytes(marker.read_bytes() + b"<!-- kept -->")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "TALENT_WAREHOUSE_DIR": str(tmp_path / "warehouse")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "talent.cli", "sources", "serve", "--dir", str(site), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as response:
                    body = response.read()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "the sample server did not come up"
                time.sleep(0.3)
        assert body.endswith(b"<!-- kept -->")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
