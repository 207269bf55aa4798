"""Each store of the cache on its own (layerlint/cache/): what it keeps, and what it refuses to read."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

import pytest

from layerlint.cache.fact_shards import FactShards, ShardTask, facts_digest, run_shard, valid_entry
from layerlint.cache.findings import KEPT_FINDINGS, Findings
from layerlint.cache.manifest import Manifest
from layerlint.cache.storage import FORMAT, TAG_NAME, CacheDirectory
from layerlint.cache.tree import Tree
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic, ImportStep, Location
from layerlint.project.reading.compact import decode_facts
from layerlint.project.reading.discovery import SourceFile
from layerlint.project.reading.parallel import FileJob

KEY = "0123456789abcdef"
WORKER = 0  # a task's process as a worker sees it: another one, so the facts go back as text only


@pytest.fixture
def directory(tmp_path: Path) -> CacheDirectory:
    return CacheDirectory(tmp_path / ".layerlint_cache" / KEY, KEY)


def _source(root: Path, relative: str, text: str, age_seconds: int = 60) -> SourceFile:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    old = time.time_ns() - age_seconds * 10**9
    os.utime(path, ns=(old, old))
    status = path.stat()
    module = relative.removesuffix(".py").replace("/", ".")
    return SourceFile(str(path), relative, module, False, (status.st_mtime_ns, status.st_size))


# ---------------------------------------------------------------- storage


def test_documents_are_stamped_and_read_back_only_for_their_namespace(directory: CacheDirectory) -> None:
    directory.write("files.json", {"files": {"a.py": [1, 2, "h", "d"]}})
    assert directory.read("files.json") == {"format": FORMAT, "key": KEY, "files": {"a.py": [1, 2, "h", "d"]}}
    assert CacheDirectory(directory.path, "another-namespace").read("files.json") is None
    assert (directory.path.parent / TAG_NAME).is_file() and (directory.path / TAG_NAME).is_file()  # type: ignore[union-attr]
    assert not list(directory.path.parent.rglob("*.tmp"))  # type: ignore[union-attr]


def test_a_directory_that_cannot_be_written_is_given_up_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    directory = CacheDirectory(blocker / KEY, KEY)
    with caplog.at_level("WARNING", logger="layerlint.cache"):
        directory.write("files.json", {"files": {}})
        directory.write("tree.json", {"tree": "t"})
    assert directory.write_failed
    assert [r.levelno for r in caplog.records if "cannot write the cache" in r.getMessage()] == [logging.WARNING]


def test_no_directory_means_nothing_is_read_or_written(tmp_path: Path) -> None:
    directory = CacheDirectory(None, KEY)
    directory.write("files.json", {"files": {}})
    assert directory.read("files.json") is None and not directory.writable()


# ---------------------------------------------------------------- manifest


def test_the_manifest_keeps_entries_of_the_right_shape_and_is_written_only_when_changed(
        directory: CacheDirectory) -> None:
    manifest = Manifest(directory)
    manifest.entries = {"a.py": [1, 2, "hash", "digest"], "b.py": [1, 2, "hash"]}
    manifest.save()
    assert directory.read("files.json") is None  # nothing changed
    manifest.changed = True
    manifest.save()
    assert Manifest(directory).stored() == {"a.py": [1, 2, "hash", "digest"]}
    assert manifest.digest_of("a.py") == "digest" and manifest.digest_of("c.py") == ""


# ---------------------------------------------------------------- facts


def test_a_shard_keeps_each_file_under_its_content_hash(tmp_path: Path, directory: CacheDirectory) -> None:
    assert directory.writable()
    shards = FactShards(directory)
    first = _source(tmp_path, "app/a.py", "import os\n")
    second = _source(tmp_path, "app/b.py", "x = 1\n")
    path = shards.path(0)
    task = ShardTask((FileJob(first, None), FileJob(second, None)), path, KEY, frozenset({"app/a.py", "app/b.py"}),
                     os.getpid())
    results, failure, built = run_shard(task)
    assert failure is None
    # Run in the process the task comes from, it hands over the facts it built, as decoding gives them.
    assert built is not None and {relative: decode_facts(json.loads(text)) for relative, (_, text, _)
                                  in zip(("app/a.py", "app/b.py"), results) if text is not None} == built
    stored = shards.read(0)
    assert set(stored) == {"app/a.py", "app/b.py"}
    for (content_hash, text, digest), relative in zip(results, ("app/a.py", "app/b.py")):
        assert text is not None and digest == facts_digest(text)
        assert stored[relative] == [content_hash, json.loads(text)]
        assert valid_entry(stored[relative], content_hash) == json.loads(text)
        assert valid_entry(stored[relative], "another content") is None
    # a file that is unchanged is not parsed again; one gone from the project leaves the shard
    again = ShardTask((FileJob(first, results[0][0]),), path, KEY, frozenset({"app/a.py"}), WORKER)
    assert run_shard(again) == ([(results[0][0], None, "")], None, None)
    changed = _source(tmp_path, "app/a.py", "import sys\n")
    run_shard(ShardTask((FileJob(changed, results[0][0]),), path, KEY, frozenset({"app/a.py"}), WORKER))
    assert set(shards.read(0)) == {"app/a.py"} and shards.read(0)["app/a.py"][0] != results[0][0]


def test_shards_grow_with_the_project_up_to_a_limit(directory: CacheDirectory,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from layerlint.cache import fact_shards

    shards = FactShards(directory)
    monkeypatch.setattr(fact_shards, "FILES_PER_SHARD", 10)
    monkeypatch.setattr(fact_shards, "MAX_SHARDS", 4)
    for files, count in ((0, 1), (19, 1), (20, 2), (1000, 4)):
        shards.size_for(files)
        assert shards.count == count
    assert {shards.shard_of(f"m{n}.py") for n in range(100)} == {0, 1, 2, 3}


# ---------------------------------------------------------------- findings


def _finding(path: str, line: int) -> Diagnostic:
    return Diagnostic(path, Location(line, 1, line, 9), "LL102", "router-reaches-repository", "a chain",
                      chain=(ImportStep("app.a", "app.b", line),))


def test_findings_come_back_as_saved_for_the_same_files(tmp_path: Path, directory: CacheDirectory) -> None:
    files = [_source(tmp_path, "app/a.py", "x = 1\n"), _source(tmp_path, "app/b.py", "y = 2\n")]
    store = Findings(directory)
    config = Config(root=tmp_path)
    key = store.key(config, files, lambda relative: "digest of " + relative)
    assert store.key(config, files, lambda relative: "another digest") != key
    store.save(key, [_finding("app/a.py", 3), _finding("app/a.py", 7)], suppressed=2)
    stored = store.stored(key, files)
    assert stored is not None and stored.suppressed == 2 and stored.paths() == ["app/a.py"]
    assert stored.for_path("app/a.py") == [_finding("app/a.py", 3), _finding("app/a.py", 7)]
    assert stored.for_path("app/b.py") == []
    assert store.stored(key, files[1:]) is None  # a stored path that is not one of this run's files


def test_only_the_last_runs_findings_are_kept(tmp_path: Path, directory: CacheDirectory) -> None:
    store = Findings(directory)
    keys = [f"{n:x}" * 32 for n in range(KEPT_FINDINGS + 2)]
    for index, key in enumerate(keys):
        store.save(key, [], 0)
        os.utime(directory.path / f"findings-{key[:24]}.json", ns=(index * 10**9, index * 10**9))  # type: ignore[operator]
    store.save(keys[-1], [], 0)  # pruning runs after each save
    assert [key for key in keys if store.stored(key, []) is not None] == keys[-KEPT_FINDINGS:]


# ---------------------------------------------------------------- tree


def test_the_tree_gives_the_last_runs_key_only_for_the_same_stats(tmp_path: Path, directory: CacheDirectory) -> None:
    config = Config(root=tmp_path)
    files = [_source(tmp_path, "app/a.py", "x = 1\n")]
    tree = Tree(directory)
    digest = tree.digest(config, files)
    assert digest is not None
    tree.remember(digest, "findings-key")
    assert tree.findings_key(tree.digest(config, files)) == "findings-key"
    edited = [_source(tmp_path, "app/a.py", "x = 22\n")]
    assert tree.findings_key(tree.digest(config, edited)) is None
    just_saved = [_source(tmp_path, "app/a.py", "x = 1\n", age_seconds=0)]
    assert tree.digest(config, just_saved) is None  # its stat may not stand for its content yet


def test_a_restored_finding_is_the_one_its_constructor_builds() -> None:
    """The cache fills a Diagnostic's fields at once (`restored`) instead of through the frozen
    dataclass's `__init__`: every field must be set, to the constructor's values, and it stays frozen."""
    import dataclasses

    from layerlint.core.diagnostic import Severity, restored

    chain = (ImportStep("app.api.x", "app.utils.y", 3), ImportStep("app.utils.y", "app.repositories.z", 1))
    built = Diagnostic("app/api/x.py", Location(3, 1, 3, 40), "LL102", "layer-chain", "a message",
                       Severity.WARNING, chain)
    again = restored("app/api/x.py", 3, 1, 3, 40, "LL102", "layer-chain", "a message", Severity.WARNING, chain)
    assert again == built and hash(again) == hash(built) and again.location == built.location
    assert set(vars(again)) == {field.name for field in dataclasses.fields(Diagnostic)}
    assert set(vars(again.location)) == {field.name for field in dataclasses.fields(Location)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        again.path = "elsewhere.py"  # type: ignore[misc]


def test_a_moved_finding_is_the_one_replace_builds() -> None:
    """The CLI moves findings to the path shown (`moved`) without the frozen dataclass's `__init__`:
    equal to `dataclasses.replace`, every field kept, the original untouched, still frozen."""
    import dataclasses

    from layerlint.core.diagnostic import Severity, moved

    chain = (ImportStep("app.api.x", "app.utils.y", 3),)
    original = Diagnostic("app/api/x.py", Location(3, 1, 3, 40), "LL102", "layer-chain", "a message",
                          Severity.CONVENTION, chain)
    shown = moved(original, "../project/app/api/x.py")
    assert shown == dataclasses.replace(original, path="../project/app/api/x.py")
    assert hash(shown) == hash(dataclasses.replace(original, path="../project/app/api/x.py"))
    assert original.path == "app/api/x.py" and shown.location is original.location
    assert set(vars(shown)) == {field.name for field in dataclasses.fields(Diagnostic)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        shown.path = "elsewhere.py"  # type: ignore[misc]
