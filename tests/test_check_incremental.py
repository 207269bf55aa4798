"""`layerlint check` with the cache after each kind of edit finds exactly what a cold `--no-cache`
run finds (issue 15): per-module findings are kept only where the module's key (its import
closure, the roles and the whole analyses its rules read) is the stored one.

Each case checks a copy once to fill the cache, then applies a sequence of edits to a service
module and to a table model, saved to the file; after each, a check through the cache and a cold
check of the same tree must give the same findings and the same noqa count."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import NO_CACHE, FixtureProject, fixture_projects
from test_incremental import CHAIN, EDITS, LOOKUP, Row, edited_module, encoded, read, rows

from layerlint import engine
from layerlint.core.config import ConfigError, load_config
from layerlint.core.options import RunOptions

Edit = Callable[[str], str]
ROUTER = "app/api/v1/routers/orders.py"  # in CHAIN, the module that imports LOOKUP

SOFT_DELETE = "    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)\n"
TABLE = re.compile(r"^    __tablename__ = .*\n", re.MULTILINE)
MODEL_EDITS: list[tuple[str, Edit]] = [
    ("a model gains the soft-delete column", lambda text: TABLE.sub(lambda m: m.group(0) + SOFT_DELETE, text, 1)),
    ("the model loses it again", lambda text: text.replace(SOFT_DELETE, "", 1)),
    ("a field's type changes", lambda text: text.replace("Mapped[str]", "Mapped[int]", 1)),
]


def cached(root: Path, cache: Path) -> engine.CheckResult:
    return engine.check(load_config(root), options=RunOptions(cache_dir=cache, jobs=1))


def model_module(root: Path) -> str | None:
    """A module declaring a table (`__tablename__`), edited by MODEL_EDITS."""
    found = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py") if TABLE.search(read(p)))
    return found[0] if found else None


def replay(source: Path, tmp_path: Path, edits: list[tuple[str, list[tuple[str, Edit]]]]) -> list[int]:
    """Check a copy of `source` with the cache, then after each edit compare a cached check with a
    cold one; the modules the cached checks re-ran the closure-keyed rules on, edit by edit."""
    root, cache = tmp_path / "project", tmp_path / "cache"
    shutil.copytree(source, root)
    try:
        cached(root, cache)
    except ConfigError:
        pytest.skip("the fixture's configuration is the case")
    rechecked: list[int] = []
    for path, sequence in edits:
        text = read(root / path)
        for label, edit in sequence:
            text = edit(text)
            (root / path).write_bytes(encoded(text))
            try:
                expected = engine.check(load_config(root), options=NO_CACHE)
            except ConfigError:  # the edit broke a module the configuration names: both say so
                with pytest.raises(ConfigError):
                    cached(root, cache)
                continue
            found = cached(root, cache)
            assert rows(found.diagnostics) == rows(expected.diagnostics), f"{path} after: {label}"
            assert found.suppressed_by_noqa == expected.suppressed_by_noqa, f"{path} after: {label}"
            rechecked.append(found.timings.rechecked.get((), 0))
    return rechecked


@pytest.mark.parametrize("case", fixture_projects(), ids=lambda case: case.id)
def test_a_cached_check_finds_what_a_cold_run_finds_after_each_edit(case: FixtureProject, tmp_path: Path) -> None:
    edits = [(edited_module(case.root), EDITS)]
    model = model_module(case.root)
    if model is not None:
        edits.append((model, MODEL_EDITS))
    replay(case.root, tmp_path, edits)


@pytest.mark.parametrize("case", fixture_projects(), ids=lambda case: case.id)
def test_a_check_of_some_paths_checks_their_modules_alone_and_leaves_the_store_right(
        case: FixtureProject, tmp_path: Path) -> None:
    """`layerlint check FILE` after an edit (pre-commit passes the changed files) runs the keyed
    rules on FILE's module alone: its findings must be a cold run's, and the modules it left
    unchecked must be checked by the next run of the whole project, which must find what a cold
    run finds (neither stored as checked nor the whole project's findings stored under its key)."""
    root, cache = tmp_path / "project", tmp_path / "cache"
    shutil.copytree(case.root, root)
    try:
        cached(root, cache)
    except ConfigError:
        pytest.skip("the fixture's configuration is the case")
    path = edited_module(root)
    _check_some_paths(root, cache, path, EDITS[0][1], path)


def test_a_check_of_a_router_sees_a_chain_an_edit_elsewhere_made(tmp_path: Path) -> None:
    """The router is the path asked about, the edit (a repository import) is in a helper it
    imports: the router's LL102 chain must appear, and the helper be checked by the next run."""
    root, cache = tmp_path / "project", tmp_path / "cache"
    shutil.copytree(CHAIN, root)
    cached(root, cache)
    found = _check_some_paths(root, cache, LOOKUP, EDITS[2][1], ROUTER)
    assert any(row[3] == "LL102" for row in found)


def _check_some_paths(root: Path, cache: Path, edited: str, edit: Edit, asked: str) -> list[Row]:
    """Edit `edited`, check `asked` alone through the cache, then the whole project: each equal to
    a cold run's findings there; the first re-checks at most the asked module."""
    (root / edited).write_bytes(encoded(edit(read(root / edited))))
    for number, path in enumerate(sorted(root.rglob("*.py")), start=1):  # settled: the tree's digest answers
        os.utime(path, ns=(number, number))
    expected = rows(engine.check(load_config(root), options=NO_CACHE).diagnostics)
    some = engine.check(load_config(root), [root / asked], options=RunOptions(cache_dir=cache, jobs=1))
    assert rows(some.diagnostics) == [row for row in expected if row[0] == asked], asked
    assert all(count <= 1 for count in some.timings.rechecked.values()), some.timings.rechecked
    again = engine.check(load_config(root), [root / asked], options=RunOptions(cache_dir=cache, jobs=1))
    assert again.timings.from_cache and rows(again.diagnostics) == rows(some.diagnostics)  # stored for `asked`
    assert rows(cached(root, cache).diagnostics) == expected, asked  # not for the whole project
    return rows(some.diagnostics)


def test_an_import_chain_appears_and_goes_through_the_cache(tmp_path: Path) -> None:
    rechecked = replay(CHAIN, tmp_path, [(LOOKUP, EDITS)])
    modules = len(list(CHAIN.rglob("*.py")))
    # lookup.py is imported by the router alone: an edit re-checks those two and the packages' none;
    # a function added that nothing imports is seen by lookup.py alone (cache/dependents_view.py).
    assert rechecked[:2] == [1, 2] and all(count < modules for count in rechecked), rechecked


PROBE = """

async def layerlint_probe_function(session, items):
    for item in items:
        await session.execute(select(item))
    await session.delete(items[0])
    await session.commit()
    return items


class LayerlintProbeClass:
    async def probe(self, session):
        return await session.get(LayerlintProbeClass, 1)
"""
PROBE_IMPORT = "\nfrom {module} import layerlint_probe_function\n"


def imported_module(root: Path) -> tuple[str, str, str | None] | None:
    """A module that is no package, parsed, and that no import binds as a module object (its name,
    its path, and the path of a module importing a name from it, the first by path), preferring
    one with such an importer."""
    from layerlint.cache.dependents_view import reached_names
    from layerlint.project.index.graph import edge_candidates

    project = engine.load_project(load_config(root), options=NO_CACHE)
    as_module, by_name = reached_names(project.modules, ((name, [edge_candidates(item) for item in facts.imports])
                                                          for name, facts in project.modules.items()))
    importers: dict[str, str] = {}
    for name, facts in sorted(project.modules.items(), key=lambda item: item[1].path, reverse=True):
        for edge in project.graph.edges_from.get(name, ()):
            importers[edge.imported] = facts.path
    candidates = sorted((facts.path, name, importers.get(name) if name in by_name else None)
                        for name, facts in project.modules.items()
                        if not facts.is_package and facts.failure is None and name not in as_module)
    found = next((c for c in candidates if c[2] is not None), candidates[0] if candidates else None)
    return None if found is None else (found[1], found[0], found[2])


@pytest.mark.parametrize("case", fixture_projects(), ids=lambda case: case.id)
def test_a_function_and_a_class_added_that_nothing_imports_re_check_their_module_alone(
        case: FixtureProject, tmp_path: Path) -> None:
    """The modules importing the edited one keep their findings (cache/dependents_view.py), and the
    findings equal a cold run's; a later import of the added function by another module, then a
    change of its body, re-checks that importer again."""
    chosen = imported_module(case.root)
    if chosen is None:
        pytest.skip("no module to edit")
    module, path, importer = chosen
    edits: list[tuple[str, list[tuple[str, Edit]]]] = [(path, [("add a function and a class", lambda t: t + PROBE)])]
    if importer is not None:
        edits += [(importer, [("import the added function", lambda t: t + PROBE_IMPORT.format(module=module))]),
                  (path, [("change the added function's body", lambda t: t.replace("items[0]", "items[-1]"))])]
    rechecked = replay(case.root, tmp_path, edits)
    assert rechecked[0] == 1, rechecked
    if importer is not None:
        assert rechecked[2] > 1, rechecked  # the importer of the function, at least, is checked again


def test_a_whole_analysis_changed_elsewhere_reaches_a_module_outside_the_edit_s_closure(tmp_path: Path) -> None:
    """item/repository.py imports nothing of the project, but its LL403 finding names the base
    the other repositories share: renaming that base changes it through the whole analysis's
    fingerprint alone."""
    fixture = Path(__file__).parent / "fixtures" / "ll403" / "repositories_fire"
    base = "app/domain/shared/base_repository.py"
    before = [row for row in rows(engine.check(load_config(fixture), options=NO_CACHE).diagnostics)
              if row[0] == "app/domain/item/repository.py"]
    rename: list[tuple[str, Edit]] = [("the shared base is renamed",
                                       lambda text: text.replace("class BaseRepository(", "class CoreRepository("))]
    replay(fixture, tmp_path, [(base, rename)])
    after = [row for row in rows(cached(tmp_path / "project", tmp_path / "cache").diagnostics)
             if row[0] == "app/domain/item/repository.py"]
    assert before != after  # the edit moves a finding outside its closure: what the test is about


def test_a_router_dependency_changed_outside_the_router_s_closure_reaches_its_routes(tmp_path: Path) -> None:
    """items.py's router gets `record_request` from `include_router(..., dependencies=[...])` in
    api.py, which imports items.py. Once base.py no longer imports audit.py, neither the
    inclusion nor what the dependency reaches is in items.py's closure: its LL202 and LL203
    follow them through the fingerprints of the route table and the routers' sessions alone."""
    fixture = Path(__file__).parent / "fixtures" / "ll202" / "inherited_dependencies"
    items = "app/api/v1/routers/items.py"
    base: list[tuple[str, Edit]] = [("base.py no longer imports audit.py", lambda text: text.replace(
        "from app.api.audit import record_request\n", "").replace(", dependencies=[Depends(record_request)]", ""))]
    read_session: Edit = lambda text: text.replace("WriteSession", "ReadSession")  # noqa: E731
    audit: list[tuple[str, Edit]] = [
        ("the router dependency takes the read session", read_session),
        ("and the write session again", lambda text: text.replace("ReadSession", "WriteSession"))]
    inclusion: list[tuple[str, Edit]] = [
        ("the inclusion loses its dependencies", lambda text: text.replace(
            "include_router(items.router, dependencies=[Depends(record_request)])", "include_router(items.router)"))]
    replay(fixture, tmp_path, [("app/api/v1/routers/base.py", base), ("app/api/audit.py", audit),
                               ("app/api/v1/api.py", inclusion)])
    root = tmp_path / "project"
    shown: list[set[str]] = []
    for path, edit in (("app/api/v1/api.py", lambda text: text.replace(  # the inclusion as it was
            "include_router(items.router)", "include_router(items.router, dependencies=[Depends(record_request)])")),
            ("app/api/audit.py", read_session)):
        (root / path).write_text(edit(read(root / path)))
        shown.append({row[3] for row in rows(engine.check(load_config(root), options=NO_CACHE).diagnostics)
                      if row[0] == items})
    assert "LL202" in shown[0] and "LL202" not in shown[1]  # the edit of audit.py changes items.py's findings


def test_a_route_that_stops_taking_a_dto_reaches_the_dto_s_module(tmp_path: Path) -> None:
    """ItemPatch is a request DTO because app/api/items.py, which imports its module, takes it as
    a body: LL703 in app/dtos/item.py follows the request bodies' fingerprint alone."""
    fixture = Path(__file__).parent / "fixtures" / "ll703" / "open_requests"
    stops: list[tuple[str, Edit]] = [("the route takes a dict", lambda text: text.replace("body: ItemPatch", "body: dict")),
                                     ("and the DTO again", lambda text: text.replace("body: dict", "body: ItemPatch"))]
    replay(fixture, tmp_path, [("app/api/items.py", stops)])
    root = tmp_path / "project"
    (root / "app/api/items.py").write_text(stops[0][1](read(root / "app/api/items.py")))
    shown = [row for row in rows(engine.check(load_config(root), options=NO_CACHE).diagnostics) if "ItemPatch" in row[4]]
    assert not shown  # the edit removes ItemPatch's finding: what this is about


@pytest.mark.parametrize("case", fixture_projects(), ids=lambda case: case.id)
def test_stored_import_candidates_resolve_to_the_graph_s_edges(case: FixtureProject) -> None:
    """The edges the keys are built from (each import's first candidate that is a module) are the
    import graph's, so a key covers exactly the closure tests/test_module_locality.py checks."""
    from layerlint.project.index.graph import edge_candidates

    project = engine.load_project(load_config(case.root), options=NO_CACHE)
    for name, facts in project.modules.items():
        resolved = {next((c for c in edge_candidates(item) if c in project.modules), None) for item in facts.imports}
        assert resolved - {None, name} == {edge.imported for edge in project.graph.edges_from[name]}, name


def test_the_store_keeps_imports_as_one_string_and_a_group_without_findings_as_0(tmp_path: Path) -> None:
    """modules.json's compact parts read back as what they stand for: each import's candidates in
    order, and a group with no finding and no noqa as nothing held; any other number is no entry,
    and the module is checked again."""
    import json

    from layerlint.cache.dependents_view import View
    from layerlint.cache.module_findings import ModuleEntry
    from layerlint.project.index.graph import edge_candidates

    root, cache = tmp_path / "project", tmp_path / "cache"
    shutil.copytree(CHAIN, root)
    first = cached(root, cache)
    store, = cache.rglob("modules.json")
    document = json.loads(store.read_text())
    project = engine.load_project(load_config(root), options=NO_CACHE)
    shown = {row[0] for row in rows(first.diagnostics)}
    for facts in project.modules.values():
        digest, imports, _, groups, *_ = document["by_path"][facts.path]
        entry = ModuleEntry(facts.module, facts.path, digest, imports, View(digest, "", ""))
        assert entry.candidates() == [edge_candidates(item) for item in facts.imports], facts.path
        assert facts.path in shown or set(groups.values()) == {0}, facts.path
    quiet = next(path for path, entry in document["by_path"].items() if 0 in entry[3].values())
    group = next(name for name, item in document["by_path"][quiet][3].items() if item == 0)
    document["by_path"][quiet][3][group] = 1
    store.write_text(json.dumps(document))
    for path in cache.rglob("findings-*.json"):  # the next run keys each module
        path.unlink()
    again = cached(root, cache)
    assert sum(again.timings.rechecked.values()) == 1
    assert rows(again.diagnostics) == rows(first.diagnostics)


FIRST_RUN_CASES = [Path(__file__).parent / "fixtures" / case for case in (
    "ll202/write_session_on_reads", "ll402/queries_fire", "ll403/repositories_fire", "server/chain")]


def stored_findings(cache: Path) -> dict[str, bytes]:
    """The findings the cache holds: per module (modules.json, with each module's keys) and per run."""
    return {path.name: path.read_bytes() for path in sorted(cache.rglob("*.json"))
            if path.name == "modules.json" or path.name.startswith("findings-")}


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("root", FIRST_RUN_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_first_run_stores_what_a_run_keyed_per_module_stores(root: Path, jobs: int, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A first run (no module has findings stored) runs every rule at once and finds the keys
    meanwhile, the whole analyses' fingerprints in the workers that build them: it must store
    byte for byte what the run per group of rules stores, so the next runs reuse it as they would."""
    from layerlint import rule_pool
    from layerlint.cache.module_findings import ModuleFindings

    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)  # jobs=2: the rules run in two forked workers
    project, cache = tmp_path / "project", tmp_path / "cache"
    shutil.copytree(root, project)

    def run() -> engine.CheckResult:
        return engine.check(load_config(project), options=RunOptions(cache_dir=cache, jobs=jobs))

    first = run()
    assert first.timings.workers == jobs and first.timings.rechecked
    at_once = stored_findings(cache)
    shutil.rmtree(cache)
    with monkeypatch.context() as patch:  # as though some module had findings stored: keyed per group
        patch.setattr(ModuleFindings, "holds_any", lambda self, paths: True)
        keyed = run()
    assert stored_findings(cache) == at_once
    assert rows(keyed.diagnostics) == rows(first.diagnostics)
    assert keyed.suppressed_by_noqa == first.suppressed_by_noqa
    for path in cache.rglob("findings-*.json"):  # the next run keys each module and finds every key stored
        path.unlink()
    again = run()
    assert again.timings.rechecked and set(again.timings.rechecked.values()) == {0}
    assert rows(again.diagnostics) == rows(first.diagnostics)
