"""Output that fits in a terminal: `--statistics` alone, `--quiet`, `--silent`, the concise and grouped
formats, colour as NO_COLOR / FORCE_COLOR / `--color` say, and the progress line of a long run."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import FIXTURES
from layerlint import progress
from layerlint.cli import main
from layerlint.reporters.text import color_wanted

DIRECT = FIXTURES / "ll101" / "direct_imports"
ROUTER = "app/api/v1/routers/items.py"
SUMMARY = "Found 5 findings in 1 of 9 files."


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--no-cache", *args, str(DIRECT)], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_statistics_print_the_table_not_the_findings() -> None:
    code, out, _ = run("--statistics")
    assert code == 1 and out.splitlines() == ["    5  LL101  router-imports-repository", "", SUMMARY]


def test_statistics_in_json_are_counts() -> None:
    _, out, _ = run("--statistics", "--format", "json")
    assert json.loads(out) == [{"code": "LL101", "name": "router-imports-repository", "count": 5}]


def test_statistics_with_a_format_that_has_no_table_is_a_usage_error() -> None:
    code, _, err = run("--statistics", "--format", "sarif")
    assert code == 2 and "--statistics" in err and "sarif" in err


def test_quiet_prints_the_findings_alone() -> None:
    code, out, _ = run("-q")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 5 and all(line.startswith(f"{ROUTER}:") for line in lines)
    assert run("--quiet", "--statistics")[1].splitlines() == ["    5  LL101  router-imports-repository"]


def test_silent_prints_nothing_and_keeps_the_exit_code() -> None:
    assert run("--silent")[:2] == (1, "")
    assert run("-s", "--select", "LL2")[:2] == (0, "")


def test_concise_is_one_line_per_finding() -> None:
    assert run("--format", "concise")[1] == run()[1]


def test_grouped_names_each_file_once() -> None:
    out = run("--format", "grouped")[1]
    lines = out.splitlines()
    assert lines[0] == f"{ROUTER}:" and lines[1].startswith("  1:1 LL101 router imports repository")
    assert [line.split()[0] for line in lines[1:6]] == ["1:1", "2:1", "3:1", "4:1", "9:5"]
    assert lines[6:] == ["", SUMMARY]


@pytest.mark.parametrize(("choice", "terminal", "environment", "wanted"), [
    ("auto", True, {}, True),
    ("auto", False, {}, False),
    ("auto", True, {"NO_COLOR": "1"}, False),
    ("auto", True, {"NO_COLOR": ""}, True),  # set but empty: no-color.org says it does not count
    ("auto", False, {"FORCE_COLOR": "1"}, True),
    ("auto", False, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ("always", False, {"NO_COLOR": "1"}, True),
    ("never", True, {"FORCE_COLOR": "1"}, False),
])
def test_color_wanted(choice: str, terminal: bool, environment: dict[str, str], wanted: bool) -> None:
    assert color_wanted(choice, terminal, environment) is wanted


@pytest.mark.parametrize("output_format", ["text", "grouped"])
def test_force_color_colours_a_pipe_and_no_color_wins(output_format: str) -> None:
    assert "\033[31m" in run("--format", output_format, env={"FORCE_COLOR": "1"})[1]
    assert "\033[" not in run("--format", output_format, env={"FORCE_COLOR": "1", "NO_COLOR": "1"})[1]
    assert "\033[" not in run("--format", output_format, "--color", "never", env={"FORCE_COLOR": "1"})[1]


def test_the_progress_line_shows_after_the_delay_and_is_erased() -> None:
    stream = io.StringIO()
    line = progress.ProgressLine(stream)
    line.found(1043)
    with progress.progress_after_delay(line, 0.01):
        deadline = time.monotonic() + 30
        while not line.shown and time.monotonic() < deadline:
            time.sleep(0.01)
    assert stream.getvalue() == "layerlint: checking 1,043 files..." + progress.ERASE_LINE


def test_a_quick_block_shows_no_progress_line() -> None:
    stream = io.StringIO()
    with progress.progress_after_delay(progress.ProgressLine(stream), 60):
        pass
    assert stream.getvalue() == ""


def _stderr_of_check(args: list[str], terminal: bool) -> str:
    """`layerlint check` in a process whose stderr is a terminal (a pty) or a pipe, with no delay."""
    script = ("import layerlint.progress as p; p.DELAY_SECONDS = 1e-6; "
              "from layerlint.cli import main; main()")
    command = [sys.executable, "-c", script, "check", "--no-cache", *args, str(DIRECT)]
    if not terminal:
        return subprocess.run(command, capture_output=True, text=True, check=False).stderr
    leader, follower = pty.openpty()
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=follower) as process:
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the process closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait()
    os.close(leader)
    return b"".join(chunks).decode()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a pty as stderr")
def test_progress_on_a_terminal_only_and_never_with_a_machine_format() -> None:
    assert "layerlint: checking 9 files..." in _stderr_of_check([], terminal=True)
    assert "checking" not in _stderr_of_check([], terminal=False)
    assert "checking" not in _stderr_of_check(["--format", "json"], terminal=True)
    assert "checking" not in _stderr_of_check(["--quiet"], terminal=True)
