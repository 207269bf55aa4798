"""Hostile files on disk and where the project is: every file is checked, reported as LL001 or
named in a warning; nothing hangs, nothing is written outside a project, no path is dropped in
silence (issue 17: D1, D2, D3, D7, D19, D20, D21, D22)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from harness import NO_CACHE
from integration_helpers import run

from layerlint import engine
from layerlint.cli import main
from layerlint.core.config import load_config
from layerlint.core.roots import is_project_root
from layerlint.integrations.findings import LintRun
from layerlint.project.reading import discovery

ROUTER = "app/routers/items.py"
FILES = {
    "app/__init__.py": "",
    "app/routers/__init__.py": "",
    "app/repositories/__init__.py": "",
    "app/repositories/items.py": "class ItemRepository:  # noqa: LL403\n    pass\n",
    ROUTER: "from fastapi import APIRouter\n\nfrom app.repositories.items import ItemRepository\n\n"
            "router = APIRouter()\n",
    "app/main.py": "from fastapi import FastAPI\n\nfrom app.routers.items import router\n\n"
                   "app = FastAPI()\napp.include_router(router)\n",
}
EXPECTED = {(ROUTER, 3, "LL101")}
PYPROJECT = '[project]\nname = "p"\nversion = "0"\n'
UNANNOTATED = "def f(x):\n    return x\n"  # LL701 and LL702


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The issue's reproduction: one LL101, a registered router, a pyproject.toml with [project]."""
    return write(tmp_path / "p", {**FILES, "pyproject.toml": PYPROJECT})


