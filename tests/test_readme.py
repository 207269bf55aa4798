"""The README's shell commands work: each fenced `sh` block runs on a copy of the example project
(or is named below with why it is not run here), a `$ command` block prints what it shows, the
set-up keeps exactly two commands, and the install, pre-commit and set-up instructions work on a
fresh virtualenv (marked slow: they install from the package registry)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from integration_helpers import BIN, copy_catalog

REPO = Path(__file__).parent.parent
README = (REPO / "README.md").read_text()
EXAMPLE = REPO / "examples" / "shop"

# First line of a block -> why this test does not run it (each is run elsewhere or is too long).
NOT_RUN_HERE = {
    ".venv/bin/python -m pytest tests/test_fixtures.py --update-expected":
        "rewrites the fixtures' expected.txt in the checkout (tests/test_fixtures.py runs it on a copy)",
    ".venv/bin/python benchmarks/bench.py               # ~100k and ~1M lines, 3 repetitions (~10 min)":
        "about ten minutes; benchmarks are not tests",
    "pip wheel --no-deps -w dist .          # in the checkout: dist/layerlint-<version>-py3-none-any.whl":
        "installs from the registry: test_the_wheel_instructions_install_a_working_layerlint (slow)",
}


@dataclass(frozen=True)
class Block:
    language: str
    lines: list[str]
    section: str  # the heading above it

    @property
    def first(self) -> str:
        return self.lines[0]


def blocks() -> list[Block]:
    found = []
    section = ""
    for match in re.finditer(r"^(#{2,3} [^\n]*)$|^```(\w*)\n(.*?)^```", README, re.S | re.M):
        if match[1]:
            section = match[1].lstrip("# ")
        else:
            found.append(Block(match[2], match[3].splitlines(), section))
    return found


def shell_blocks() -> list[Block]:
    return [b for b in blocks() if b.language in ("sh", "bash", "shell")]


def commands(block: Block) -> list[str]:
    """Each command of a block: comments dropped, optional arguments (`[PATH]`) left out."""
    found = []
    for line in block.lines:
        command = re.sub(r"\s+#.*$", "", line).strip()
        if command and not command.startswith("#"):
            found.append(re.sub(r"\s*\[[A-Z.]+\]", "", command))
    return found


def example_copy(tmp_path: Path) -> Path:
    """`examples/shop` inside a fresh directory, so commands naming it and commands run in it both work."""
    shutil.copytree(EXAMPLE, tmp_path / "examples" / "shop", ignore=shutil.ignore_patterns(".layerlint_cache"))
    return tmp_path


def run(command: str, cwd: Path, bin_directory: Path = BIN) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PATH": f"{bin_directory}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=environment, capture_output=True, text=True,
                          timeout=600)


def runnable() -> list[Block]:
    return [b for b in shell_blocks() if b.section != "Set-up" and b.first not in NOT_RUN_HERE]


def test_every_shell_block_is_run_or_says_why_not() -> None:
    firsts = [b.first for b in shell_blocks()]
    assert set(NOT_RUN_HERE) <= set(firsts), "a block named in NOT_RUN_HERE is no longer in the README"
    assert len(runnable()) >= 2


def test_the_set_up_is_two_commands() -> None:
    set_up = [b for b in shell_blocks() if b.section == "Set-up"]
    assert [len(commands(b)) for b in set_up] == [1, 1]
    assert set_up[0].first.endswith("layerlint check examples/shop") and set_up[1].first.endswith("-m pytest")


@pytest.mark.parametrize("block", runnable(), ids=lambda b: b.first[:40])
def test_each_command_runs_on_the_example_project(tmp_path: Path, block: Block) -> None:
    root = example_copy(tmp_path)
    for command in commands(block):
        cwd = root if "examples/shop" in command else root / "examples" / "shop"
        completed = run(command, cwd)
        assert completed.returncode == 0, f"{command}\n{completed.stdout}{completed.stderr}"
        assert "Error" not in completed.stderr, command


def test_a_shown_session_prints_what_the_readme_shows(tmp_path: Path) -> None:
    sessions = [b for b in blocks() if not b.language and b.first.startswith("$ ")]
    assert sessions
    root = example_copy(tmp_path)
    for session in sessions:
        completed = run(session.first.removeprefix("$ "), root)
        assert completed.stdout.splitlines() == session.lines[1:]


def _fresh_venv(directory: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True, capture_output=True)
    return directory / "bin"


def _snapshot(destination: Path) -> Path:
    """What a clone holds that the commands read: the package, its metadata, the example."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, destination / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".layerlint_cache")
    shutil.copytree(REPO / "src", destination / "src", ignore=ignore)
    shutil.copytree(EXAMPLE, destination / "examples" / "shop", ignore=ignore)
    return destination


@pytest.mark.slow
def test_the_first_set_up_command_works_on_a_fresh_clone(tmp_path: Path) -> None:
    clone = _snapshot(tmp_path)
    first = next(b for b in shell_blocks() if b.section == "Set-up")
    completed = run(commands(first)[0], clone, Path(sys.base_prefix) / "bin")
    assert completed.returncode == 0 and "All checks passed" in completed.stdout, completed.stdout + completed.stderr


@pytest.mark.slow
def test_the_wheel_instructions_install_a_working_layerlint(tmp_path: Path) -> None:
    clone = _snapshot(tmp_path / "clone")
    fresh = _fresh_venv(tmp_path / "venv")
    (wheel_block,) = [b for b in shell_blocks() if b.first.startswith("pip wheel")]
    for command in commands(wheel_block):
        completed = run(command, clone, fresh)
        assert completed.returncode == 0, f"{command}\n{completed.stdout}{completed.stderr}"
    completed = run("layerlint check examples/shop", clone, fresh)
    assert completed.returncode == 0 and "All checks passed" in completed.stdout, completed.stderr


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=tests@example.com", "-c", "user.name=tests", *args],
                          cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.mark.slow
def test_the_pre_commit_configuration_resolves_with_autoupdate_freeze(tmp_path: Path) -> None:
    """The README's configuration, its repository replaced by a one-commit copy of this one
    (no tags, as now): `autoupdate --freeze` pins that commit, and the hook then runs."""
    source = _snapshot(tmp_path / "layerlint")
    git(source, "init", "-q")
    git(source, "add", ".")
    git(source, "commit", "-qm", "snapshot")
    (configuration,) = [b for b in blocks() if b.language == "yaml" and b.first == "# .pre-commit-config.yaml"]
    text = "\n".join(configuration.lines).replace("https://github.com/layerlint/layerlint", str(source)) + "\n"
    assert "rev: COMMIT_SHA " in text  # what the prose tells users to replace
    sha = git(source, "rev-parse", "HEAD").strip()
    project = copy_catalog(tmp_path)
    (project / ".pre-commit-config.yaml").write_text(text.replace("COMMIT_SHA", sha))
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-qm", "fixture")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(BIN / "pre-commit"), *args], cwd=project, env=environment,
                              capture_output=True, text=True, timeout=600)

    ran = pre_commit("run", "--files", "app/api/routers/products.py")
    assert ran.returncode == 1 and "app/api/routers/products.py:3:1: LL101" in ran.stdout, ran.stdout + ran.stderr
    (project / ".pre-commit-config.yaml").write_text(text)
    updated = pre_commit("autoupdate", "--freeze")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert f"rev: {sha}" in (project / ".pre-commit-config.yaml").read_text()
