"""The cache facing hostile or unlucky surroundings: a shared `--cache-dir`, planted files,
tampered entries, a read-only or full disk. Every case ends with the `--no-cache` findings."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import layerlint
from harness import FIXTURES
from layerlint import engine
from layerlint.cli import main
from layerlint.core.config import load_config
from layerlint.core.options import RunOptions

ROUTER = "app/api/v1/routers/items.py"
AN_HOUR_AGO = 3600


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of an LL101 fixture: a router that imports a repository."""
    target = tmp_path / "project"
    shutil.copytree(FIXTURES / "ll101" / "direct_imports", target, ignore=shutil.ignore_patterns(".layerlint_cache"))
    return target


def findings(root: Path, cache_dir: Path | None = None, *, use_cache: bool = True) -> list[tuple[str, int, str]]:
    options = RunOptions(use_cache=use_cache, cache_dir=cache_dir)
    return [(d.path, d.line, d.code) for d in engine.check(load_config(root), options=options).diagnostics]


def _age(path: Path) -> None:
    old = path.stat().st_mtime - AN_HOUR_AGO
    os.utime(path, (old, old))


def _user_files(shared: Path) -> dict[str, bytes]:
    """What a user keeps in a shared directory, some of it named like a cache namespace."""
    files = {
        "my_photos_backup/holiday.jpg": b"\xff\xd8 a photo",  # 16 characters, as a namespace
        "0123456789abcdef/notes.txt": b"16 hex digits, as a namespace",
        "fedcba9876543210/files.json": b"named as a cache file, but not ours",
        "notes.txt": b"beside the cache",
    }
    for relative, data in files.items():
        (shared / relative).parent.mkdir(parents=True, exist_ok=True)
        (shared / relative).write_bytes(data)
    for directory in shared.iterdir():
        _age(directory)
    return files


