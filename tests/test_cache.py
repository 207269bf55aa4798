"""The on-disk cache: what invalidates it, what it refuses to load, and parallel runs."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from harness import FIXTURES

import layerlint
from layerlint import engine
from layerlint.cache import ProjectCache, namespace
from layerlint.cli import main
from layerlint.core.config import load_config
from layerlint.core.options import RunOptions
from layerlint.project.reading import parallel
from layerlint.project.reading.compact import decode_facts, encode_facts
from layerlint.project.reading.discovery import discover
from layerlint.project.reading.loader import load_facts

ROUTER = "app/api/v1/routers/items.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of an LL101 fixture: a router that imports a repository."""
    target = tmp_path / "project"
    shutil.copytree(FIXTURES / "ll101" / "direct_imports", target, ignore=shutil.ignore_patterns(".layerlint_cache"))
    return target


def codes(root: Path) -> list[tuple[str, int, str]]:
    result = engine.check(load_config(root))
    return [(d.path, d.line, d.code) for d in result.diagnostics]


def test_second_run_parses_nothing_and_reports_the_same(project: Path, parses: list[str]) -> None:
    first = codes(project)
    assert first and len(parses) == len(discover(load_config(project)))
    parses.clear()
    assert codes(project) == first
    assert parses == []


@pytest.mark.parametrize("output_format", ["text", "json", "github"])
def test_a_run_answered_from_the_cache_loads_no_rule(project: Path, output_format: str) -> None:
    """Loading the rules and the model costs ~70 ms, most of a warm run's time; only formats that
    describe the rules (SARIF) load them when the findings come from the cache."""
    command = [sys.executable, "-X", "importtime", "-m", "layerlint", "check", "--format", output_format, str(project)]
    runs = [subprocess.run(command, capture_output=True, text=True) for _ in (1, 2)]
    loaded = [{line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines() if line.startswith("import time:")}
              for run in runs]
    assert [run.returncode for run in runs] == [1, 1]  # the fixture's LL101, both times
    assert "layerlint.rules" in loaded[0]  # the first run evaluates the rules
    assert not {name for name in loaded[1] if name.startswith(("layerlint.rules", "layerlint.project.project"))}


def test_content_change_is_seen(project: Path, parses: list[str]) -> None:
    before = codes(project)
    router = project / ROUTER
    router.write_text("")  # same mtime tick is possible: the content hash still decides
    parses.clear()
    after = codes(project)
    assert parses == [ROUTER]
    assert [c for c in before if c[0] != ROUTER] == after and len(after) < len(before)


def test_config_change_that_affects_extraction_uses_another_namespace(project: Path) -> None:
    config = load_config(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.layerlint.models]\nsoft-delete-column = "removed_at"\n')
    assert namespace(load_config(project)) != namespace(config)


def test_config_change_is_seen(project: Path) -> None:
    assert codes(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.layerlint]\nignore = ["LL101"]\n')
    assert not [c for c in codes(project) if c[2] == "LL101"]


