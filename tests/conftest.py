"""The harness on the import path, `--update-expected` (tests/harness.py), and a check that the
tests write nothing into the source tree (a run that writes a cache runs on a copy under
tmp_path: `copy_of`, harness.copy_fixture)."""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir

sys.path.insert(0, str(Path(__file__).parent))

from harness import copy_fixture  # noqa: E402  (the harness is importable from here on)

# Fixture projects are data, never test modules: tests/fixtures/never_run/conftest.py would exit.
collect_ignore = ["fixtures"]

REPO = Path(__file__).parent.parent
# What a test run may leave: the interpreter's and pytest's own files, and the installed package.
ALLOWED_PARTS = (".venv", ".pytest_cache", "__pycache__")
ALLOWED_SUFFIXES = (".egg-info",)
Snapshot = dict[str, int]
_BEFORE = pytest.StashKey["Snapshot | None"]()


# Hypothesis writes nothing into the checkout (the suite writes nothing into the tree): no example
# database (a failing example is printed with the line that replays it) and its other files
# (the constants it collects from the source) in a temporary directory.
settings.register_profile("layerlint", database=None)
settings.load_profile("layerlint")
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="layerlint-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-expected", action="store_true",
                     help="Rewrite each fixture's expected.txt from the findings (tests/harness.py).")


@pytest.fixture
def copy_of(tmp_path: Path) -> Callable[[Path], Path]:
    """`copy_of(root)`: a project copied under tmp_path, for a run that writes its cache there."""
    numbers = itertools.count()
    return lambda root: copy_fixture(root, tmp_path / f"copy{next(numbers)}")


def tree_snapshot(repo: Path) -> Snapshot | None:
    """Every untracked, ignored or modified file git sees, with its mtime; None outside a checkout."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=repo, capture_output=True, text=True,
                             check=True).stdout.strip()
        listed = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all", "-z",
                                 "--", ".", ":!.venv"], cwd=repo, capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    snapshot: Snapshot = {}
    for entry in listed.decode("utf-8", "surrogateescape").split("\0"):
        path = entry[3:]
        if not path or _allowed(path):
            continue
        try:
            snapshot[path] = os.stat(Path(top, path)).st_mtime_ns  # porcelain paths: from the top
        except OSError:  # deleted
            snapshot[path] = -1
    return snapshot


def _allowed(path: str) -> bool:
    parts = path.split("/")
    return any(part in ALLOWED_PARTS or part.endswith(ALLOWED_SUFFIXES) for part in parts)


def written(before: Snapshot, after: Snapshot) -> list[str]:
    return sorted(path for path, mtime in after.items() if before.get(path) != mtime)


def pytest_sessionstart(session: pytest.Session) -> None:
    session.stash[_BEFORE] = tree_snapshot(REPO)


def pytest_sessionfinish(session: pytest.Session) -> None:
    before = session.stash.get(_BEFORE, None)
    after = tree_snapshot(REPO) if before is not None else None
    if before is None or after is None or session.config.getoption("--update-expected"):
        return  # not a git checkout, or a run that writes expected files on purpose
    paths = written(before, after)
    if paths:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write("\n")
            reporter.write_sep("=", "the tests wrote into the source tree", red=True)
            for path in paths[:20]:
                reporter.write_line(f"  {path}")
            reporter.write_line(f"  ({len(paths)} files)")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed in this process (small projects are never sent to workers)."""
    from layerlint.project.reading import loader

    parsed: list[str] = []
    original = loader.facts_from_bytes

    def counting(source: object, data: bytes) -> object:
        parsed.append(source.relative)  # type: ignore[attr-defined]
        return original(source, data)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "facts_from_bytes", counting)
    return parsed
