"""Per-module facts and whole-project findings on disk, so unchanged files are not parsed again.

Layout of `.layerlint_cache/` (in the project root, or `--cache-dir`):

    .gitignore, CACHEDIR.TAG     as ruff's: never committed, skipped by backup tools
    <namespace>/files.json       path -> [mtime_ns, size, content hash, facts digest]: the stat
                                 fast path, and what the findings key is made of
    <namespace>/facts-N-I.json   compact facts of the files whose path falls in shard I of N
    <namespace>/findings-K.json  the findings of a run whose inputs (the configuration, every path
                                 and facts digest) have the key K; the last 4 runs' are kept
    <namespace>/tree.json        the last run's tree digest (every path, mtime and size) and its
                                 findings key: a run over an unchanged tree reads neither the
                                 manifest nor any facts digest

Findings are a function of the configuration and every module's facts, nothing else (rules never
read source text), so they are keyed by a digest of each module's facts, not of its bytes: an
edit that leaves the facts as they were (a comment, a reflowed call, a docstring's wording) finds
the findings of the last run still valid once that one file is parsed again.

The namespace hashes layerlint's version, its own source files and the configuration that
changes extraction, so nothing made by another version or setting is ever read. Only JSON is
read, never pickle: a repository can ship a poisoned cache directory. A file that is corrupt,
foreign or from another namespace is ignored and rebuilt. Writes go to a temporary file that
is renamed into place, so concurrent runs never see half a file, nor does the run after one
that was killed; a temporary such a run left is removed once it is 10 minutes old.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import layerlint
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic, ImportStep, Location, Severity
from layerlint.core.options import RunOptions
from layerlint.project.discovery import SourceFile
from layerlint.project.parallel import FileJob, map_tasks, resolve

if TYPE_CHECKING:  # facts and their codec are imported where facts are decoded: a cached run decodes none
    from layerlint.project.facts import ModuleFacts

FORMAT = "layerlint-cache-2"
# A file modified this close to when it was stat'ed may change again within the same
# timestamp tick: its stat is not trusted next time (git's "racy clean" problem).
RACY_NS = 2_000_000_000
STALE_SECONDS = 600
KEPT_FINDINGS = 4
HASH, DIGEST = 2, 3  # a manifest entry: [mtime_ns, size, content hash, facts digest]
FILES_PER_SHARD = 256
MAX_SHARDS = 64
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by layerlint.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")


@lru_cache(maxsize=1)
def _source_fingerprint() -> str:
    """layerlint's own source files (path, size, mtime): an edited rule invalidates findings."""
    package = Path(layerlint.__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    for directory, subdirs, names in sorted(os.walk(package)):
        subdirs.sort()
        for name in sorted(n for n in names if n.endswith(".py")):
            stat = os.stat(os.path.join(directory, name))
            digest.update(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return digest.hexdigest()


def namespace(config: Config) -> str:
    parts = (FORMAT, layerlint.__version__, _source_fingerprint(), config.extraction_key())
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _read_json(path: Path, key: str) -> dict[str, Any] | None:
    """The document at `path` if it is ours and made for `key`; None for anything else."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return None
    return document


def _write_json(path: Path, document: dict[str, Any]) -> None:
    _write_text(path, json.dumps(document, separators=(",", ":")))


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        temporary.write_text(text, "utf-8")
        os.replace(temporary, path)
    except OSError:  # a read-only or full disk only costs speed
        temporary.unlink(missing_ok=True)


def _remove_stale_temporaries(directory: Path) -> None:
    """Temporary files of runs stopped between writing one and renaming it (SIGKILL, Ctrl-C):
    never read, but each as big as the file it was to replace (a shard: up to ~2 MB)."""
    now = time.time()
    for temporary in directory.glob(".*.tmp"):
        try:
            if now - temporary.stat().st_mtime > STALE_SECONDS:  # not a concurrent run's
                temporary.unlink()
        except OSError:
            continue


def _prepare(directory: Path) -> bool:
    """Create the namespace directory; never write through a symlink a repository may have shipped."""
    try:
        if directory.parent.is_symlink() or directory.is_symlink():
            return False
        if not directory.is_dir():
            _prune(directory.parent)
        directory.mkdir(parents=True, exist_ok=True)
        root = directory.parent
        for name, text in ((".gitignore", "# Created by layerlint.\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
            if not (root / name).exists():
                (root / name).write_text(text, "utf-8")
    except OSError:
        return False
    return True


def _prune(root: Path) -> None:
    """Namespaces of other versions or settings, unused for a while: another layerlint may still run."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        try:
            stale = time.time() - entry.stat().st_mtime > STALE_SECONDS
            if stale and len(entry.name) == 16 and entry.is_dir() and not entry.is_symlink():
                for child in entry.iterdir():
                    child.unlink()
                entry.rmdir()
        except OSError:
            continue


class ProjectCache:
    """One run's view of the cache: content hashes first, facts only when findings are stale."""

    def __init__(self, config: Config, options: RunOptions | None = None) -> None:
        options = options or RunOptions()
        self.key = namespace(config)
        self.directory = options.cache_path(config.root) / self.key if options.use_cache else None
        self.workers = options.worker_count()
        self.fresh: dict[str, str] = {}  # compact facts parsed in this run, as JSON text
        self.stats: dict[str, list[Any]] = {}  # path -> manifest entry [mtime_ns, size, HASH, DIGEST]
        self.files: list[SourceFile] = []
        self.shard_count = 1
        self.manifest_changed = False
        self.parsed = 0  # files parsed in this run
        self.refreshed = False  # every file's content hash is known

    # ---------------------------------------------------------------- content hashes

    def refresh(self, files: Sequence[SourceFile]) -> None:
        """Know every file's content hash; parse (and store) only files whose content changed."""
        self.files = list(files)
        self.refreshed = True
        self.shard_count = min(MAX_SHARDS, max(1, len(self.files) // FILES_PER_SHARD))
        known = self._manifest()
        jobs: dict[int, list[FileJob]] = {}
        now = time.time_ns()
        stats = self.stats  # the loop runs once per file
        for source in self.files:
            relative = source.relative
            entry = known.get(relative)
            if not (type(entry) is list and len(entry) == 4 and type(entry[2]) is str and type(entry[3]) is str):
                entry = None
            stat = source.stat if source.stat is not None else _stat(source.location)
            if entry is not None and stat is not None and entry[0] == stat[0] and entry[1] == stat[1]:
                stats[relative] = entry
                continue
            jobs.setdefault(self._shard_of(relative), []).append(FileJob(source, entry[HASH] if entry else None))
            if stat is not None and now - stat[0] < RACY_NS:
                stat = (-1, -1)
            stats[relative] = [*(stat or (-1, -1)), "", entry[DIGEST] if entry else ""]
        self._run(jobs)
        # A file saved within the last 2 s is hashed on every run until it is older; when its
        # hash is what it was, its entry is too, and the manifest is not written again.
        self.manifest_changed = len(known) != len(self.files) or any(
            stats[job.source.relative] != known.get(job.source.relative) for shard in jobs.values() for job in shard)

    def _shard_of(self, relative: str) -> int:
        return zlib.crc32(relative.encode()) % self.shard_count

    def _run(self, jobs: dict[int, list[FileJob]]) -> None:
        """Resolve jobs shard by shard; whoever parses a shard's files (a worker) also stores them."""
        if not jobs:
            return
        writable = self.directory is not None and _prepare(self.directory)
        keep: dict[int, set[str]] = {}
        for source in self.files:
            keep.setdefault(self._shard_of(source.relative), set()).add(source.relative)
        tasks = [ShardTask(tuple(jobs[i]), self._shard_path(i) if writable else None, self.key, frozenset(keep[i]))
                 for i in sorted(jobs)]
        for task, results in zip(tasks, map_tasks(run_shard, tasks, self.workers, sum(map(len, jobs.values())))):
            for job, (digest, text, text_digest) in zip(task.jobs, results):
                relative = job.source.relative
                self.stats[relative][HASH] = digest
                if text is not None:
                    self.fresh[relative] = text
                    self.parsed += 1
                    self.stats[relative][DIGEST] = text_digest

    def _manifest(self) -> dict[str, list[Any]]:
        document = _read_json(self.directory / "files.json", self.key) if self.directory else None
        files = document.get("files") if document else None
        return files if isinstance(files, dict) else {}

    # ---------------------------------------------------------------- facts

    def facts(self) -> list[ModuleFacts]:
        """Facts of every refreshed file, in file order: from this run, the shards, or a parse."""
        found: dict[str, ModuleFacts] = {}
        stored: dict[int, list[SourceFile]] = {}
        for source in self.files:
            text = self.fresh.pop(source.relative, None)  # held once: the decoded facts replace it
            if text is not None:
                found[source.relative] = _decode(json.loads(text), source)
            else:
                stored.setdefault(self._shard_of(source.relative), []).append(source)
        missing: dict[int, list[FileJob]] = {}
        for index, sources in stored.items():  # a shard at a time: its JSON values go as it is done
            shard = self._shard(index)
            for source in sources:
                entry = _valid_entry(shard.get(source.relative), self.stats[source.relative][HASH])
                if entry is None:  # a shard lost, corrupt or written by a concurrent run
                    missing.setdefault(index, []).append(FileJob(source, None))
                else:
                    found[source.relative] = _decode(entry, source)
        self._run(missing)
        self.manifest_changed = self.manifest_changed or bool(missing)
        for jobs in missing.values():
            for job in jobs:
                found[job.source.relative] = _decode(json.loads(self.fresh.pop(job.source.relative)), job.source)
        self.save_manifest()
        return [found[s.relative] for s in self.files]

    def _shard(self, index: int) -> dict[str, Any]:
        document = _read_json(self._shard_path(index), self.key) if self.directory else None
        modules = document.get("modules") if document else None
        return modules if isinstance(modules, dict) else {}

    def _shard_path(self, index: int) -> Path:
        assert self.directory is not None
        return self.directory / f"facts-{self.shard_count}-{index}.json"

    def save_manifest(self) -> None:
        if self.directory is None or not self.manifest_changed or not _prepare(self.directory):
            return
        _write_json(self.directory / "files.json", {"format": FORMAT, "key": self.key, "files": self.stats})
        self.manifest_changed = False

    # ---------------------------------------------------------------- the unchanged tree

    def tree_digest(self, config: Config, files: Sequence[SourceFile]) -> str | None:
        """A digest of every file's path and stat, or None when a stat cannot be trusted to stand
        for the content (a file saved in the last 2 s, or one without a stat)."""
        if self.directory is None:
            return None
        now = time.time_ns()
        lines = []
        for source in files:
            stat = source.stat
            if stat is None or now - stat[0] < RACY_NS:
                return None
            lines.append(f"{source.relative}\t{stat[0]}\t{stat[1]}")
        return self._digest(config, lines)

    def findings_key_of_tree(self, tree: str | None) -> str | None:
        """The findings key of the last run over this very tree: the same paths with the same
        stats have the same contents, as the manifest's fast path assumes file by file."""
        if tree is None or self.directory is None:
            return None
        document = _read_json(self.directory / "tree.json", self.key)
        found = document.get("findings_key") if document and document.get("tree") == tree else None
        return found if isinstance(found, str) else None

    def remember_tree(self, tree: str | None, findings_key: str) -> None:
        if tree is not None and self.directory is not None and _prepare(self.directory):
            _write_json(self.directory / "tree.json",
                        {"format": FORMAT, "key": self.key, "tree": tree, "findings_key": findings_key})

    # ---------------------------------------------------------------- findings

    def findings_key(self, config: Config, files: Sequence[SourceFile], extra_digests: dict[str, str]) -> str:
        """All inputs of the findings: the facts of every module (an editor buffer's count like a file's)."""
        def facts_digest_of(relative: str) -> str:
            entry = self.stats.get(relative)
            return extra_digests.get(relative) or (entry[DIGEST] if entry else "")

        lines = (f"{s.relative}\t{s.module}\t{s.is_package:d}\t{facts_digest_of(s.relative)}"
                 for s in sorted(files, key=attrgetter("relative")))
        return self._digest(config, lines)

    def _digest(self, config: Config, lines: Iterable[str]) -> str:
        """A digest of this namespace, the whole configuration and one line per file."""
        hasher = hashlib.blake2b(repr((self.key, config)).encode(), digest_size=16)
        hasher.update("\n".join(lines).encode())
        return hasher.hexdigest()

    def _findings_path(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / f"findings-{key[:24]}.json"

    def cached_findings(self, key: str) -> StoredFindings | None:
        """The findings of a recent run made of exactly `key`'s inputs, if there was one."""
        if self.directory is None:
            return None
        path = self._findings_path(key)
        document = _read_json(path, self.key)
        if document is None or document.get("findings_key") != key:
            return None
        by_path, suppressed = document.get("by_path"), document.get("suppressed")
        if not isinstance(by_path, dict) or not isinstance(suppressed, int):
            return None
        try:
            os.utime(path)  # recently used: kept longest
        except OSError:
            pass
        return StoredFindings(by_path, suppressed)

    def save_findings(self, key: str, diagnostics: list[Diagnostic], suppressed: int) -> None:
        if self.directory is None or not _prepare(self.directory):
            return
        by_path: dict[str, list[list[Any]]] = {}
        for d in diagnostics:
            location = d.location
            chain = [[step.importer, step.imported, step.line] for step in d.chain]
            by_path.setdefault(d.path, []).append([location.line, location.column, location.end_line,
                                                   location.end_column, d.code, d.name, d.message,
                                                   d.severity.value, chain])
        document = {"format": FORMAT, "key": self.key, "findings_key": key, "suppressed": suppressed,
                    "by_path": by_path}
        _write_json(self._findings_path(key), document)
        self._prune_findings()
        _remove_stale_temporaries(self.directory)

    def _prune_findings(self) -> None:
        """Keep the findings of the last few runs: undoing an edit, or switching back to a branch
        or a configuration, finds its findings still there."""
        assert self.directory is not None
        try:
            stored = sorted(((p.stat().st_mtime_ns, p) for p in self.directory.glob("findings-*.json")), reverse=True)
            for _, path in stored[KEPT_FINDINGS:]:
                path.unlink()
        except OSError:  # a concurrent run pruned first
            pass


@dataclass(frozen=True)
class StoredFindings:
    """Findings as stored, by path: a run about one file decodes that file's findings only."""

    by_path: dict[str, Any]
    suppressed: int

    def paths(self) -> list[str]:
        return list(self.by_path)

    def for_path(self, path: str) -> list[Diagnostic] | None:
        """None when the stored entry is not what this version writes (a tampered file)."""
        try:
            return [_diagnostic(path, item) for item in self.by_path.get(path, ())]
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class ShardTask:
    """Files of one shard to hash and maybe parse, and where that shard is stored."""

    jobs: tuple[FileJob, ...]
    path: Path | None
    key: str
    keep: frozenset[str]  # the shard's files that still exist


def run_shard(task: ShardTask) -> list[tuple[str, str | None, str]]:
    """Runs in a worker: the facts go to disk from there, and to the parent as the same JSON text
    (one serialisation for both: encoding nested lists is a good part of a worker's time).
    Each result is (content hash, compact facts text or None if unchanged, facts digest or "")."""
    results = [(digest, None, "") if compact is None else (digest, text := _dumps(compact), facts_digest(text))
               for digest, compact in map(resolve, task.jobs)]
    new = {job.source.relative: f"[{_dumps(digest)},{text}]"
           for job, (digest, text, _) in zip(task.jobs, results) if text is not None}
    if task.path is not None and new:
        document = _read_json(task.path, task.key)
        stored = document.get("modules") if document else None
        for relative, value in (stored.items() if isinstance(stored, dict) else ()):
            if relative in task.keep and relative not in new:
                new[relative] = _dumps(value)
        modules = ",".join(f"{_dumps(relative)}:{text}" for relative, text in new.items())
        _write_text(task.path, f'{{"format":{_dumps(FORMAT)},"key":{_dumps(task.key)},"modules":{{{modules}}}}}')
    return results


def facts_digest(compact_text: str) -> str:
    """The digest findings are keyed by: of the compact facts' JSON text, the same in every process."""
    return hashlib.blake2b(compact_text.encode(), digest_size=16).hexdigest()


def digest_of(facts: ModuleFacts) -> str:
    from layerlint.project.compact import encode_facts

    return facts_digest(_dumps(encode_facts(facts)))


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _valid_entry(cached: Any, content_hash: str) -> list[Any] | None:
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == content_hash and isinstance(cached[1], list):
        return cached[1]
    return None


def _stat(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _decode(compact: list[Any], source: SourceFile) -> ModuleFacts:
    from layerlint.project.compact import decode_facts
    from layerlint.project.loader import load_facts

    try:
        facts = decode_facts(compact)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):  # a tampered entry
        return load_facts(source)
    if facts.path != source.relative or facts.module != source.module or facts.is_package != source.is_package:
        return load_facts(source)
    return facts


def _diagnostic(path: str, item: list[Any]) -> Diagnostic:
    line, column, end_line, end_column, code, name, message, severity, chain = item
    steps = tuple(ImportStep(str(importer), str(imported), int(number)) for importer, imported, number in chain)
    return Diagnostic(str(path), Location(line, column, end_line, end_column), str(code), str(name), str(message),
                      Severity(severity), steps)