def test_version_change_invalidates(project: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    first = codes(project)
    monkeypatch.setattr(layerlint, "__version__", "999.0")
    parses.clear()
    assert codes(project) == first
    assert len(parses) == len(discover(load_config(project)))


def cache_files(root: Path) -> list[Path]:
    return [p for p in (root / ".layerlint_cache").rglob("*") if p.is_file()]


def test_corrupt_cache_files_are_ignored_and_rebuilt(project: Path, parses: list[str]) -> None:
    first = codes(project)
    for path in cache_files(project):
        if path.suffix == ".json":
            path.write_bytes(b'{"format": "layerlint-cache-1", "key": tru')
    parses.clear()
    assert codes(project) == first
    assert parses  # rebuilt
    for path in cache_files(project):
        if path.suffix == ".json":
            json.loads(path.read_text())


def test_foreign_but_valid_json_is_ignored(project: Path) -> None:
    first = codes(project)
    for path in cache_files(project):
        if path.suffix == ".json":
            path.write_text(json.dumps({"format": "layerlint-cache-1", "key": "someone-else", "files": {}}))
    assert codes(project) == first


class _Marker:
    """Unpickling this creates a file: proof that a pickle was loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (Path.touch, (self.marker,))


def test_pickle_files_in_the_cache_are_never_loaded(project: Path, tmp_path: Path) -> None:
    first = codes(project)
    marker = tmp_path / "pickle-was-loaded"
    payload = pickle.dumps(_Marker(marker))
    for path in cache_files(project):
        if path.suffix == ".json":
            path.write_bytes(payload)  # in place of every cache file
    namespace_dir = next(p for p in (project / ".layerlint_cache").iterdir() if p.is_dir())
    for name in ("files.pickle", "facts.pkl", "cache.pickle"):
        (namespace_dir / name).write_bytes(payload)
    assert codes(project) == first
    assert not marker.exists()


def test_cache_dir_has_gitignore_and_cachedir_tag(project: Path) -> None:
    codes(project)
    cache = project / ".layerlint_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    assert not [p for p in cache.rglob("*.tmp")]  # atomic writes leave nothing behind


def test_no_cache_writes_nothing_and_cache_dir_is_honoured(project: Path, tmp_path: Path) -> None:
    config = load_config(project)
    engine.check(config, options=RunOptions(use_cache=False))
    assert not (project / ".layerlint_cache").exists()
    elsewhere = tmp_path / "elsewhere"
    engine.check(config, options=RunOptions(cache_dir=elsewhere))
    assert (elsewhere / "CACHEDIR.TAG").is_file() and not (project / ".layerlint_cache").exists()


def test_findings_from_the_cache_still_give_the_project(project: Path) -> None:
    config = load_config(project)
    engine.check(config)
    result = engine.check(config)
    assert ROUTER in {facts.path for facts in result.project.modules.values()}


def test_facts_round_trip_compactly() -> None:
    config = load_config(FIXTURES / "ll101" / "direct_imports")
    for source in discover(config):
        facts = load_facts(source)
        encoded = json.loads(json.dumps(encode_facts(facts)))
        assert decode_facts(encoded) == facts


def test_workers_give_the_same_results_in_the_same_order() -> None:
    config = load_config(FIXTURES / "ll101" / "direct_imports")
    jobs = [parallel.FileJob(source, None) for source in discover(config)] * 30
    assert list(parallel.map_tasks(parallel.resolve, jobs, 2, 10**6)) == [parallel.resolve(job) for job in jobs]


def test_jobs_1_and_jobs_2_print_the_same(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 1)  # workers even for a small project
    outputs = []
    for jobs in ("1", "2"):
        for root in (FIXTURES / "ll101" / "direct_imports", FIXTURES / "ll102" / "indirect_chains",
                     FIXTURES / "ll104" / "router_queries"):
            result = CliRunner().invoke(main, ["check", str(root), "--no-cache", "--jobs", jobs, "--format", "json"])
            outputs.append(result.output)
    assert outputs[:3] == outputs[3:] and outputs[0] != outputs[1]


def test_just_modified_files_are_hashed_next_time(project: Path) -> None:
    """A file modified within the timestamp granularity may change again unseen: never trust its stat."""
    old = project / "app" / "__init__.py"
    os.utime(old, ns=(10**18, 10**18))  # long ago
    (project / ROUTER).write_bytes((project / ROUTER).read_bytes())  # just now
    codes(project)
    manifest = next((project / ".layerlint_cache").rglob("files.json"))
    files = json.loads(manifest.read_text())["files"]
    assert files["app/__init__.py"][:2] == [10**18, old.stat().st_size]
    assert files[ROUTER][:2] == [-1, -1]
    written = manifest.stat().st_mtime_ns
    os.utime(manifest, ns=(1, 1))
    codes(project)  # the file is hashed again, to the same hash: the manifest stays as it is
    assert manifest.stat().st_mtime_ns == 1 != written


def test_a_buffer_equal_to_the_file_on_disk_reuses_the_findings(project: Path, parses: list[str]) -> None:
    config = load_config(project)
    first = engine.check(config).diagnostics
    parses.clear()
    buffer = {ROUTER: (project / ROUTER).read_bytes()}
    assert engine.check(config, [project / ROUTER], buffer).diagnostics == [d for d in first if d.path == ROUTER]
    assert parses == []  # answered from the findings cache: nothing parsed, not even the buffer


def test_a_symlinked_cache_directory_is_never_written_through(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project / ".layerlint_cache").symlink_to(outside, target_is_directory=True)
    first = codes(project)
    assert first and list(outside.iterdir()) == []


def _tasks_in_a_daemon(queue: object) -> None:
    jobs = [parallel.FileJob(source, None) for source in discover(load_config(FIXTURES / "ll101" / "direct_imports"))]
    results = list(parallel.map_tasks(parallel.resolve, jobs * 10, 2, 10**6))
    queue.put(len(results))  # type: ignore[attr-defined]


def test_a_daemon_process_parses_in_itself() -> None:
    """flake8 and pylint run checks in daemon processes, which may not start workers."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_tasks_in_a_daemon, args=(queue,), daemon=True)
    process.start()
    process.join(60)
    assert process.exitcode == 0 and queue.get(timeout=5) > 0


def test_cli_cache_options(project: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(main, ["check", str(project), "--no-cache"]).output
    assert not (project / ".layerlint_cache").exists()
    elsewhere = tmp_path / "cache-here"
    assert runner.invoke(main, ["check", str(project), "--cache-dir", str(elsewhere), "-j", "1"]).output == plain
    assert (elsewhere / "CACHEDIR.TAG").is_file() and not (project / ".layerlint_cache").exists()
    assert runner.invoke(main, ["check", str(project), "--cache-dir", str(elsewhere)]).output == plain


@pytest.fixture
def rule_runs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the rules ran over the project in this process."""
    runs: list[int] = []
    original = engine._evaluate

    def counting(*args: Any) -> object:
        runs.append(1)
        return original(*args)

    monkeypatch.setattr(engine, "_evaluate", counting)
    return runs


def test_an_edit_that_leaves_the_facts_unchanged_reuses_the_findings(project: Path, rule_runs: list[int]) -> None:
    first = codes(project)
    router = project / ROUTER
    router.write_text(router.read_text() + "# a comment at the end changes no fact\n")
    os.utime(router, ns=(1, 1))  # a stat the manifest cannot match
    assert codes(project) == first
    assert rule_runs == [1]


def test_an_edit_that_changes_the_facts_runs_the_rules_again(project: Path, rule_runs: list[int]) -> None:
    first = codes(project)
    router = project / ROUTER
    router.write_text("\n" + router.read_text())  # every line one lower
    os.utime(router, ns=(1, 1))
    assert codes(project) == [(p, line + 1 if p == ROUTER else line, c) for p, line, c in first]
    assert rule_runs == [1, 1]


def test_rule_workers_report_what_one_process_reports(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Forked rule workers build the project from this run's parsed text (no cache, cold) or
    from the shards plus the edited file (after an edit): always what one process reports."""
    from layerlint import rule_pool

    monkeypatch.setattr(parallel, "MIN_FILES_PER_WORKER", 1)
    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)
    started: list[int] = []
    original = rule_pool.map_tasks
    monkeypatch.setattr(rule_pool, "map_tasks", lambda *args, **kwargs: started.append(args[2]) or original(
        *args, **kwargs))
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "ll104" / "router_queries", root, ignore=shutil.ignore_patterns(".layerlint_cache"))

    def run(jobs: str, *options: str) -> str:
        result = CliRunner().invoke(main, ["check", str(root), "--jobs", jobs, "--format", "json", *options])
        assert result.exit_code == 1, result.output
        return result.output

    serial = run("1", "--no-cache")
    assert run("2", "--no-cache") == serial
    assert started == [1, 2]
    started.clear()
    assert run("2") == serial  # cold: the cache is written
    # The rules no module's key decides over the whole project, then each group keyed alike (the
    # same whole analyses) on the modules whose key changed: all of them. A group of one family
    # of rules runs in this process.
    assert 2 in started
    edited = root / "app" / "api" / "v1" / "routers" / "items.py"
    edited.write_text("\n" + edited.read_text())  # every finding in it one line lower
    os.utime(edited, ns=(1, 1))
    started.clear()
    assert run("2") == run("1", "--no-cache") != serial
    assert 2 in started[:-1] and started[-1] == 1  # the edit's re-check forked too; the cold run did not


