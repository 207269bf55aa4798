"""The language server's live model after each kind of edit finds exactly what a cold `--no-cache`
run finds on the same text (issue 15): it keeps findings an edit cannot move, re-checks the
modules whose closure the edit reaches, and computes findings only for the paths asked about.

Each case applies a sequence of unsaved edits to one module; after each, the edited path's
findings (asked alone first, as the server publishes them) and then every path's are compared
with a cold check of a copy where the edit is written to the file."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from harness import NO_CACHE, FixtureProject, fixture_projects

from layerlint import engine
from layerlint.core.config import ConfigError, load_config
from layerlint.core.diagnostic import Diagnostic
from layerlint.live import LiveProject
from layerlint.project.index import models
from layerlint.project.project import Project

CHAIN = Path(__file__).parent / "fixtures" / "server" / "chain"
LOOKUP = "app/utils/lookup.py"
REPOSITORY_IMPORT = "from app.domain.orders.repository import OrderRepository\n"

Row = tuple[str, int, int, str, str]
Edit = Callable[[str], str]

EDITS: list[tuple[str, Edit]] = [
    ("add a function", lambda text: text + "\n\ndef incremental_probe(value):\n    return value\n"),
    ("insert a line at the top", lambda text: "import os\n" + text),
    ("add an import", lambda text: REPOSITORY_IMPORT + text),  # in lookup.py: the router gains an LL102 chain
    ("remove the import", lambda text: text.replace(REPOSITORY_IMPORT, "", 1)),
    ("break the syntax", lambda text: text + "\ndef broken(:\n"),
    ("fix the syntax", lambda text: text.replace("\ndef broken(:\n", "\n")),
]


def rows(diagnostics: list[Diagnostic]) -> list[Row]:
    return sorted((d.path, d.line, d.column, d.code, d.message) for d in diagnostics)


def read(path: Path) -> str:
    """A file's text, its undecodable bytes kept as they are (the LL001 fixtures)."""
    return path.read_bytes().decode("utf-8", "surrogateescape")


