"""What layerlint is looking at: `--show-settings` (every key, defaults included, with its
source), `--show-files`, and role globs that extend the defaults (`extend-roles`) or replace them
(`roles`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from layerlint.cli import main

MODULES = {
    "app/__init__.py": "",
    "app/services/__init__.py": "",
    "app/services/items.py": "def list_items() -> list[str]:\n    return []\n",
    "app/core/__init__.py": "",
    "app/core/tasks.py": "def run() -> None:\n    pass\n",
    "app/dependencies/__init__.py": "",
    "app/dependencies/auth.py": "def current_user() -> None:\n    pass\n",
}


def project(tmp_path: Path, config: str = "") -> Path:
    root = tmp_path / "project"
    for relative, text in MODULES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\nversion = "0"\n\n[tool.layerlint]\n{config}')
    return root


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def roles_of(root: Path) -> dict[str, str]:
    code, stdout, stderr = invoke("roles", str(root))
    assert code == 0, stderr
    return {line.split()[0]: line.split()[1] for line in stdout.splitlines() if not line.startswith("note:")}


def test_show_settings_names_each_value_s_source(tmp_path: Path) -> None:
    root = project(tmp_path, 'ignore = ["LL7"]\n\n[tool.layerlint.extend-roles]\nservice = ["app.core.tasks"]\n')
    code, stdout, _ = invoke("check", "--show-settings", "--select", "LL1", str(root))
    assert code == 0
    lines = stdout.splitlines()
    pyproject = str(root / "pyproject.toml")
    assert f"# configuration: {pyproject}" in lines
    assert 'select = ["LL1"]  # command line' in lines
    assert f'ignore = ["LL7"]  # {pyproject}' in lines
    assert 'models.soft-delete-column = "deleted_at"  # default' in lines
    assert 'sessions.read = ["get_read_session_dependency", "get_read_session", "get_db_read"]  # default' in lines
    (service,) = [line for line in lines if line.startswith("roles.service = ")]
    assert '"**.services.**"' in service and '"app.core.tasks"' in service
    assert service.endswith(f"# default + {pyproject} (extend-roles.service)")
    assert any(line.startswith("roles.router = ") and line.endswith("# default") for line in lines)


def test_show_settings_says_when_a_role_replaces_its_defaults(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.layerlint.roles]\nservice = ["app.core.tasks"]\n')
    stdout = invoke("check", "--show-settings", str(root))[1]
    pyproject = root / "pyproject.toml"
    assert f'roles.service = ["app.core.tasks"]  # {pyproject} (replaces the default)' in stdout.splitlines()


def test_extend_roles_adds_to_the_defaults_and_roles_replaces_them(tmp_path: Path) -> None:
    extended = roles_of(project(tmp_path / "a", '[tool.layerlint.extend-roles]\nservice = ["app.core.tasks"]\n'))
    assert extended["app.core.tasks"] == "service" and extended["app.services.items"] == "service"
    replaced = roles_of(project(tmp_path / "b", '[tool.layerlint.roles]\nservice = ["app.core.tasks"]\n'))
    assert replaced["app.core.tasks"] == "service" and replaced["app.services.items"] != "service"


def test_an_extend_roles_glob_that_matches_nothing_is_an_error_naming_its_key(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.layerlint.extend-roles]\nservice = ["app.core.taks"]\n')
    code, _, stderr = invoke("check", "--no-cache", str(root))
    assert code == 2 and "[tool.layerlint] `extend-roles.service`: glob `app.core.taks` matches no module" in stderr


def test_submodules_of_a_dependencies_package_are_dependencies(tmp_path: Path) -> None:
    found = roles_of(project(tmp_path))
    assert found["app.dependencies"] == found["app.dependencies.auth"] == "dependency"


def test_show_files_lists_the_files_from_the_current_directory(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    root = project(tmp_path)
    (tmp_path / ".git").mkdir()
    (root / "tests").mkdir()
    (root / "tests" / "test_items.py").write_text("")
    monkeypatch.chdir(tmp_path)
    code, stdout, _ = invoke("check", "--show-files")
    assert code == 0
    assert stdout.splitlines() == sorted(f"project/{relative}" for relative in MODULES)
    assert all(os.path.isfile(line) for line in stdout.splitlines())
