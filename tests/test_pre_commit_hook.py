"""`pre-commit try-repo` installs layerlint from this repository (language: python) and runs the
hook on a fixture repository: whole-project findings, reported only for the files passed.

Slowest test of the suite (~25 s: pre-commit builds a virtualenv and installs layerlint's
dependencies from PyPI)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from integration_helpers import BIN, copy_catalog

REPO = Path(__file__).parent.parent


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=tests@example.com", "-c", "user.name=tests", *args],
                   cwd=cwd, check=True, capture_output=True)


def snapshot_of_layerlint(destination: Path) -> Path:
    """The working tree as a one-commit repository: try-repo on REPO itself would carry only the
    tracked files' changes, so new modules of a half-committed change would be missing."""
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, destination / name)
    shutil.copytree(REPO / "src", destination / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    git(destination, "init", "-q")
    git(destination, "add", ".")
    git(destination, "commit", "-qm", "snapshot")
    return destination


@pytest.mark.slow
def test_pre_commit_try_repo_reports_findings_of_the_changed_files(tmp_path: Path) -> None:
    source = tmp_path / "layerlint"
    source.mkdir()
    snapshot_of_layerlint(source)
    project = copy_catalog(tmp_path)
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-qm", "fixture")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    completed = subprocess.run(
        [str(BIN / "pre-commit"), "try-repo", str(source), "layerlint", "--files",
         "app/api/routers/products.py", "app/api/routers/search.py"],
        cwd=project, env=environment, capture_output=True, text=True, timeout=600)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "app/api/routers/products.py:3:1: LL101" in output
    assert "app/api/routers/products.py:10:1: LL201" in output
    assert "app/api/routers/search.py:3:1: LL102" in output  # a chain through an unchanged module
    assert "drafts.py" not in output and "audit_repository.py" not in output  # files not passed