def test_undoing_an_edit_finds_the_findings_of_before(project: Path, rule_runs: list[int]) -> None:
    first = codes(project)
    router = project / ROUTER
    original = router.read_text()
    router.write_text("\n" + original)
    os.utime(router, ns=(1, 1))
    codes(project)
    router.write_text(original)
    os.utime(router, ns=(2, 2))
    assert codes(project) == first
    assert rule_runs == [1, 1]


def test_only_the_last_runs_findings_are_kept(project: Path) -> None:
    router = project / ROUTER
    original = router.read_text()
    for lines in range(6):
        router.write_text("\n" * lines + original)
        os.utime(router, ns=(lines + 1, lines + 1))
        codes(project)
    assert len(list((project / ".layerlint_cache").rglob("findings-*.json"))) == 4


def _age(root: Path) -> None:
    """Every file saved long ago: no stat is too recent to trust."""
    for number, path in enumerate(sorted(root.rglob("*.py")), start=1):
        os.utime(path, ns=(number, number))


@pytest.fixture
def refreshes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Runs that read the manifest and every file's facts digest."""
    calls: list[int] = []
    original = ProjectCache.refresh

    def counting(self: ProjectCache, files: object) -> None:
        calls.append(1)
        original(self, files)  # type: ignore[arg-type]

    monkeypatch.setattr(ProjectCache, "refresh", counting)
    return calls