def test_a_shared_cache_dir_keeps_every_file_of_the_user(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    user = _user_files(shared)
    expected = findings(project, use_cache=False)
    assert findings(project, shared) == expected
    for namespace in [p for p in shared.iterdir() if p.name not in {"my_photos_backup", "notes.txt"}]:
        _age(namespace)
    monkeypatch.setattr(layerlint, "__version__", "999.0")  # a new namespace: the old ones are pruned
    assert findings(project, shared) == expected
    assert {p.relative_to(shared).as_posix(): p.read_bytes() for p in shared.rglob("*")
            if p.is_file() and p.parent.name in {"shared", "my_photos_backup", "0123456789abcdef",
                                                 "fedcba9876543210"}} == user
    # Nothing is written into a directory layerlint did not create: no .gitignore hides the
    # user's files from git (`--cache-dir .` in a repository), no tag hides them from backups.
    assert not (shared / ".gitignore").exists() and not (shared / "CACHEDIR.TAG").exists()


def test_a_namespace_of_its_own_is_pruned_unless_the_user_put_a_file_in_it(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    findings(project, cache)
    first = next(p for p in cache.iterdir() if p.is_dir())
    assert (first / ".gitignore").is_file() and (first / "CACHEDIR.TAG").is_file()
    (cache / "copy").mkdir()
    shutil.copytree(first, cache / "copy" / first.name)
    kept = cache / "copy" / first.name
    (kept / "mine.txt").write_text("a file of the user's")
    kept = kept.rename(cache / ("f" * 16))
    for namespace in (first, kept):
        _age(namespace)
    monkeypatch.setattr(layerlint, "__version__", "999.0")
    findings(project, cache)
    assert not first.exists()  # unused for an hour, tagged, holding only cache files: deleted
    assert (kept / "mine.txt").read_text() == "a file of the user's"  # anything else keeps it whole
    assert (kept / "CACHEDIR.TAG").is_file()


def test_an_untagged_namespace_of_an_older_layerlint_is_pruned_in_its_own_cache_directory(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    findings(project)
    cache = project / ".layerlint_cache"
    older = cache / ("e" * 16)  # as layerlint wrote namespaces before they were tagged
    older.mkdir()
    (older / "files.json").write_text("{}")
    (older / "facts-1-0.json").write_text("{}")
    _age(older)
    monkeypatch.setattr(layerlint, "__version__", "999.0")
    findings(project)
    assert not older.exists()


def test_cache_dir_dot_in_a_repository_hides_no_file_of_the_user(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / ".gitignore").write_text("*.log\n")
    monkeypatch.chdir(work)
    result = CliRunner().invoke(main, ["check", str(project), "--cache-dir", "."])
    assert result.exit_code == 1, result.output
    assert (work / ".gitignore").read_text() == "*.log\n" and not (work / "CACHEDIR.TAG").exists()
    namespace, = [p for p in work.iterdir() if p.is_dir()]
    assert (namespace / ".gitignore").read_text().splitlines()[-1] == "*"  # its own directory only


def test_an_empty_cache_dir_is_a_usage_error(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", str(project), "--cache-dir", ""])
    assert result.exit_code == 2
    assert "--cache-dir" in result.output and "must name a directory" in result.output
    assert list(tmp_path.iterdir()) == [project]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
@pytest.mark.parametrize("name", ["files.json", "facts-1-0.json", "findings-*.json", "tree.json"])
def test_a_fifo_in_place_of_a_cache_file_is_ignored(project: Path, name: str) -> None:
    for number, path in enumerate(sorted(project.rglob("*.py")), start=1):
        os.utime(path, ns=(number, number))  # saved long ago: the tree's stats are trusted (tree.json)
    findings(project)
    planted = list((project / ".layerlint_cache").glob(f"*/{name}"))
    assert planted
    for path in planted:
        path.unlink()
        os.mkfifo(path)
    if name in ("files.json", "facts-1-0.json"):  # read only when something changed
        router = project / ROUTER
        router.write_text("\n" + router.read_text())
        os.utime(router, ns=(10**9, 10**9))
    # In a process of its own: before the fix, opening the FIFO blocked forever.
    command = [sys.executable, "-m", "layerlint", "check", str(project), "--format", "json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 1, result.stderr
    assert findings(project) == findings(project, use_cache=False)


def _aged(project: Path) -> Path:
    """Every file saved long ago: a second run is answered from the stored findings."""
    for number, path in enumerate(sorted(project.rglob("*.py")), start=1):
        os.utime(path, ns=(number, number))
    return project


def _cli(project: Path, *options: str) -> str:
    result = CliRunner().invoke(main, ["check", str(project), "--format", "json", *options])
    assert result.exit_code == 1, result.output
    return result.output


FINDING_TAMPERINGS: dict[str, Callable[[list[Any]], object]] = {
    "a fractional line": lambda item: [1.5, *item[1:]],
    "a huge line": lambda item: [10**30, *item[1:]],
    "a string line": lambda item: ["1", *item[1:]],
    "a boolean column": lambda item: [item[0], True, *item[2:]],
    "a negative end": lambda item: [*item[:3], -1, *item[4:]],
    "an unknown code": lambda item: [*item[:4], "LL999", *item[5:]],
    "a code with another rule's name": lambda item: [*item[:4], "LL102", *item[5:]],
    "a message that is a number": lambda item: [*item[:6], 7, *item[7:]],
    "an unknown severity": lambda item: [*item[:7], "fatal", item[8]],
    "a chain that is a string": lambda item: [*item[:8], "rm -rf"],
    "a chain step of the wrong shape": lambda item: [*item[:8], [["app.a", "app.b", "3"]]],
    "too few fields": lambda item: item[:8],
    "a string for a finding": lambda item: "LL101",
}


def _tamper_finding(how: str) -> Callable[[dict[str, Any]], None]:
    def tamper(document: dict[str, Any]) -> None:
        document["by_path"][ROUTER][0] = FINDING_TAMPERINGS[how](document["by_path"][ROUTER][0])
    return tamper


DOCUMENT_TAMPERINGS: dict[str, Callable[[dict[str, Any]], None]] = {
    **{how: _tamper_finding(how) for how in FINDING_TAMPERINGS},
    "a path that is not in the project": lambda document: document["by_path"].update(
        {"app/ghost.py": document["by_path"][ROUTER]}),
    "a path that is not a file of the run": lambda document: document["by_path"].update(
        {"pyproject.toml": document["by_path"][ROUTER]}),
    "a table for a path": lambda document: document["by_path"].update({ROUTER: {"0": document["by_path"][ROUTER][0]}}),
    "covered paths that are not a list": lambda document: document.update(covered="app"),
    "a covered path that is not a file of the run": lambda document: document.update(covered=["app/ghost.py"]),
    "a run's findings said to cover no path": lambda document: document.update(covered=[]),
    "a negative suppressed count": lambda document: document.update(suppressed=-1),
    "a boolean suppressed count": lambda document: document.update(suppressed=True),
}


@pytest.mark.parametrize("how", sorted(DOCUMENT_TAMPERINGS))
def test_tampered_stored_findings_are_recomputed(project: Path, how: str) -> None:
    expected = _cli(_aged(project), "--no-cache")
    _cli(project)
    path, = (project / ".layerlint_cache").glob("*/findings-*.json")
    document = json.loads(path.read_text())
    DOCUMENT_TAMPERINGS[how](document)
    path.write_text(json.dumps(document))
    assert _cli(project) == expected
    assert findings(project) == findings(project, use_cache=False)


def test_stored_findings_are_checked_against_every_rule() -> None:
    """The codes and names the cache reads from the rule modules' file names are the registry's."""
    from layerlint.cache import known_rules
    from layerlint.rules import RULES

    assert known_rules() == {rule.code: rule.name for rule in RULES}


def _forget_findings(project: Path) -> None:
    """Only the facts are left in the cache: the next run evaluates the rules over them."""
    for path in (project / ".layerlint_cache").glob("*/*.json"):
        if path.name.startswith("findings-") or path.name in ("tree.json", "modules.json"):
            path.unlink()


IMPORTS, EVENTS, NOQA = 5, 8, 9  # fields of ModuleFacts in its compact form (the head)
VALUE = 4  # of an Event in its compact form


def _first_value(facts: list[Any]) -> list[Any]:
    return next(event for event in facts[EVENTS] if event[VALUE] is not None)


def _head(tamper: Callable[[list[Any]], None]) -> Callable[[list[Any]], None]:
    """A tampering of the stored facts' head, given the stored [head, bodies]."""
    return lambda stored: tamper(stored[0])


FACTS_TAMPERINGS: dict[str, Callable[[list[Any]], None]] = {
    # Caught where the rules break on them: the run starts again from source.
    "an import target that is a number": _head(lambda facts: facts[IMPORTS][0].__setitem__(1, 7)),
    "an import span that is null": _head(lambda facts: facts[IMPORTS][0].__setitem__(4, None)),
    "an import that is a string": _head(lambda facts: facts[IMPORTS].__setitem__(0, "from app import x")),
    "an expression of an unknown kind": _head(
        lambda facts: _first_value(facts).__setitem__(VALUE, ["no such kind", 1])),
    # Caught when the bodies are read (a rule reads them), or by the shape check of a whole read.
    "a body more than there are functions": lambda stored: stored[1].append([]),
    "a body that is not a list": lambda stored: stored[1].__setitem__(0, {"events": []}),
    # Caught by the shape check before decoding.
    "a noqa value that is a number": _head(lambda facts: facts.__setitem__(NOQA, {"1": 5})),
    "a noqa line that is not a number": _head(lambda facts: facts.__setitem__(NOQA, {"one": ["LL101"]})),
    "a path that is a number": _head(lambda facts: facts.__setitem__(1, 3)),
    "imports that are a table": _head(lambda facts: facts.__setitem__(IMPORTS, {})),
    "a field too many": _head(lambda facts: facts.append([])),
    "no bodies": lambda stored: stored.pop(),
}


@pytest.mark.parametrize("how", sorted(FACTS_TAMPERINGS))
def test_tampered_cached_facts_are_parsed_again_and_repaired(project: Path, parses: list[str], how: str) -> None:
    expected = findings(_aged(project), use_cache=False)
    findings(project)
    shard, = (project / ".layerlint_cache").glob("*/facts-*.json")
    document = json.loads(shard.read_text())
    FACTS_TAMPERINGS[how](document["modules"][ROUTER][1])
    shard.write_text(json.dumps(document))
    _forget_findings(project)
    parses.clear()
    assert findings(project) == expected
    assert ROUTER in parses
    _forget_findings(project)
    parses.clear()
    assert findings(project) == expected
    assert parses == []  # the shard holds the facts from source again


def test_a_tampered_body_read_only_when_a_rule_asks_is_parsed_again(project: Path, parses: list[str]) -> None:
    """A run after an edit reads the shards through their index and leaves each module's bodies
    as text until a rule reads them: an expression of an unknown kind there breaks the rule that
    reads it, and the run starts again from source. The shard keeps its length, so its index
    still finds every entry."""
    expected = findings(_aged(project), use_cache=False)
    findings(project)
    shard, = (project / ".layerlint_cache").glob("*/facts-*.json")
    data = shard.read_bytes()
    base = data.index(b',"modules":') + len(b',"modules":')  # where the index's offsets count from
    start, end = json.loads(data)["index"][ROUTER]
    name = data.rindex(b'["n","', base + start, base + end)  # the last name of the module's last body
    shard.write_bytes(data[:name] + b'["q","' + data[name + 6:])
    _forget_findings(project)
    parses.clear()
    assert findings(project) == expected
    assert ROUTER in parses


def _failing_writes(monkeypatch: pytest.MonkeyPatch, directory: Path, code: int) -> None:
    """Every write below `directory` fails as a read-only or full disk makes it (root, as CI
    runs, ignores permission bits: the failure is simulated where the cache meets the OS)."""
    import builtins

    from layerlint.cache import storage

    def fail_below(function: Callable[..., Any], writes: Callable[..., bool]) -> Callable[..., Any]:
        def failing(path: Any, *args: Any, **kwargs: Any) -> Any:
            if not isinstance(path, int) and Path(path).is_relative_to(directory) and writes(*args, **kwargs):
                raise OSError(code, os.strerror(code), str(path))
            return function(path, *args, **kwargs)
        return failing

    monkeypatch.setattr(os, "mkdir", fail_below(os.mkdir, lambda *_, **__: True))
    monkeypatch.setattr(os, "replace", fail_below(os.replace, lambda *_, **__: True))
    monkeypatch.setattr(storage, "open", fail_below(builtins.open, lambda mode="r", *_, **__: mode != "rb"),
                        raising=False)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
@pytest.mark.parametrize("state", ["cold", "warm, after an edit"])
def test_a_cache_that_cannot_be_written_means_running_without_it_with_one_warning(
        project: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, code: int,
        state: str) -> None:
    if state != "cold":
        findings(_aged(project))
        router = project / ROUTER
        router.write_text("\n" + router.read_text())  # facts, manifest and findings all to be written
        os.utime(router, ns=(10**9, 10**9))
    expected = findings(project, use_cache=False)
    _failing_writes(monkeypatch, project / ".layerlint_cache", code)
    with caplog.at_level("WARNING", logger="layerlint.cache"):
        assert findings(project) == expected
    warnings = [r.getMessage() for r in caplog.records if "cannot write the cache" in r.getMessage()]
    assert len(warnings) == 1 and os.strerror(code) in warnings[0] and "running without it" in warnings[0]
    assert not list(project.rglob("*.tmp"))


def test_a_configuration_error_met_by_the_rules_is_not_blamed_on_the_cache(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from layerlint.cache import ProjectCache
    from layerlint.core.config import ConfigError

    findings(project)
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.layerlint.roles]\nrouter = ["nothing.matches.**"]\n')
    distrusted: list[int] = []
    original = ProjectCache.distrust_facts
    monkeypatch.setattr(ProjectCache, "distrust_facts", lambda self: distrusted.append(1) or original(self))
    with pytest.raises(ConfigError, match="matches no module"):
        findings(project)
    assert distrusted == []  # raised at once, not after parsing everything again


def test_facts_from_the_cache_give_the_findings_of_facts_from_source(tmp_path: Path) -> None:
    """Decoded facts share their equal names (compact.py): a name bound to itself (`ORDER =
    ORDER`) must still be read as the module's constant, as it is in facts from source."""
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "ll301" / "ids_fire", project, ignore=shutil.ignore_patterns(".layerlint_cache"))
    model = project / "app" / "domain" / "item" / "model.py"
    model.write_text(model.read_text() + '''

ORDER = "Order-"


def new_order_id() -> str:
    ORDER = ORDER
    return f"{ORDER}{ULID()}"


class Order(SQLModel, table=True):
    id: str = Field(default_factory=new_order_id, primary_key=True)
''')

    def messages(use_cache: bool) -> list[str]:
        options = RunOptions(use_cache=use_cache)
        return [d.message for d in engine.check(load_config(project), options=options).diagnostics]

    expected = messages(False)
    assert any("`Order.id`" in m and "the prefix `Order-` does not match" in m for m in expected)
    messages(True)
    _forget_findings(_aged(project))
    assert messages(True) == expected
