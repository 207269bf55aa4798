"""`layerlint init` infers a project's layout and writes a `[tool.layerlint]` section after which
`check` gives the findings of the configuration written by hand: on the example project and on
two other layouts (package names the defaults miss, a base class with another name, a read/write
session split by name, a dependencies package). It never overwrites a section unless forced."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from harness import FIXTURES
from layerlint.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "shop"
HAND_WRITTEN = "# Written by hand"
LAYOUTS = [EXAMPLE, FIXTURES / "init" / "handlers_layout", FIXTURES / "init" / "endpoints_split_sessions"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def findings(root: Path) -> list[dict[str, object]]:
    code, stdout, stderr = invoke("check", "--no-cache", "--format", "json", str(root))
    assert code in (0, 1), stderr
    return list(json.loads(stdout))


def copied(tmp_path: Path, layout: Path) -> Path:
    root = tmp_path / layout.name
    shutil.copytree(layout, root, ignore=shutil.ignore_patterns(".layerlint_cache", "__pycache__"))
    return root


def without_config(tmp_path: Path, layout: Path) -> Path:
    root = copied(tmp_path, layout)
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.split(HAND_WRITTEN)[0])
    return root


@pytest.mark.parametrize("layout", LAYOUTS, ids=lambda path: path.name)
def test_init_gives_the_findings_of_the_hand_written_configuration(tmp_path: Path, layout: Path) -> None:
    expected = findings(copied(tmp_path / "by_hand", layout))
    root = without_config(tmp_path / "by_init", layout)
    if layout != EXAMPLE:  # the configuration matters here: the defaults alone find something else
        assert findings(root) != expected
    code, stdout, stderr = invoke("init", str(root))
    assert code == 0, stderr
    assert "[tool.layerlint]" in (root / "pyproject.toml").read_text()
    assert "roles:" in stderr and "routes:" in stderr  # what the configuration makes of the project
    assert findings(root) == expected


def test_init_infers_names_sessions_base_class_and_soft_delete_column(tmp_path: Path) -> None:
    root = without_config(tmp_path, FIXTURES / "init" / "handlers_layout")
    section = invoke("init", "--dry-run", str(root))[1]
    assert 'router = ["app.handlers", "app.handlers.**"]  # the package name `handlers`' in section
    assert 'service = ["app.logic", "app.logic.**"]' in section
    assert 'read = ["get_db_read_session"]' in section and 'write = ["get_db_session"]' in section
    assert 'base-class = "CrudStore"' in section and 'soft-delete-column = "removed_at"' in section
    assert "[tool.layerlint]" not in (root / "pyproject.toml").read_text()  # a dry run writes nothing


def test_one_session_dependency_is_no_split_and_is_left_commented(tmp_path: Path) -> None:
    root = without_config(tmp_path, FIXTURES / "init" / "endpoints_split_sessions")
    db = root / "shop" / "dependencies" / "db.py"
    db.write_text(db.read_text().split("async def get_db_read_session")[0])
    (root / "shop" / "dependencies" / "repositories.py").unlink()
    (root / "shop" / "api" / "v1" / "endpoints" / "orders.py").write_text("")
    section = invoke("init", "--dry-run", str(root))[1]
    assert "# Session dependencies found: shop.dependencies.db.get_db_session. No read/write split" in section
    assert "\nread = " not in section


def test_init_never_replaces_a_section_unless_forced(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "init" / "handlers_layout", root)
    before = (root / "pyproject.toml").read_text()
    code, _, stderr = invoke("init", str(root))
    assert code == 2 and "has a [tool.layerlint] section already; `layerlint init --force` replaces it" in stderr
    assert (root / "pyproject.toml").read_text() == before
    assert invoke("init", "--force", str(root))[0] == 0
    after = (root / "pyproject.toml").read_text()
    assert after.count("[tool.layerlint]") == 1 and "[tool.layerlint.roles]" not in after
    assert after.startswith('[project]\nname = "handlers-layout"')


def test_init_from_a_repository_root_writes_the_backend_s_pyproject(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    without_config(root, FIXTURES / "init" / "endpoints_split_sessions").rename(root / "backend")
    (root / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    assert invoke("init", str(root))[0] == 0
    assert "[tool.layerlint]" in (root / "backend" / "pyproject.toml").read_text()
    assert "layerlint" not in (root / "pyproject.toml").read_text()


def test_a_module_named_like_a_layer_is_no_package_and_gets_no_glob(tmp_path: Path) -> None:
    root = without_config(tmp_path, FIXTURES / "init" / "handlers_layout")
    (root / "app" / "serializers.py").write_text("def dump(value: object) -> str:\n    return str(value)\n")
    section = invoke("init", "--dry-run", str(root))[1]
    assert "serializers" not in section and 'router = ["app.handlers", "app.handlers.**"]' in section