def cli(*args: str) -> tuple[int, list[tuple[str, int, str]], str]:
    """Exit code, (path, line, code) of each finding, and stderr of `layerlint check --format json`."""
    result = CliRunner().invoke(main, ["check", "--format", "json", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    found = [(d["path"], d["line"], d["code"]) for d in json.loads(result.stdout or "[]")]
    return result.exit_code, found, result.stderr


def findings(root: Path, *paths: Path) -> set[tuple[str, int, str]]:
    result = engine.check(load_config(paths[0] if paths else root), paths, options=NO_CACHE)
    return {(d.path, d.line, d.code) for d in result.diagnostics}


def subprocess_check(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process, bounded: a read that blocks or never ends fails the test instead
    of hanging the suite or eating the machine's memory."""
    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-m", "layerlint", "check", "--no-cache", "--format", "json", *args],
                          cwd=root, capture_output=True, text=True, timeout=30, preexec_fn=limit_memory)


# ---------------------------------------------------------------- D22: a loose file is checked alone

def test_a_loose_file_is_checked_alone_and_nothing_is_written_beside_it(tmp_path: Path) -> None:
    loose = write(tmp_path / "loose", {"loose.py": UNANNOTATED, "broken.py": "def (:\n", "sub/other.py": UNANNOTATED})
    assert not is_project_root(loose)
    code, found, _ = cli(str(loose / "loose.py"))
    assert code == 1 and {(p, c) for p, _, c in found} == {("loose.py", "LL701"), ("loose.py", "LL702")}
    assert not (loose / ".layerlint_cache").exists()
    assert [f.relative for f in discovery.find_files(load_config(loose / "loose.py"), [loose / "loose.py"]).files] \
        == ["loose.py"]  # broken.py and sub/ are not even read


def test_a_file_that_is_no_python_file_is_named_not_checked(tmp_path: Path) -> None:
    etc = write(tmp_path / "etc", {"hostname": "box\n", "sub/x.py": UNANNOTATED})
    code, found, stderr = cli(str(etc / "hostname"))
    assert (code, found) == (0, []) and "hostname: not checked: not a `.py` file" in stderr
    assert "no files were checked" in stderr
    assert not (etc / ".layerlint_cache").exists()


def test_flake8_and_pylint_check_a_loose_file_alone(tmp_path: Path) -> None:
    loose = write(tmp_path / "loose", {"loose.py": UNANNOTATED, "sub/other.py": UNANNOTATED})
    found = LintRun().findings_for(str(loose / "loose.py"))
    assert {d.path for d in found} == {"loose.py"}
    unsaved = LintRun().findings_for(str(loose / "unsaved.py"), UNANNOTATED)  # a buffer (stdin) named there
    assert {(d.path, d.code) for d in unsaved} == {("unsaved.py", "LL701"), ("unsaved.py", "LL702")}
    assert not (loose / ".layerlint_cache").exists()


def test_only_a_marked_root_gets_a_cache(tmp_path: Path) -> None:
    root = write(tmp_path / "nopy", FILES)
    assert engine.check(load_config(root / ROUTER), [root / ROUTER]).diagnostics
    assert not (root / ".layerlint_cache").exists()  # packages alone: a file in site-packages is in one
    (root / "setup.cfg").write_text("")
    assert engine.check(load_config(root / ROUTER), [root / ROUTER]).diagnostics
    assert (root / ".layerlint_cache").is_dir()


# ---------------------------------------------------------------- D19: one root whatever path is given

def test_without_pyproject_every_path_finds_the_same_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write(tmp_path / "nopy", FILES)
    monkeypatch.chdir(root)
    assert findings(root, Path(".")) == EXPECTED
    assert findings(root, Path(ROUTER)) == EXPECTED
    assert findings(root, Path("app/routers")) == EXPECTED
    monkeypatch.chdir(root / "app" / "routers")
    assert findings(root, Path("items.py")) == EXPECTED


def test_the_src_layout_without_pyproject_has_one_root(tmp_path: Path) -> None:
    root = write(tmp_path / "r", {"setup.py": "", **{f"src/{p}": text for p, text in FILES.items()}})
    assert load_config(root / "src" / ROUTER).root == root == load_config(root).root
    assert findings(root, root / "src" / ROUTER) == findings(root) == {(f"src/{ROUTER}", 3, "LL101")}


@pytest.mark.parametrize("marker", ["setup.cfg", "setup.py", ".git"])
def test_setup_files_and_git_mark_the_root(tmp_path: Path, marker: str) -> None:
    root = write(tmp_path / "r", {marker: "", "scripts/tool.py": UNANNOTATED})
    assert load_config(root / "scripts" / "tool.py").root == root and is_project_root(root)


# ---------------------------------------------------------------- D20: the user's paths, not symlink targets

@pytest.fixture
def linked(tmp_path: Path, project: Path) -> tuple[Path, Path]:
    """A package symlinked into the project from another project elsewhere."""
    elsewhere = write(tmp_path / "elsewhere", {
        "pyproject.toml": PYPROJECT, "extra/__init__.py": "",
        "extra/routers.py": "from app.repositories.items import ItemRepository\n"})
    os.symlink(elsewhere / "extra", project / "app" / "extra")
    return project, elsewhere


def test_a_symlinked_package_belongs_to_the_project_it_is_linked_into(linked: tuple[Path, Path]) -> None:
    project, elsewhere = linked
    finding = ("app/extra/routers.py", 1, "LL101")
    assert finding in findings(project)
    assert findings(project, project / "app" / "extra" / "routers.py") == {finding}
    found = LintRun().findings_for(str(project / "app" / "extra" / "routers.py"))  # flake8, pylint
    assert {(d.path, d.line, d.code) for d in found} == {finding}
    assert not (elsewhere / ".layerlint_cache").exists() and (project / ".layerlint_cache").is_dir()


def test_flake8_reports_a_symlinked_package_under_the_link(linked: tuple[Path, Path]) -> None:
    project, elsewhere = linked
    done = run(project, "flake8", "--select", "LL", "app/extra/routers.py")
    assert done.stdout.startswith("app/extra/routers.py:1:1: LL101 "), done.stdout + done.stderr
    assert not (elsewhere / ".layerlint_cache").exists()


def test_a_plugin_file_linking_out_of_the_project_does_not_check_the_target(linked: tuple[Path, Path]) -> None:
    project, elsewhere = linked
    os.symlink(elsewhere / "extra" / "routers.py", project / "app" / "routers" / "alias.py")
    found = LintRun().findings_for(str(project / "app" / "routers" / "alias.py"))
    assert {(d.path, d.code) for d in found} == {("app/routers/alias.py", "LL101")}
    assert not (elsewhere / ".layerlint_cache").exists()


# ---------------------------------------------------------------- D1, D2: only regular files are read

def test_a_fifo_named_like_a_module_is_reported_not_read(project: Path) -> None:
    os.mkfifo(project / "app" / "routers" / "pipe.py")
    done = subprocess_check(project)
    found = {(d["path"], d["code"]): d["message"] for d in json.loads(done.stdout)}
    assert found.keys() == {(ROUTER, "LL101"), ("app/routers/pipe.py", "LL001")}, done.stderr
    assert "not a regular file (a FIFO)" in found["app/routers/pipe.py", "LL001"]


def test_a_symlink_to_dev_zero_is_reported_not_read(project: Path) -> None:
    os.symlink("/dev/zero", project / "app" / "zero.py")
    done = subprocess_check(project)
    found = {(d["path"], d["code"]): d["message"] for d in json.loads(done.stdout)}
    assert found.keys() == {(ROUTER, "LL101"), ("app/zero.py", "LL001")}, done.stderr
    assert "a character device" in found["app/zero.py", "LL001"]


def test_read_source_refuses_anything_but_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo.py")
    for path, kind in ((tmp_path / "fifo.py", "a FIFO"), (Path("/dev/null"), "a character device"),
                       (tmp_path, "a directory")):
        with pytest.raises(OSError, match=kind):
            discovery.read_source(path)


def test_a_directory_named_like_a_module_is_a_directory(project: Path) -> None:
    (project / "app" / "x.py").mkdir()
    (project / "app" / "x.py" / "inner.py").write_text(UNANNOTATED)
    assert findings(project) == EXPECTED


# ---------------------------------------------------------------- D3: symlink loops

def test_directory_symlink_loops_are_not_followed(project: Path) -> None:
    os.symlink(".", project / "app" / "self")
    os.symlink("../..", project / "app" / "routers" / "up")
    code, found, stderr = cli(str(project))
    assert (code, set(found)) == (1, EXPECTED)
    assert "app/self/: not followed: a symlink to a directory above it (a loop)" in stderr
    assert "app/routers/up/: not followed" in stderr


def test_a_loop_through_two_directory_symlinks_is_not_followed(project: Path) -> None:
    """Neither link leads above the directory it is in: the loop is seen by the directories walked."""
    (project / "app" / "one").mkdir()
    (project / "app" / "two").mkdir()
    os.symlink("../two", project / "app" / "one" / "to_two")
    os.symlink("../one", project / "app" / "two" / "to_one")
    code, found, stderr = cli(str(project))
    assert (code, set(found)) == (1, EXPECTED)
    assert "app/one/to_two/to_one/: not followed: a symlink to a directory above it (a loop)" in stderr
    assert "app/two/to_one/to_two/: not followed" in stderr


def test_a_file_symlink_loop_is_an_ll001(project: Path) -> None:
    os.symlink("b.py", project / "app" / "a.py")
    os.symlink("a.py", project / "app" / "b.py")
    found = findings(project)
    assert found == EXPECTED | {("app/a.py", 1, "LL001"), ("app/b.py", 1, "LL001")}
    assert findings(project, project / "app" / "a.py") == {("app/a.py", 1, "LL001")}  # named: no RuntimeError


# ---------------------------------------------------------------- D7: packages are names, not paths

@pytest.mark.parametrize("package", ["/etc", "app/../..", "", "..", "app.", ".app"])
def test_a_package_that_is_no_dotted_name_is_a_config_error(project: Path, package: str) -> None:
    (project / "pyproject.toml").write_text(PYPROJECT + f'[tool.layerlint]\npackages = ["{package}"]\n')
    result = CliRunner().invoke(main, ["check", "--no-cache", str(project)])
    assert result.exit_code == 2
    assert f"pyproject.toml: [tool.layerlint] `packages`: `{package}` is not a dotted package name" in result.stderr


# ---------------------------------------------------------------- D21: nothing dropped in silence

def test_a_dangling_symlink_is_an_ll001(project: Path) -> None:
    os.symlink("gone.py", project / "app" / "routers" / "dangling.py")
    diagnostics = engine.check(load_config(project), options=NO_CACHE).diagnostics
    ll001 = [d for d in diagnostics if d.code == "LL001"]
    assert [(d.path, d.line) for d in ll001] == [("app/routers/dangling.py", 1)]
    assert "No such file or directory" in ll001[0].message


def test_a_file_that_is_no_module_name_is_named_in_a_warning(project: Path) -> None:
    write(project, {"app/routers/my-items.py": UNANNOTATED})
    code, found, stderr = cli(str(project / "app" / "routers" / "my-items.py"))
    assert "app/routers/my-items.py: not checked: `my-items` is not a module name" in stderr
    assert "no files were checked" in stderr and (code, found) == (0, [])
    assert "app/routers/my-items.py: not checked" in cli(str(project))[2]  # found while walking: said too
    write(project, {"app/versions/2021-07-22_c0bc.py": "", "app/versions/2021-07-23_d1cd.py": ""})
    assert ("3 files not checked: their names are not module names, so they cannot be imported "
            "(app/routers/my-items.py, ...; `exclude` them to silence this)") in cli(str(project))[2]


def test_a_named_namespace_package_file_is_checked(project: Path) -> None:
    write(project, {"ns/mod.py": UNANNOTATED, "scripts/tool.py": UNANNOTATED})
    assert findings(project) == EXPECTED  # not first-party unless named: no package holds them
    assert findings(project, project / "ns" / "mod.py") == {("ns/mod.py", 1, "LL701"), ("ns/mod.py", 1, "LL702")}
    assert {p for p, _, _ in findings(project, project / "scripts")} == {"scripts/tool.py"}


def test_a_module_beside_a_package_of_its_name_is_named_in_a_warning(project: Path) -> None:
    write(project, {"dup/__init__.py": UNANNOTATED, "dup.py": "def g(y):\n    return y\n"})
    _, found, stderr = cli(str(project / "dup.py"), str(project / "dup"))
    assert {p for p, _, _ in found} == {"dup/__init__.py"}  # the package is what Python imports
    assert "dup.py: not checked: dup/__init__.py is also module `dup` (Python imports the package)" in stderr
    write(project, {"app/sub/__init__.py": "", "app/sub.py": ""})  # met while walking: the same
    assert "app/sub.py: not checked: app/sub/__init__.py is also module `app.sub`" in cli(str(project))[2]


def test_an_app_module_beside_the_packages_is_named_in_a_warning_and_checked_when_listed(tmp_path: Path) -> None:
    """`backend/main.py` next to `backend/shop/`: discovery reads the packages, so the app (and the
    routers it includes, which LL207 needs) is missing until `packages` lists it; say so."""
    root = write(tmp_path / "backend", {
        "shop/__init__.py": "", "shop/api.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        "shop/orphan.py": "from fastapi import APIRouter\n\nforgotten = APIRouter()\n",
        "main.py": "from fastapi import FastAPI\n\nfrom shop.api import router\n\napp = FastAPI()\n"
                   "app.include_router(router)\n",
        "pyproject.toml": PYPROJECT})
    _, found, stderr = cli(str(root))
    assert 'main.py: not checked: a module beside the packages, where the app usually is; to check it, list it ' \
           'with them: `packages = ["shop", "main"]`' in stderr
    assert not [f for f in found if f[2] == "LL207"]  # no app read: what is served is unknown
    (root / "pyproject.toml").write_text(PYPROJECT + '\n[tool.layerlint]\npackages = ["shop", "main"]\n')
    _, found, stderr = cli(str(root))
    assert "main.py: not checked" not in stderr
    assert ("shop/orphan.py", 3, "LL207") in found and not [f for f in found if f[0] == "shop/api.py"]
    (root / "pyproject.toml").write_text(PYPROJECT)  # a launcher, `uvicorn.run("shop.app:app")`, is not named
    (root / "main.py").write_text('import uvicorn\n\nuvicorn.run("shop.app:app")\n')
    assert "main.py: not checked" not in cli(str(root))[2]


def test_modules_beside_layer_packages_are_checked_with_them(tmp_path: Path) -> None:
    """A flat layout: `routers/` at the root is a layer, so `main.py`, `models.py` and `db.py`
    beside it are the rest of the application (imported as `from models import Note`), checked
    with it; `setup.py` is not. With a package of the application at the root (`shop/`), the
    modules beside it stay unchecked, as before."""
    flat = write(tmp_path / "flat", {
        "routers/__init__.py": "", "routers/notes.py": "from fastapi import APIRouter\n\nrouter = APIRouter()\n",
        "models.py": UNANNOTATED, "db.py": UNANNOTATED, "setup.py": UNANNOTATED,
        "main.py": "from fastapi import FastAPI\n\nfrom routers.notes import router\n\napp = FastAPI()\n"
                   "app.include_router(router)\n",
        "pyproject.toml": PYPROJECT})
    _, found, stderr = cli(str(flat))
    paths = {path for path, _, _ in found}
    assert {"models.py", "db.py"} <= paths and "setup.py" not in paths
    assert "main.py: not checked" not in stderr
    packaged = write(tmp_path / "packaged", {
        "shop/__init__.py": "", "shop/api.py": "x = 1\n", "models.py": UNANNOTATED, "pyproject.toml": PYPROJECT})
    assert "models.py" not in {path for path, _, _ in cli(str(packaged))[1]}


def test_two_packages_of_one_name_are_named_in_a_warning(project: Path) -> None:
    write(project, {"shop/__init__.py": "", "shop/a.py": UNANNOTATED,
                    "src/shop/__init__.py": "", "src/shop/b.py": UNANNOTATED})
    _, found, stderr = cli(str(project))
    assert "src/shop/: not checked: a package `shop` is also at shop/, which is checked" in stderr
    assert {p for p, _, _ in found} == {ROUTER, "shop/a.py"}


def test_an_unreadable_directory_is_named_in_a_warning(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = project / "app" / "locked"
    write(project, {"app/locked/hidden.py": UNANNOTATED})
    scandir = os.scandir

    def refuse(path: str) -> object:
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(discovery.os, "scandir", refuse)
    _, found, stderr = cli(str(project))
    assert set(found) == EXPECTED and "app/locked/: not checked: cannot read the directory (Permission denied)" in stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file: covered by the mocked test below")
def test_an_unreadable_file_is_an_ll001(project: Path) -> None:
    secret = write(project, {"app/secret.py": UNANNOTATED}) / "app" / "secret.py"
    secret.chmod(0)
    assert ("app/secret.py", 1, "LL001") in findings(project)


def test_a_file_that_cannot_be_read_is_an_ll001(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, {"app/secret.py": UNANNOTATED})
    read = discovery.read_source

    def refuse(path: str | Path) -> bytes:
        if str(path).endswith("secret.py"):
            raise PermissionError(13, "Permission denied", str(path))
        return read(path)

    for module in ("layerlint.project.reading.loader", "layerlint.project.reading.parallel"):
        monkeypatch.setattr(f"{module}.read_source", refuse)
    diagnostics = engine.check(load_config(project), options=NO_CACHE).diagnostics
    assert [(d.path, d.message.split(";")[0]) for d in diagnostics if d.code == "LL001"] == [
        ("app/secret.py", "cannot read the file: Permission denied")]
    assert {(d.path, d.line, d.code) for d in diagnostics} - {("app/secret.py", 1, "LL001")} == EXPECTED


def test_a_file_deleted_during_the_run_is_an_ll001(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project, {"app/doomed.py": UNANNOTATED})
    find_files = engine.find_files

    def find_then_delete(*args: object) -> discovery.Discovery:
        found = find_files(*args)  # type: ignore[arg-type]
        (project / "app" / "doomed.py").unlink()
        return found

    monkeypatch.setattr(engine, "find_files", find_then_delete)
    assert findings(project) == EXPECTED | {("app/doomed.py", 1, "LL001")}


def test_a_path_outside_the_project_is_named_in_a_warning(project: Path, tmp_path: Path) -> None:
    outside = write(tmp_path / "other", {"x.py": UNANNOTATED}) / "x.py"
    code, found, stderr = cli(str(project / ROUTER), str(outside))
    assert (code, set(found)) == (1, EXPECTED)
    assert f"{outside}: not checked: outside the project at {project}" in stderr


def test_a_script_named_first_does_not_choose_the_root(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", {".git/HEAD": "", "scripts/tool.py": UNANNOTATED})
    project = write(repo / "backend", {**FILES, "pyproject.toml": PYPROJECT})
    code, found, stderr = cli(str(repo / "scripts" / "tool.py"), str(project / ROUTER))  # as pre-commit may
    assert (code, set(found)) == (1, EXPECTED)
    assert f"{repo / 'scripts' / 'tool.py'}: not checked: outside the project at {project}" in stderr


def test_excluding_everything_warns_that_nothing_was_checked(project: Path) -> None:
    (project / "pyproject.toml").write_text(PYPROJECT + '[tool.layerlint]\nexclude = ["**"]\n')
    code, found, stderr = cli(str(project))
    assert (code, found) == (5, []) and "warning: no files were checked" in stderr  # see test_no_silent_passes
