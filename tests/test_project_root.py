"""A repository whose backend is in `backend/` beside a frontend: every front end, run from the
repository root or from backend/, names modules from backend/ (`from app import ...` resolves),
reports the same findings, and prints paths that exist from where it ran; SARIF and GitHub
annotations name files from the repository root."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

from integration_helpers import _FLAKE8_LINE, BIN, CATALOG, EXPECTED, Finding, parse, run

REPO = Path(__file__).parent.parent
BACKEND_CONFIG = '[project]\nname = "catalog"\nversion = "0"\n\n[tool.layerlint]\nselect = ["LL1", "LL2"]\n'


def monorepo(tmp_path: Path, config_in: str) -> Path:
    """A git repository: backend/ (the catalog fixture), frontend/, a root pyproject.toml that
    configures other tools, or layerlint too when the backend has none (`config_in="root"`)."""
    root = tmp_path / "repo"
    shutil.copytree(CATALOG, root / "backend", ignore=shutil.ignore_patterns(".layerlint_cache", "__pycache__"))
    (root / "frontend" / "src").mkdir(parents=True)
    (root / "frontend" / "package.json").write_text('{"name": "frontend"}\n')
    (root / "frontend" / "src" / "main.ts").write_text("export {}\n")
    root_config = '[tool.ruff]\nline-length = 100\n\n[tool.uv.workspace]\nmembers = ["backend"]\n'
    if config_in == "root":
        (root / "backend" / "pyproject.toml").unlink()
        root_config += '\n[tool.layerlint]\nselect = ["LL1", "LL2"]\n'
    else:
        (root / "backend" / "pyproject.toml").write_text(BACKEND_CONFIG)
    (root / "pyproject.toml").write_text(root_config)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return root


def in_backend(findings: set[Finding], prefix: str) -> set[Finding]:
    return {(prefix + path, line, code) for path, line, code in findings}


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run(cwd, "layerlint", "check", "--no-cache", *args)


def json_findings(cwd: Path, *args: str) -> set[Finding]:
    completed = cli(cwd, "--format", "json", *args)
    found = {(d["path"], d["line"], d["code"]) for d in json.loads(completed.stdout)}
    assert all((cwd / path).is_file() for path, _, _ in found), found
    return found


@pytest.mark.parametrize("config_in", ["backend", "root"])
def test_every_front_end_reports_the_backend_from_the_repository_root(tmp_path: Path, config_in: str) -> None:
    root = monorepo(tmp_path, config_in)
    expected = in_backend(EXPECTED, "backend/")
    assert json_findings(root) == expected  # `layerlint check` from the root (LL101 needs `app.*` names)
    assert json_findings(root, ".") == expected
    assert json_findings(root, "backend") == expected
    assert json_findings(root / "backend") == EXPECTED
    from_app = {(path.removeprefix("app/"), line, code) for path, line, code in EXPECTED}
    assert json_findings(root / "backend" / "app", "..") == from_app
    flake8 = run(root, "flake8", "--select", "LL", "backend")
    assert parse(flake8.stdout, _FLAKE8_LINE) == expected, flake8.stdout + flake8.stderr


def test_the_pre_commit_entry_reports_the_files_git_lists_from_the_root(tmp_path: Path) -> None:
    root = monorepo(tmp_path, "backend")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["pass_filenames"]
    files = ["backend/app/api/routers/products.py", "backend/app/api/routers/search.py"]
    command, subcommand = hook["entry"].split()
    completed = run(root, command, subcommand, "--no-cache", *files)
    found = parse(completed.stdout, _FLAKE8_LINE)
    assert found == {f for f in in_backend(EXPECTED, "backend/") if f[0] in files}, completed.stdout


@pytest.mark.parametrize("cwd", [".", "backend", "backend/app"])
def test_sarif_and_github_name_files_from_the_repository_root(tmp_path: Path, cwd: str) -> None:
    root = monorepo(tmp_path, "backend")
    sarif = json.loads(cli(root / cwd, "--format", "sarif").stdout)["runs"][0]
    base = Path(unquote(urlparse(sarif["originalUriBaseIds"]["%SRCROOT%"]["uri"]).path))
    assert base == root
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in sarif["results"]]
    assert {loc["uriBaseId"] for loc in locations} == {"%SRCROOT%"}
    assert {unquote(loc["uri"]) for loc in locations} == {f"backend/{path}" for path, _, _ in EXPECTED}
    if cwd == ".":  # GitHub Actions runs in the repository root, where annotations are resolved
        annotations = cli(root, "--format", "github").stdout.splitlines()
        files = {line.split("file=")[1].split(",")[0] for line in annotations}
        assert files == {f"backend/{path}" for path, _, _ in EXPECTED}
        assert all((root / file).is_file() for file in files)


def test_several_backends_are_checked_each_from_its_own_root(tmp_path: Path) -> None:
    root = monorepo(tmp_path, "backend")
    shutil.copytree(root / "backend", root / "admin")
    expected = in_backend(EXPECTED, "backend/") | in_backend(EXPECTED, "admin/")
    assert json_findings(root, "backend", "admin") == expected
    assert json_findings(root) == expected  # the root stands for both


def test_python_files_in_no_backend_found_below_the_root_are_named_not_passed_over(tmp_path: Path) -> None:
    root = monorepo(tmp_path, "backend")
    for loose in ("hooks/post_gen.py", "scripts/seed.py", "manage.py"):
        (root / loose).parent.mkdir(exist_ok=True)
        (root / loose).write_text("import os\n")
    (root / "frontend" / "node_modules" / "x").mkdir(parents=True)
    (root / "frontend" / "node_modules" / "x" / "gen.py").write_text("")  # never a project's
    (root / "tests").mkdir()
    (root / "tests" / "test_api.py").write_text("")  # excluded by default, as in a project
    completed = cli(root, "--format", "json")
    assert json.loads(completed.stdout) and completed.returncode == 1
    assert ("layerlint: warning: 3 Python file(s) under . are in none of the projects found there (backend) "
            "and are not checked: hooks/post_gen.py, manage.py, scripts/seed.py; name them to check them, "
            "or exclude them") in completed.stderr, completed.stderr
    assert "warning" not in cli(root, "backend").stderr  # named: nothing was passed over
    (root / "hooks" / "post_gen.py").unlink()
    (root / "scripts" / "seed.py").unlink()
    (root / "manage.py").unlink()
    assert "warning" not in cli(root).stderr


@pytest.mark.parametrize("listing", ["roles", "routes"])
def test_listings_from_the_repository_root_show_the_backend(tmp_path: Path, listing: str) -> None:
    """`roles` and `routes` find the projects below a directory as `check` does, instead of
    listing nothing: the root is no project, `backend/` is."""
    root = monorepo(tmp_path, "backend")
    from_root = run(root, "layerlint", listing, ".", "--format", "json")
    from_backend = run(root / "backend", "layerlint", listing, "--format", "json")
    assert from_root.returncode == 0, from_root.stderr
    listed = json.loads(from_root.stdout)
    assert listed and listed == json.loads(from_backend.stdout)
