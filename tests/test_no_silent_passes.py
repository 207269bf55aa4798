"""A run that checks nothing, or checks less than the user asked, says so (issue 14): codes that
select no rule are exit 2 naming them (as ruff), a configured name that names nothing is a
warning naming the key and the file, and `check` prints the notes `roles` prints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from layerlint.cli import main

SESSIONS = (
    "from collections.abc import AsyncIterator\n"
    "from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker\n\n\n"
    "def async_session_maker() -> async_sessionmaker[AsyncSession]:\n"
    "    return async_sessionmaker()\n\n\n"
    "async def get_db_session() -> AsyncIterator[AsyncSession]:\n"
    "    async with async_session_maker()() as session:\n"
    "        yield session\n"
)
ROUTER = (
    "from fastapi import APIRouter, Depends\n"
    "from sqlalchemy.ext.asyncio import AsyncSession\n\n"
    "from app.db import get_db_session\n\n"
    "router = APIRouter()\n\n\n"
    "@router.get('/items')\n"
    "async def list_items(session: AsyncSession = Depends(get_db_session)) -> list[str]:\n"
    "    return []\n"
)


def project(tmp_path: Path, config: str = "") -> Path:
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "db.py").write_text(SESSIONS)
    (root / "app" / "routers.py").write_text(ROUTER)
    (root / "pyproject.toml").write_text(f'[project]\nname = "app"\nversion = "0"\n\n[tool.layerlint]\n{config}')
    return root


def check(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--no-cache", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(("option", "value", "expected"), [
    ("--select", "LL999", "--select: `LL999` selects no rule"),
    ("--select", "E501", "--select: `E501` selects no rule"),
    ("--select", "router-imports-repository", "`router-imports-repository` is a rule name; select it by its "
                                              "code, LL101"),
    ("--select", "routr-imports-repo", "did you mean LL101 (router-imports-repository)"),
    ("--ignore", "LL1,LL88", "--ignore: `LL88` selects no rule"),
])
def test_command_line_codes_that_select_no_rule_exit_2(tmp_path: Path, option: str, value: str,
                                                        expected: str) -> None:
    code, _, stderr = check(option, value, str(project(tmp_path)))
    assert code == 2 and expected in stderr, stderr


@pytest.mark.parametrize(("config", "key", "expected"), [
    ('select = ["LL999"]\n', "select", "`LL999` selects no rule"),
    ('extend-select = ["LL8"]\n', "extend-select", "`LL8` selects no rule"),
    ('ignore = ["router-imports-repository"]\n', "ignore", "`router-imports-repository` is not a rule code or "
                                                         "prefix (like LL1 or LL101) (rules are selected by code"),
])
def test_configured_codes_that_select_no_rule_exit_2_naming_the_file(tmp_path: Path, config: str, key: str,
                                                                      expected: str) -> None:
    root = project(tmp_path, config)
    code, _, stderr = check(str(root))
    assert code == 2, stderr
    assert f"{root / 'pyproject.toml'}: [tool.layerlint] `{key}`: {expected}" in stderr


def test_a_directory_with_no_python_files_warns_that_nothing_was_checked(tmp_path: Path) -> None:
    (tmp_path / "frontend").mkdir()
    (tmp_path / "frontend" / "main.ts").write_text("export {}\n")
    for options in ((), ("--exit-zero",), ("--format", "sarif")):
        code, stdout, stderr = check(*options, str(tmp_path / "frontend"))
        assert code == 5 and "warning: no files were checked" in stderr, (options, stderr)
    assert "(0 files)" in check(str(tmp_path / "frontend"))[1]


def test_named_files_that_are_all_excluded_exit_as_a_clean_run(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "tests").mkdir()
    (root / "tests" / "test_items.py").write_text("import os\n")
    code, _, stderr = check(str(root / "tests" / "test_items.py"))  # pre-commit passes the files changed
    assert code == 0 and "no files were checked" in stderr
    assert check(str(root / "tests"))[0] == 5


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_a_session_dependency_that_names_nothing_is_an_error_naming_key_and_file(tmp_path: Path,
                                                                                  output_format: str) -> None:
    root = project(tmp_path, '[tool.layerlint.sessions]\nread = ["get_db_sesion"]\nwrite = ["get_db_session"]\n')
    error = (f"{root / 'pyproject.toml'}: [tool.layerlint] `sessions.read`: `get_db_sesion` names "
             "nothing in the project (did you mean `get_db_session`?)")
    command = ["check", "--cache-dir", str(tmp_path / "cache"), "--format", output_format, str(root)]
    for run in ("first", "second: nothing was stored to answer from"):  # a CI log, not a terminal
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2 and error in result.stderr, (run, result.stderr)
    assert "sessions.write" not in result.stderr
    for listing in ("roles", "routes"):
        result = CliRunner().invoke(main, [listing, str(root)])
        assert result.exit_code == 2 and error in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["app.db.get_db_session", "fastapi_users.db.get_async_session"])
def test_a_configured_name_the_project_defines_or_a_library_owns_is_accepted(tmp_path: Path, name: str) -> None:
    root = project(tmp_path, f'[tool.layerlint.sessions]\nread = ["{name}"]\n')
    result = CliRunner().invoke(main, ["check", "--no-cache", str(root)])
    assert result.exit_code in (0, 1), result.stderr


def test_a_name_an_unparsable_module_may_define_is_no_configuration_error(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.layerlint.repositories]\nsoft-delete-helpers = ["active_only"]\n')
    (root / "app" / "filters.py").write_text("def active_only(statement:\n    return statement\n")
    code, stdout, stderr = check(str(root))
    assert code == 1 and "app/filters.py:1:" in stdout and "LL001" in stdout, stderr
    assert "names nothing" not in stderr


def test_a_dotted_name_in_a_project_package_that_names_nothing_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, '[tool.layerlint.repositories]\nbase-class = "app.repos.BaseRepo"\n')
    result = CliRunner().invoke(main, ["check", "--no-cache", str(root)])
    assert result.exit_code == 2 and "`repositories.base-class`: `app.repos.BaseRepo` names nothing" in result.stderr


def test_check_prints_the_session_note_naming_the_dependency_not_the_factory(tmp_path: Path) -> None:
    root = project(tmp_path)
    _, stdout, stderr = check("--show-notes", "--format", "json", str(root))
    (note,) = [line for line in stderr.splitlines() if line.startswith("note:")]
    assert "database sessions come from app.db.get_db_session, but" in note and "LL202/LL203" in note
    assert "async_session_maker" not in note
    assert all(isinstance(finding, dict) for finding in json.loads(stdout))  # notes stay out of the JSON
    assert "note:" not in check(str(root))[2]  # not a terminal: no notes unless asked


def test_a_noqa_code_that_names_no_rule_is_a_warning_also_when_answered_from_the_cache(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "app" / "tasks.py").write_text("import os  # noqa: LL999, E501\nimport re  # noqa: LL1,B008\n"
                                           "import io  # noqa\nimport abc  # noqa: LL101\n")
    command = ["check", "--cache-dir", str(tmp_path / "cache"), "--format", "json", str(root)]
    for run in ("first", "answered from the cache"):
        stderr = CliRunner().invoke(main, command).stderr
        warnings = [line for line in stderr.splitlines() if "# noqa" in line]
        assert warnings == ["layerlint: warning: app/tasks.py:1: `# noqa: LL999` names no rule "
                            "(`layerlint rules` lists them)"], (run, stderr)
