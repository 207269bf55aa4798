"""Faults: Ctrl-C, a killed process, a run killed at any cache write, concurrent runs on one cache.

Each run is a process of its own (`fault_driver.py`: the real command, with hooks that hold it
in a phase or stop it at a chosen write). Waits are bounded and generous: they detect a hang,
they do not measure speed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from corpus import generate

from layerlint.cli import main

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups read from /proc")

DRIVER = Path(__file__).with_name("fault_driver.py")
WAIT = 60.0  # seconds before a run that has not ended counts as hung
ROUTERS = "app/api/v1/routers"
NEW_VIOLATION = "\n\nfrom app.domain.shared.base_repository import BaseRepository\n"  # LL101


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Read-only for tests that use no cache; the others copy it."""
    return generate(tmp_path_factory.mktemp("generated") / "project", domains=6)


def start(project: Path, *hooks: str, args: tuple[str, ...]) -> subprocess.Popen[bytes]:
    """`layerlint check ARGS` in a process group of its own, as a shell runs a command."""
    return subprocess.Popen([sys.executable, str(DRIVER), *hooks, "--", "check", *args], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


@contextmanager
def ended(run: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """Whatever the test found, nothing of the run is left behind."""
    try:
        yield run
    finally:
        for pid in alive_in_group(run.pid):
            os.kill(pid, signal.SIGKILL)
        if run.poll() is None:
            run.kill()
        run.communicate()


def alive_in_group(group: int) -> list[int]:
    """Processes of a process group that still run."""
    return [int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and _group_if_running(entry) == group]


def alive(pid: int) -> bool:
    return _group_if_running(Path(f"/proc/{pid}")) is not None


def _group_if_running(entry: Path) -> int | None:
    """A process's group; None once it has ended (a zombie has: only its parent is late to reap it)."""
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return None
    state, _, group = stat[stat.rindex(")") + 2:].split()[:3]
    return int(group) if state in "RSDTt" else None


def wait_until(condition: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def held_processes(markers: Path, phase: str, run: subprocess.Popen[bytes]) -> list[int]:
    """The processes the run holds in `phase`, once one is there."""
    def there() -> bool:
        return any(markers.glob(f"{phase}-*")) or run.poll() is not None

    assert wait_until(there), f"no process reached the {phase} phase"
    assert run.poll() is None, run.communicate()[1].decode()
    return [int(marker.name.rsplit("-", 1)[1]) for marker in markers.glob(f"{phase}-*")]


# ------------------------------------------------------------------------------------- Ctrl-C


@pytest.mark.parametrize(("phase", "jobs"), [("parse", 2), ("rules", 2), ("rules", 1)],
                         ids=["parse-workers", "rule-workers", "one-process"])
def test_ctrl_c_prints_one_line_and_exits_130(generated: Path, tmp_path: Path, phase: str, jobs: int) -> None:
    """A terminal sends SIGINT to the whole foreground process group: parent and workers."""
    with ended(start(generated, "--small-pools", "--hold", phase, str(tmp_path),
                     args=("--no-cache", "--jobs", str(jobs), "."))) as run:
        held = held_processes(tmp_path, phase, run)
        assert (held == [run.pid]) == (jobs == 1)
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=WAIT)
        assert (run.returncode, err.decode(), out) == (130, "layerlint: interrupted\n", b"")
        assert wait_until(lambda: not alive_in_group(run.pid)), "a worker outlived the interrupted run"


STARTING = """
import importlib.abc, pathlib, runpy, sys, time

marker = pathlib.Path(sys.argv[1])

class HoldClick(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "click":  # the CLI's first import: hold the run while it is starting
            marker.touch()
            time.sleep(60)

sys.meta_path.insert(0, HoldClick())
sys.argv = ["layerlint", "--version"]
runpy.run_module("layerlint", run_name="__main__", alter_sys=True)  # python -m layerlint
"""


def test_ctrl_c_while_the_command_is_starting_prints_one_line_and_exits_130(tmp_path: Path) -> None:
    script, marker = tmp_path / "starting.py", tmp_path / "importing-click"
    script.write_text(STARTING)
    with ended(subprocess.Popen([sys.executable, str(script), str(marker)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)) as run:
        assert wait_until(lambda: marker.exists() or run.poll() is not None) and run.poll() is None
        os.killpg(run.pid, signal.SIGINT)
        out, err = run.communicate(timeout=WAIT)
        assert (run.returncode, err.decode(), out) == (130, "layerlint: interrupted\n", b"")


@pytest.mark.parametrize("phase", ["parse", "rules"])
def test_workers_end_when_their_parent_is_killed(generated: Path, tmp_path: Path, phase: str) -> None:
    """As the OOM killer does: only the parent gets SIGKILL; its workers must not live on, blocked."""
    with ended(start(generated, "--small-pools", "--hold", phase, str(tmp_path),
                     args=("--no-cache", "--jobs", "2", "."))) as run:
        workers = held_processes(tmp_path, phase, run)
        assert workers and run.pid not in workers
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=WAIT)
        assert wait_until(lambda: not any(map(alive, workers))), "workers outlived their killed parent"


def test_a_killed_worker_costs_time_not_findings(generated: Path, tmp_path: Path) -> None:
    """A parse worker killed (the OOM killer's choice): the others are ended, this process parses
    what is left, and the findings are those of a run without faults."""
    with ended(start(generated, "--small-pools", "--hold", "parse-in-workers", str(tmp_path),
                     args=("--no-cache", "--jobs", "2", "--format", "json", "."))) as run:
        os.kill(held_processes(tmp_path, "parse-in-workers", run)[0], signal.SIGKILL)
        out, err = run.communicate(timeout=WAIT)
        assert (run.returncode, err, out.decode()) == (1, b"", findings(generated))
        assert wait_until(lambda: not alive_in_group(run.pid))


HOST = """
import time
from layerlint.project.reading import parallel

def task(seconds):
    time.sleep(seconds)
    return seconds

if __name__ == "__main__":
    results = parallel.map_tasks(task, [0, 3600, 3600, 3600], 2, 4, minimum=1)
    print(next(results), flush=True)
    results.close()  # a host that stops reading: an error, or Ctrl-C caught by flake8 or pylint
    print("closed", flush=True)
"""


def test_a_host_that_stops_reading_results_is_not_held_by_busy_workers(tmp_path: Path) -> None:
    """Without the CLI's exit: the pool must end its workers, not wait for their tasks."""
    script = tmp_path / "host.py"
    script.write_text(HOST)
    with ended(subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True)) as run:
        out, err = run.communicate(timeout=WAIT)
        assert (run.returncode, out, err) == (0, b"0\nclosed\n", b"")
        assert wait_until(lambda: not alive_in_group(run.pid))


# ------------------------------------------------------------------------ killed at any write


def findings(project: Path, *args: str) -> str:
    """The JSON report of an in-process run (the expected output; `--no-cache` unless told)."""
    result = CliRunner().invoke(main, ["check", "--format", "json", *(args or ("--no-cache",)), str(project)])
    assert result.exit_code in (0, 1), result.output
    return result.output


class Edits:
    """Toggle one router between two versions with different findings; every save gets a stat
    of its own (a new mtime, in the past: no racy-stat guard hides a stale cache entry)."""

    def __init__(self, project: Path) -> None:
        self.path = sorted((project / ROUTERS).glob("[a-z]*.py"))[0]
        self.versions = [self.path.read_text(), self.path.read_text() + NEW_VIOLATION]
        self.saves = 0
        self.current = 0
        self.expected = [findings(project)]
        self.toggle()
        self.expected.append(findings(project))
        assert self.expected[0] != self.expected[1]
        self.toggle()

    def toggle(self) -> None:
        self.current = 1 - self.current
        self.saves += 1
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(self.versions[self.current])
        when = time.time() - 600 + self.saves
        os.utime(temporary, (when, when))
        os.replace(temporary, self.path)  # an atomic save, as editors and git do


def stop(project: Path, cache: Path, write: int, signame: str) -> bool:
    """Run until just before the write-th cache file is renamed into place, then send `signame`
    to the run's process group; False when the run had fewer writes and ended by itself."""
    counter = cache.with_name("writes")
    counter.unlink(missing_ok=True)
    with ended(start(project, "--small-pools", "--stop-at-write", str(write), signame, str(counter),
                     args=("--cache-dir", str(cache), "--jobs", "2", "--format", "json", "."))) as run:
        run.communicate(timeout=WAIT)
    if run.returncode in (0, 1):
        return False
    assert run.returncode == (-signal.SIGKILL if signame == "SIGKILL" else 130), write
    return True


@pytest.mark.parametrize("signame", ["SIGKILL", "SIGINT"])
def test_a_run_stopped_at_any_cache_write_leaves_a_cache_that_gives_the_right_findings(
        generated: Path, tmp_path: Path, signame: str) -> None:
    """Stopped before its k-th rename (so after k-1 of them), for every k of a cold run and of a
    run after an edit; the next run, with an edit in between or not, must give the `--no-cache`
    findings of the tree it sees."""
    project = shutil.copytree(generated, tmp_path / "project")
    cache = tmp_path / "cache"
    edits = Edits(project)
    write = 1
    while True:  # a cold run stopped, an edit, the next run
        shutil.rmtree(cache, ignore_errors=True)
        stopped = stop(project, cache, write, signame)
        edits.toggle()
        assert findings(project, "--cache-dir", str(cache)) == edits.expected[edits.current], write
        if not stopped:
            break
        write += 1
    # Runs were stopped at several writes, so the sweep is not vacuous. How many writes a run makes
    # is not fixed: tree.json is skipped while a file is racy (saved under 2 s before the run), and
    # findings already stored for the same facts are not written again.
    assert write > 2
    write = 1
    while True:  # a full cache, an edit, a run stopped, the next run
        edits.toggle()
        stopped = stop(project, cache, write, signame)
        assert findings(project, "--cache-dir", str(cache)) == edits.expected[edits.current], write
        if not stopped:
            break
        write += 1
    assert write > 1


def test_temporary_files_of_stopped_runs_are_removed_once_stale(generated: Path, tmp_path: Path) -> None:
    """A run stopped between writing a cache file and renaming it leaves the temporary behind."""
    cache = tmp_path / "cache"
    findings(generated, "--cache-dir", str(cache))
    [namespace] = [path for path in cache.iterdir() if path.is_dir()]
    stale, recent = namespace / ".files.json.123.456.tmp", namespace / ".files.json.789.012.tmp"
    for temporary in (stale, recent):
        temporary.write_text('{"format": "half a')
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    for stored in namespace.glob("findings-*.json"):
        stored.unlink()  # the next run stores its findings again
    assert findings(generated, "--cache-dir", str(cache)) == findings(generated)
    assert not stale.exists() and recent.exists()  # a recent one may be a concurrent run's


# ---------------------------------------------------------------------------- concurrent runs


def test_eight_concurrent_runs_on_one_cache_give_the_findings_of_the_tree_they_saw(
        generated: Path, tmp_path: Path) -> None:
    project = shutil.copytree(generated, tmp_path / "project")
    cache = tmp_path / "cache"
    edits = Edits(project)
    args = ("--cache-dir", str(cache), "--jobs", "2", "--format", "json", ".")
    for _ in range(2):  # a cold cache, then a warm one after an edit: every run sees one tree
        runs = [start(project, "--small-pools", args=args) for _ in range(8)]
        outputs = [run.communicate(timeout=WAIT)[0].decode() for run in runs]
        assert outputs == [edits.expected[edits.current]] * 8
        edits.toggle()
    runs = []
    for index in range(8):  # edits while runs are under way: each sees one version or the other
        runs.append(start(project, "--small-pools", args=args))
        if index % 2:
            time.sleep(0.1)
            edits.toggle()
    outputs = [run.communicate(timeout=WAIT)[0].decode() for run in runs]
    assert set(outputs) <= set(edits.expected)
    assert findings(project, "--cache-dir", str(cache)) == edits.expected[edits.current]