def test_an_unchanged_tree_is_answered_without_the_manifest(project: Path, refreshes: list[int]) -> None:
    _age(project)
    first = codes(project)
    assert refreshes == [1]
    assert codes(project) == first
    assert refreshes == [1]  # the tree's stats gave the findings key
    result = engine.check(load_config(project))
    assert ROUTER in {facts.path for facts in result.project.modules.values()}  # built on demand


def test_a_changed_or_just_saved_tree_reads_the_manifest(project: Path, refreshes: list[int]) -> None:
    _age(project)
    first = codes(project)
    router = project / ROUTER
    router.write_text("\n" + router.read_text())
    assert codes(project) == [(p, line + 1 if p == ROUTER else line, c) for p, line, c in first]
    assert refreshes == [1, 1]  # saved just now: its stat is not trusted, the tree is not either
    codes(project)
    assert refreshes == [1, 1, 1]
    os.utime(router, ns=(10**9, 10**9))  # another stat: another tree
    codes(project)
    codes(project)
    assert refreshes == [1, 1, 1, 1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_tampered_findings_of_an_unchanged_tree_are_found_again(
        project: Path, rule_runs: list[int], refreshes: list[int], monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    from layerlint import rule_pool

    monkeypatch.setattr(rule_pool, "MIN_MODULES_PER_WORKER", 1)
    _age(project)
    options = RunOptions(jobs=jobs)
    first = engine.check(load_config(project), options=options).diagnostics
    stored = next((project / ".layerlint_cache").rglob("findings-*.json"))
    document = json.loads(stored.read_text())
    document["by_path"][ROUTER] = [["not", "a", "finding"]]
    stored.write_text(json.dumps(document))
    assert engine.check(load_config(project), options=options).diagnostics == first
    assert rule_runs == [1, 1]
    assert refreshes == [1, 1]  # here, before any rule worker is forked: never in each of them


def test_timings_say_where_the_time_went(project: Path) -> None:
    cold = CliRunner().invoke(main, ["check", str(project), "--timings"])
    assert "timings: discover" in cold.stderr and "parsed" in cold.stderr and "slowest rules: LL" in cold.stderr
    warm = CliRunner().invoke(main, ["check", str(project), "--timings"])
    assert "0 parsed" in warm.stderr and "findings from the cache" in warm.stderr
    assert "timings" not in CliRunner().invoke(main, ["check", str(project)]).stderr


def test_the_timings_phases_are_the_engines_stages(project: Path) -> None:
    def phases(run: object) -> list[str]:
        line = next(line for line in run.stderr.splitlines() if line.startswith("timings: "))  # type: ignore[attr-defined]
        return [part.split()[0] for part in line.removeprefix("timings: ").split(" | ") if part.endswith(" s")]

    assert phases(CliRunner().invoke(main, ["check", str(project), "--timings"])) == [
        "discover", "refresh", "key", "load", "keys", "evaluate", "save"]
    assert phases(CliRunner().invoke(main, ["check", str(project), "--timings"])) == [
        "discover", "refresh", "key", "answer"]


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("pool_fails", [False, True])
def test_work_meanwhile_is_done_once_however_the_tasks_run(workers: int, pool_fails: bool,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`meanwhile` (the check cache's keys beside a first run's rule workers) is done exactly once:
    with workers, in this process alone, or when no worker may start."""
    import concurrent.futures

    def no_processes(*args: object, **kwargs: object) -> None:
        raise OSError("no processes here")

    if pool_fails:
        monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_processes)
    done: list[int] = []
    assert list(parallel.map_tasks(abs, [-1, -2, -3], workers, 10**6, meanwhile=lambda: done.append(1))) == [1, 2, 3]
    assert done == [1]
