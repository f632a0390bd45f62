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
