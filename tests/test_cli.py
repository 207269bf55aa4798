"""The command line: exit codes, output formats, selection, noqa, and the listing commands."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import FIXTURES
from layerlint.cli import main

REPO = Path(__file__).parent.parent
EXAMPLE = REPO / "examples" / "shop"
DIRECT = FIXTURES / "ll101" / "direct_imports"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_example_project_is_clean(copy_of: Callable[[Path], Path]) -> None:
    code, output = run("check", str(copy_of(EXAMPLE)))
    assert code == 0, output
    assert "All checks passed" in output


def test_findings_exit_1_sorted_text(copy_of: Callable[[Path], Path]) -> None:
    code, output = run("check", str(copy_of(DIRECT)))
    lines = output.strip().splitlines()
    assert code == 1
    findings = [line for line in lines if ": LL" in line]
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in findings]
    assert keys == sorted(keys) and len(findings) == 5
    assert lines[-1] == "Found 5 findings in 1 of 9 files."
    assert "\033[" not in output  # no colour when not on a terminal


def test_exit_zero(copy_of: Callable[[Path], Path]) -> None:
    assert run("check", "--exit-zero", str(copy_of(DIRECT)))[0] == 0


def test_json_output_fields(copy_of: Callable[[Path], Path]) -> None:
    code, output = run("check", "--format", "json", str(copy_of(DIRECT)))
    items = json.loads(output)
    assert code == 1 and len(items) == 5
    first = items[0]
    assert set(first) >= {"code", "name", "message", "path", "line", "column", "end_line", "end_column",
                          "severity", "fix"}
    assert first["path"] == "app/api/v1/routers/items.py"
    assert (first["line"], first["column"]) == (1, 1) and first["fix"] is None


def test_select_and_ignore(copy_of: Callable[[Path], Path]) -> None:
    direct = str(copy_of(DIRECT))
    assert run("check", "--select", "LL2", direct)[0] == 0
    assert run("check", "--ignore", "LL101", direct)[0] == 0
    assert run("check", "--select", "LL1", "--ignore", "LL10", direct)[0] == 0
    assert run("check", "--select", "LL101", direct)[0] == 1


def test_statistics(copy_of: Callable[[Path], Path]) -> None:
    _, output = run("check", "--statistics", str(copy_of(DIRECT)))
    assert "    5  LL101  router-imports-repository" in output


def test_paths_restrict_findings_but_not_context(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "ll102" / "indirect_chains", project)
    code, output = run("check", "--format", "json", str(project / "app" / "api" / "v1" / "routers" / "orders.py"))
    items = json.loads(output)
    assert code == 1 and [(i["code"], i["path"]) for i in items] == [("LL102", "app/api/v1/routers/orders.py")]


def test_noqa(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(DIRECT, project)
    router = project / "app" / "api" / "v1" / "routers" / "items.py"
    lines = router.read_text().splitlines()
    lines[0] += "  # noqa: LL101"
    lines[1] += "  # noqa"
    lines[2] += "  # noqa: LL102"  # another code: still reported
    lines[3] += "  # NOQA:LL1"
    router.write_text("\n".join(lines) + "\n")
    _, output = run("check", "--format", "json", str(project))
    assert sorted(i["line"] for i in json.loads(output)) == [3, 9]


def test_rules_and_rule_docs() -> None:
    code, output = run("rules")
    assert code == 0 and "LL101  router-imports-repository" in output
    code, output = run("rule", "ll101")
    assert code == 0 and "## Why is this bad?" in output
    assert run("rule", "LL999")[0] == 2


def test_roles_explains_every_module(copy_of: Callable[[Path], Path]) -> None:
    code, output = run("roles", str(copy_of(EXAMPLE)))
    assert code == 0
    rows = {line.split()[0]: line.split(None, 2)[1:] for line in output.splitlines() if line.startswith("shop")}
    assert rows["shop.api.v1.routers.products"][0] == "router"
    assert rows["shop.domain.shared.base_repository"][0] == "repository"
    assert rows["shop.dtos.orders"][0] == "dto" and rows["shop.main"][0] == "app"
    assert "default layout" in rows["shop.domain.products.model"][1]


def test_rule_by_name_shows_the_same_page_as_by_code() -> None:
    by_name = run("rule", "router-imports-repository")
    assert by_name == run("rule", "LL101") and by_name[0] == 0
    assert "Default severity: **error**." in by_name[1]
    code, output = run("rule", "router-imports-repositories")
    assert code == 2 and "unknown rule `router-imports-repositories`" in output


def test_roles_and_routes_show_only_the_modules_under_path(copy_of: Callable[[Path], Path]) -> None:
    root = copy_of(EXAMPLE)
    code, output = run("roles", str(root / "shop" / "domain" / "orders"))
    modules = [line.split()[0] for line in output.splitlines() if line.startswith("shop")]
    assert code == 0 and modules == ["shop.domain.orders", "shop.domain.orders.model",
                                     "shop.domain.orders.repository", "shop.domain.orders.service"]
    code, output = run("routes", str(root / "shop" / "api" / "v1" / "routers" / "orders.py"))
    handlers = [line.split()[2] for line in output.splitlines()[1:] if not line.startswith("note")]
    assert code == 0 and handlers and all(h.startswith("shop.api.v1.routers.orders:") for h in handlers)


@pytest.mark.parametrize("table, key, expected", [
    ('selct = ["LL1"]', "selct", "did you mean `select`"),
    ('select = "LL1"', "select", "must be a list of strings"),
    ('[tool.layerlint.roles]\nrouter = ["nothing.matches.**"]', "roles.router", "matches no module"),
    ('[tool.layerlint.roles]\nrouters = ["app.api.**"]', "roles.routers", "did you mean `roles.router`"),
    ('[tool.layerlint.models]\nid-prefix = 3', "models.id-prefix", "must be a string"),
    ('select = ["XX1"]', "select", "not a rule code"),
    ('[tool.layerlint.chains]\nfollow = "imports"', "chains.follow", "not a way to follow chains"),
    ('[tool.layerlint.chains]\nfollows = "names"', "chains.follows", "did you mean `chains.follow`"),
    # Patterns that backtrack for ever on a long prefix: before, LL301 hung on `^(a+)+$`.
    ('[tool.layerlint.models]\nid-prefix = "^(a+)+$"', "models.id-prefix", "nests a repetition"),
    ('[tool.layerlint.models]\nid-prefix = "^(a|aa)*_$"', "models.id-prefix", "repeats a group of alternatives"),
    ('[tool.layerlint.models]\nid-prefix = "^(a?){30}a{30}$"', "models.id-prefix", "nests a repetition"),
    ('[tool.layerlint.models]\nid-prefix = "^(\\\\w+)\\\\1_$"', "models.id-prefix", "backreference"),
    ('[tool.layerlint.models]\nid-prefix = "^a*a*a*a*a*a*$"', "models.id-prefix", "6 repetitions (at most 4)"),
])
def test_bad_config_exits_2_naming_file_and_key(tmp_path: Path, table: str, key: str, expected: str) -> None:
    project = tmp_path / "p"
    shutil.copytree(DIRECT, project)
    header = "" if table.startswith("[") else "[tool.layerlint]\n"
    (project / "pyproject.toml").write_text(f'[project]\nname = "x"\n\n{header}{table}\n')
    code, output = run("check", str(project))
    assert code == 2
    assert "pyproject.toml" in output and f"`{key}`" in output and expected in output


@pytest.mark.parametrize("pattern", ["^[a-z]{2,5}_$", "^(usr|itm|ord)_$", "^[a-z]+(_[a-z]+)?_$", "^[a-z]{3}_(?!x)"])
def test_id_prefix_patterns_users_write_are_accepted(tmp_path: Path, pattern: str) -> None:
    project = tmp_path / "p"
    shutil.copytree(DIRECT, project)
    (project / "pyproject.toml").write_text(f'[project]\nname = "x"\n[tool.layerlint.models]\nid-prefix = "{pattern}"\n')
    assert run("check", "--no-cache", str(project))[0] == 1


def test_invalid_toml_exits_2(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(DIRECT, project)
    (project / "pyproject.toml").write_text("[tool.layerlint\n")
    code, output = run("check", str(project))
    assert code == 2 and "not valid TOML" in output


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("document, expected", [
    ('tool = 5\n[project]\nname = "x"\n', "`tool` must be a table, got int 5"),
    ('tool = 5\n', "`tool` must be a table"),  # not a project's: whether it configures layerlint is unknown
    (f'x = {DEEP}\n[project]\nname = "x"\n', "nested too deeply"),
    ('[project]\nname = "x"\n[tool.layerlint]\nselect = ' + DEEP + "\n", "nested too deeply"),
    (b'[project]\nname = "\xff"\n', "not valid TOML"),
])
def test_a_pyproject_that_cannot_be_read_exits_2_naming_it(tmp_path: Path, document: str | bytes,
                                                           expected: str) -> None:
    project = tmp_path / "p"
    shutil.copytree(DIRECT, project)
    pyproject = project / "pyproject.toml"
    pyproject.write_bytes(document if isinstance(document, bytes) else document.encode())
    code, output = run("check", str(project))
    assert code == 2
    assert f"{pyproject}: " in output and expected in output
    assert "[tool.layerlint]" not in output  # the file is at fault, not a setting in it


def test_per_file_ignores(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(DIRECT, project)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.layerlint]\nper-file-ignores = { "app/api/**" = ["LL1"] }\n')
    assert run("check", "--select", "LL1", str(project))[0] == 0


def test_per_file_ignores_codes_are_checked(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(DIRECT, project)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.layerlint]\nper-file-ignores = { "app/api/**" = ["E501"] }\n')
    code, output = run("check", str(project))
    assert code == 2
    assert "per-file-ignores.app/api/**" in output and "`E501` is not a rule code" in output


def test_tests_and_venvs_are_not_first_party(tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "ll101" / "through_service", project)
    for extra in ("app/tests/test_items.py", ".venv/lib/site-packages/x/routers/a.py", "app/migrations/v1.py"):
        target = project / extra
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("from app.domain.items.repository import ItemRepository\n")
    code, output = run("check", "--select", "LL101", str(project))
    assert code == 0, output


def test_stdin_buffer_is_checked_in_place_of_the_file(copy_of: Callable[[Path], Path]) -> None:
    router = copy_of(DIRECT) / "app" / "api" / "v1" / "routers" / "items.py"
    buffer = "from app.domain.items.service import ItemService\nfrom app.domain.items.repository import X\n"
    result = CliRunner().invoke(main, ["check", "--format", "json", "--stdin-filename", str(router)], input=buffer)
    items = json.loads(result.output)
    assert result.exit_code == 1
    assert [(i["path"], i["line"], i["code"]) for i in items] == [("app/api/v1/routers/items.py", 2, "LL101")]


def test_routes_lists_full_paths_sessions_and_response_models(copy_of: Callable[[Path], Path]) -> None:
    code, output = run("routes", str(copy_of(EXAMPLE)))
    rows = [line.split() for line in output.strip().splitlines()[1:]]
    assert code == 0
    assert ["GET", "/api/v1/orders/{order_id}", "shop.api.v1.routers.orders:get_order", "read",
            "OrderResponse"] in rows
    assert ["POST", "/api/v1/products", "shop.api.v1.routers.products:create_product", "write",
            "ProductResponse"] in rows
    assert len(rows) == 6


def test_routes_marks_routers_that_are_not_included(copy_of: Callable[[Path], Path]) -> None:
    _, output = run("routes", str(copy_of(FIXTURES / "ll207" / "unregistered")))
    assert output.strip().splitlines()[0].split() == ["METHOD", "PATH", "HANDLER", "SESSION", "RESPONSE"]


def test_routes_follow_a_router_built_by_an_app_factory(copy_of: Callable[[Path], Path]) -> None:
    _, output = run("routes", str(copy_of(FIXTURES / "ll207" / "app_factory")))
    rows = [line.split() for line in output.strip().splitlines()[1:]]
    assert ["GET", "/api/v1/items/{item_id}", "app.api.routers.items:get_item", "none", "dict[str,", "str]"] in rows
    assert ["GET", "(not", "included)", "/drafts/{draft_id}", "app.api.routers.items:get_draft", "none", "dict[str,",
            "str]"] in rows


def test_routes_say_when_a_dynamic_include_router_hides_the_mount(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "dyn"\nversion = "0"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text(
        "import importlib\n\nfrom fastapi import APIRouter, FastAPI\n\napp = FastAPI()\nrouter = APIRouter()\n\n\n"
        "@router.get('/ping')\nasync def ping() -> str:\n    return 'pong'\n\n\n"
        "def load(name: str) -> None:\n    app.include_router(getattr(importlib.import_module(name), 'router'))\n")
    _, output = run("routes", str(tmp_path))
    assert "(mount unknown) /ping" in output


def test_routes_join_the_prefix_a_registration_helper_is_given(copy_of: Callable[[Path], Path]) -> None:
    _, output = run("routes", str(copy_of(FIXTURES / "ll207" / "helper_registration")))
    rows = [line.split()[:3] for line in output.strip().splitlines()[1:]]
    assert rows == [["GET", "/api/items/{item_id}", "app.routers.items:get_item"],
                    ["GET", "/orders/{order_id}", "app.routers.orders:get_order"]]


def test_routes_show_a_prefix_known_only_at_run_time_as_written(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "pre"\nversion = "0"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "main.py").write_text(
        "from fastapi import APIRouter, FastAPI\n\nfrom app.settings import settings\n\n"
        "app = FastAPI()\nrouter = APIRouter(prefix='/items')\n\n\n"
        "@router.get('')\nasync def list_items() -> list[str]:\n    return []\n\n\n"
        "app.include_router(router, prefix=settings.api_prefix)\n")
    _, output = run("routes", str(tmp_path))
    assert "{settings.api_prefix}/items" in output


def test_routes_note_session_dependencies_that_are_not_configured(tmp_path: Path,
                                                                  copy_of: Callable[[Path], Path]) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "db"\nversion = "0"\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "db.py").write_text(
        "from collections.abc import AsyncIterator\n\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n\n"
        "async def get_db() -> AsyncIterator[AsyncSession]:\n    yield AsyncSession()\n")
    (tmp_path / "app" / "main.py").write_text(
        "from fastapi import Depends, FastAPI\nfrom sqlalchemy.ext.asyncio import AsyncSession\n\n"
        "from app.db import get_db\n\napp = FastAPI()\n\n\n"
        "@app.get('/items')\nasync def list_items(session: AsyncSession = Depends(get_db)) -> list[str]:\n"
        "    return []\n")
    _, output = run("routes", str(tmp_path))
    assert "note: database sessions come from app.db.get_db, but no read or write session" in output
    _, shop = run("routes", str(copy_of(EXAMPLE)))
    assert "note:" not in shop


def test_stdin_filename_outside_the_project_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", str(DIRECT), "--stdin-filename", str(tmp_path / "elsewhere.py")],
                                input="x = 1\n")
    assert result.exit_code == 2 and isinstance(result.exception, (SystemExit, type(None)))
    assert "--stdin-filename" in result.output and "is outside the project at" in result.output


def test_stdin_filename_with_standard_input_closed_is_an_error(tmp_path: Path) -> None:
    router = DIRECT / "app" / "api" / "v1" / "routers" / "items.py"
    command = f"{shlex.quote(sys.executable)} -m layerlint check --no-cache --stdin-filename {shlex.quote(str(router))} <&-"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    completed = subprocess.run(["bash", "-c", command], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    assert "standard input is closed" in completed.stderr and "Traceback" not in completed.stderr
