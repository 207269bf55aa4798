"""Facts read one module at a time: asking for N modules' facts decodes N, from a shard whose
other entries are never read; a project decodes a module when it is first read."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import FIXTURES, copied_long_ago

from layerlint import engine
from layerlint.cache import ProjectCache, fact_shards
from layerlint.core.config import load_config
from layerlint.core.options import RunOptions
from layerlint.project.reading.discovery import SourceFile, find_files
from layerlint.project.reading.facts import ModuleFacts
from layerlint.project.reading.lazy import LazyModules
from layerlint.project.reading.loader import load_facts

OPTIONS = RunOptions(jobs=1)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A project whose facts are stored (its files saved long ago: their stats are trusted)."""
    root = copied_long_ago(FIXTURES / "ll104" / "router_queries", tmp_path / "project")
    engine.check(load_config(root), options=OPTIONS)
    return root


def _cache(root: Path) -> tuple[ProjectCache, list[SourceFile]]:
    config = load_config(root)
    files = find_files(config).files
    cache = ProjectCache(config, OPTIONS)
    cache.refresh(files)
    assert cache.parsed == 0 and len(files) > 3
    return cache, files


def _counting_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decoded: list[str] = []
    original = fact_shards.decoded

    def decode(read: Callable[[], ModuleFacts], source: SourceFile) -> ModuleFacts | None:
        decoded.append(source.relative)
        return original(read, source)

    monkeypatch.setattr(fact_shards, "decoded", decode)
    return decoded


def test_the_facts_of_some_files_decode_only_theirs(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache, files = _cache(root)
    decoded = _counting_decodes(monkeypatch)
    wanted = [files[1], files[-1]]
    found = cache.facts_of([source.relative for source in wanted])
    assert sorted(decoded) == sorted(found) == sorted(source.relative for source in wanted)
    assert [found[source.relative] for source in wanted] == [load_facts(source) for source in wanted]
    assert cache.parsed == 0


def test_an_entry_is_read_without_reading_the_others(root: Path) -> None:
    """Every other entry of the shard overwritten with spaces: the document is no longer JSON,
    and the one asked for is still read from it, not parsed from source."""
    cache, files = _cache(root)
    wanted = files[2]
    shard = cache.shards.path(cache.shards.shard_of(wanted.relative))
    stored = fact_shards.open_shard(shard, cache.key)
    spans = {relative: stored.index[relative] for relative in stored.paths()}
    base = stored.base
    stored.close()
    data = bytearray(shard.read_bytes())
    for relative, (start, end) in spans.items():
        if relative != wanted.relative:
            data[base + start:base + end] = b" " * (end - start)
    shard.write_bytes(bytes(data))
    cache, _ = _cache(root)
    assert cache.facts_of([wanted.relative]) == {wanted.relative: load_facts(wanted)}
    assert cache.parsed == 0
    others = [source.relative for source in files if source.relative != wanted.relative]
    assert cache.facts_of(others) == {source.relative: load_facts(source) for source in files if
                                      source.relative != wanted.relative}
    assert cache.parsed == len(others)  # unreadable entries are parsed again


def test_a_project_decodes_a_module_when_it_is_first_read(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(root)
    expected = dict(engine.load_project(config, options=RunOptions(use_cache=False)).modules.items())
    decoded = _counting_decodes(monkeypatch)
    project = engine.load_project(config, options=OPTIONS)
    modules = project.modules
    assert isinstance(modules, LazyModules) and decoded == [] and list(modules) == list(expected)
    name = list(modules)[1]
    assert project.index.scope(name) is not None
    assert modules[name] == expected[name] and decoded == [expected[name].path]
    assert list(modules.items()) == list(expected.items())
    assert sorted(decoded) == sorted(facts.path for facts in expected.values())  # each module once


def _generated(tmp_path: Path, count: int) -> list[SourceFile]:
    """A project of `count` small modules: enough for several shards and two parse workers."""
    root = tmp_path / "generated"
    package = root / "app"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.layerlint]\n")
    (package / "__init__.py").write_text("")
    for number in range(count):
        (package / f"m{number}.py").write_text(f"from app import m{max(number - 1, 0)}\n\n\n"
                                               f"def f{number}(x: int) -> int:\n    return x + {number}\n")
    return find_files(load_config(root)).files


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cold_refresh_decodes_each_parsed_module_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        jobs: int) -> None:
    """With parse workers, the facts of the shards they finished are decoded while they parse the
    others (in this process, which would only wait); the last shard's when read. Each file's once,
    never again from the shard just written."""
    files = _generated(tmp_path, 3 * fact_shards.FILES_PER_SHARD)
    decoded = _counting_decodes(monkeypatch)
    cache = ProjectCache(load_config(tmp_path / "generated"), RunOptions(jobs=jobs))
    cache.refresh(files)
    assert cache.shards.count == 3 and cache.parsed == len(files)
    last = max(cache.shards.shard_of(source.relative) for source in files)
    while_parsing = sorted(source.relative for source in files if cache.shards.shard_of(source.relative) != last)
    assert sorted(decoded) == (while_parsing if jobs > 1 else [])
    facts = cache.facts()
    # Each once; none where the parse ran in this process: it keeps the facts it built.
    assert sorted(decoded) == (sorted(source.relative for source in files) if jobs > 1 else [])
    assert [facts[0], facts[-1]] == [load_facts(files[0]), load_facts(files[-1])]
    assert cache.parsed == len(files)


def test_facts_are_stored_as_json_dumps_gives_them(tmp_path: Path) -> None:
    """The cache's encoder skips the check for cycles: the text, and so every facts digest, is
    still exactly `json.dumps`'s (a buffer's digest is compared with a file's)."""
    from layerlint.project.reading.compact import encode_facts
    from layerlint.project.reading.parallel import FileJob, resolve

    for source in _generated(tmp_path, 3) + find_files(load_config(FIXTURES / "ll104" / "router_queries")).files:
        task = fact_shards.ShardTask((FileJob(source, None),), None, "", frozenset(), os.getpid())
        (_, text, digest), = fact_shards.run_shard(task)[0]
        expected = json.dumps(encode_facts(resolve(FileJob(source, None))[1]), separators=(",", ":"))
        assert text == expected and digest == fact_shards.facts_digest(expected)
        assert fact_shards.digest_of(load_facts(source)) == digest
        assert json.dumps(encode_facts(load_facts(source)), separators=(",", ":")) == expected