def encoded(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def cold(root: Path) -> list[Row]:
    return rows(engine.check(load_config(root), options=NO_CACHE).diagnostics)


def edited_module(root: Path) -> str:
    """The module a case edits: a service when there is one, else the first module with code; in a
    package when the case has one (a script beside the packages is not one of the project's modules)."""
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
    with_code = [f for f in files if read(root / f).strip()]
    in_packages = [f for f in with_code if (root / f).parent.joinpath("__init__.py").is_file()]
    candidates = in_packages or with_code
    return next((f for f in candidates if "service" in f), candidates[0])


REGISTERED = Path(__file__).parent / "fixtures" / "ll207" / "all_registered"
NESTED = "app/api/v1/routers/nested.py"
CHILD_REGISTERED = "parent.include_router(child)\n"
# The live model keeps what it found in a module's facts until they change (the include_router
# calls, the import edges): edits that change those, in the module that registers routers.
REGISTRATION_EDITS: list[tuple[str, Edit]] = [
    ("insert a line at the top", lambda text: "import os\n" + text),
    ("unregister a router", lambda text: text.replace(CHILD_REGISTERED, "")),
    ("register it again", lambda text: text + CHILD_REGISTERED),
    ("import what it registers from elsewhere", lambda text: text.replace(
        "from app.api.v1.routers.items import router as items_router", "from app.main import app as items_router")),
]


def replay(source: Path, tmp_path: Path, edited: str, edits: list[tuple[str, Edit]] = EDITS) -> None:
    """Apply `edits` to `edited` through a live project over `source`'s copy (unsaved buffers) and
    compare, edit by edit, with a cold check of a second copy where each edit is saved."""
    live_root, cold_root = tmp_path / "live", tmp_path / "cold"
    shutil.copytree(source, live_root)
    shutil.copytree(source, cold_root)
    live = LiveProject(load_config(live_root), NO_CACHE)
    text = read(live_root / edited)
    live.findings({edited: encoded(text)})  # the first check: every path known before the edits
    for label, edit in edits:
        text = edit(text)
        (cold_root / edited).write_bytes(encoded(text))
        buffers = {edited: encoded(text)}
        try:
            expected = cold(cold_root)
        except ConfigError:  # the edit broke a module the configuration names: both say so
            with pytest.raises(ConfigError):
                live.findings(buffers, [edited])
            continue
        first = live.findings(buffers, [edited])[edited]
        assert rows(first) == [row for row in expected if row[0] == edited], f"{edited} after: {label}"
        every = [d for found in live.findings(buffers).values() for d in found]
        assert rows(every) == expected, f"the project after: {label} (of {edited})"


def test_an_import_chain_appears_and_goes_edit_by_edit(tmp_path: Path) -> None:
    replay(CHAIN, tmp_path, LOOKUP)


def test_router_registrations_change_edit_by_edit(tmp_path: Path) -> None:
    replay(REGISTERED, tmp_path, NESTED, REGISTRATION_EDITS)


def test_an_edit_outside_the_closure_keeps_the_local_findings(tmp_path: Path) -> None:
    shutil.copytree(CHAIN, tmp_path / "chain")
    live = LiveProject(load_config(tmp_path / "chain"), NO_CACHE)
    live.findings({})
    router = "app/api/v1/routers/orders.py"
    live.findings({router: (tmp_path / "chain" / router).read_bytes() + b"\nX = 1\n"})
    # The router imports lookup.py, nothing imports the router: only it is re-checked.
    assert live.rechecked["local"] == 1


def test_the_next_project_keeps_the_import_edges_of_the_modules_not_edited() -> None:
    config = load_config(CHAIN)
    before = engine.load_project(config, options=NO_CACHE)
    edited = engine.load_project(config, {LOOKUP: encoded(REPOSITORY_IMPORT + read(CHAIN / LOOKUP))}, options=NO_CACHE)
    lookup, router = "app.utils.lookup", "app.api.v1.routers.orders"
    after = Project.build(config, [edited.modules[lookup], *(f for n, f in before.modules.items() if n != lookup)])
    edges_before = {name: before.graph.edges_from[name] for name in before.modules}
    after.carry_over(before)
    assert after.graph.edges_from[router] is edges_before[router]  # found once, for the facts both share
    assert "app.domain.orders.repository" in {edge.imported for edge in after.graph.edges_from[lookup]}


def _next_project(root: Path, files: dict[str, str], edited_path: str, edited_text: str
                  ) -> tuple[Project, Project, Project]:
    """A project of `files`; the project of the same files with one edited, built afresh; and
    that project built from the first one's facts but the edited module's, taking over from the
    first as the language server's next project does (`carry_over`)."""
    (root / "pyproject.toml").write_text("[tool.layerlint]\n")
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    config = load_config(root)
    before = engine.load_project(config, options=NO_CACHE)
    before.roles, before.table_models  # what the server's last project had found
    edited = engine.load_project(config, {edited_path: encoded(edited_text)}, options=NO_CACHE)
    module = edited_path.removesuffix(".py").replace("/", ".")
    after = Project.build(config, [edited.modules[module], *(f for name, f in before.modules.items() if name != module)])
    after.carry_over(before)
    return before, edited, after


def test_a_program_the_next_project_imports_is_no_longer_one(tmp_path: Path) -> None:
    before, edited, after = _next_project(tmp_path, {
        "app/__init__.py": "", "app/other.py": "VALUE = 1\n", "scripts/__init__.py": "",
        "scripts/backfill.py": "def main() -> None:\n    pass\n\n\nif __name__ == '__main__':\n    main()\n"},
        "app/other.py", "from scripts.backfill import main\n\nVALUE = 1\n")
    assert before.roles["scripts.backfill"].program
    assert after.roles == edited.roles and not after.roles["scripts.backfill"].program


def test_the_next_project_reuses_what_the_modules_an_edit_cannot_reach_gave(tmp_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A role from content and the table models a module defines read the module's import closure:
    after an edit, the edited module and those importing it are read again (here `Thing` becomes
    a table model), the others keep what they gave."""
    before, edited, after = _next_project(tmp_path, {
        "app/__init__.py": "", "app/stuff/__init__.py": "", "app/stuff/base.py": "class Base:\n    pass\n",
        "app/stuff/thing.py": "from app.stuff.base import Base\n\n\nclass Thing(Base, table=True):\n    id: int\n",
        "app/stuff/other.py": "from sqlmodel import SQLModel\n\n\nclass Other(SQLModel, table=True):\n    id: int\n"},
        "app/stuff/base.py", "from sqlmodel import SQLModel\n\n\nclass Base(SQLModel):\n    pass\n")
    assert before.roles["app.stuff.thing"].role is None and [m.name for m in before.table_models] == ["Other"]
    expected_roles, expected_models = edited.roles, edited.table_models  # a project built afresh
    read_again: list[str] = []
    defined = models._defined_table_models
    monkeypatch.setattr(models, "_defined_table_models",
                        lambda index, facts: read_again.append(facts.module) or defined(index, facts))
    assert after.roles == expected_roles and after.roles["app.stuff.thing"].role == "model"
    assert after.roles["app.stuff.other"] is before.roles["app.stuff.other"]  # not found again
    assert after.table_models == expected_models and [m.name for m in after.table_models] == ["Other", "Thing"]
    assert sorted(read_again) == ["app.stuff.base", "app.stuff.thing"]


@pytest.mark.parametrize("case", fixture_projects(), ids=lambda case: case.id)
def test_the_live_model_finds_what_a_cold_run_finds_after_each_edit(case: FixtureProject, tmp_path: Path) -> None:
    root = case.root
    replay(root, tmp_path, edited_module(root))


class _Counted:
    def __init__(self, action: Callable[[], object]) -> None:
        self.action, self.calls = action, 0

    def __call__(self) -> None:
        self.calls += 1
        self.action()


@pytest.fixture
def unfreezes(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Counted]:
    """`gc.unfreeze`, counted; whatever the test froze is unfrozen after it."""
    import gc

    counted = _Counted(gc.unfreeze)
    monkeypatch.setattr(gc, "unfreeze", counted)
    yield counted
    counted.action()


def test_the_facts_read_are_frozen_and_collected_once_enough_are_replaced(
        tmp_path: Path, unfreezes: _Counted, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from layerlint import live as live_module

    shutil.copytree(CHAIN, tmp_path / "chain")
    live = LiveProject(load_config(tmp_path / "chain"), NO_CACHE)
    live.findings({})
    assert gc.get_freeze_count() > 0 and unfreezes.calls == 1  # at the load: nothing to collect yet
    live.files_changed([LOOKUP])
    live.findings({})  # one module read again: a hundred may be before anything is collected
    assert unfreezes.calls == 1
    monkeypatch.setattr(live_module, "REFREEZE_AFTER", 0)
    live.files_changed([LOOKUP])
    live.findings({})  # more than a tenth of the project replaced: collected, frozen again
    assert unfreezes.calls == 2 and gc.get_freeze_count() > 0
