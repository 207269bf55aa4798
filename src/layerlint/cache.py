"""Per-module facts and whole-project findings on disk, so unchanged files are not parsed again.

Layout of `.layerlint_cache/` (in the project root, or `--cache-dir`):

    .gitignore, CACHEDIR.TAG     as ruff's: never committed, skipped by backup tools; only in a
                                 directory layerlint created (never in a `--cache-dir` that was there)
    <namespace>/.gitignore, CACHEDIR.TAG   the same, and the tag marks the directory as layerlint's:
                                 pruning deletes nothing untagged
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
import logging
import os
import re
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from stat import S_ISDIR
from typing import TYPE_CHECKING, Any

import layerlint
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic, ImportStep, Location, Severity
from layerlint.core.options import RunOptions
from layerlint.project.reading.discovery import SourceFile, read_source
from layerlint.project.reading.parallel import FileJob, map_tasks, resolve

if TYPE_CHECKING:  # facts and their codec are imported where facts are decoded: a cached run decodes none
    from layerlint.project.reading.facts import ModuleFacts

logger = logging.getLogger(__name__)  # with no handler configured, Python prints warnings to stderr

FORMAT = "layerlint-cache-2"
# A file modified this close to when it was stat'ed may change again within the same
# timestamp tick: its stat is not trusted next time (git's "racy clean" problem).
RACY_NS = 2_000_000_000
STALE_SECONDS = 600
KEPT_FINDINGS = 4
HASH, DIGEST = 2, 3  # a manifest entry: [mtime_ns, size, content hash, facts digest]
FILES_PER_SHARD = 256
MAX_SHARDS = 64
TAG_NAME = "CACHEDIR.TAG"
GITIGNORE = "# Created by layerlint.\n*\n"
CACHEDIR_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
                "# This file is a cache directory tag created by layerlint.\n"
                "# For information about cache directory tags see https://bford.info/cachedir/\n")
_RULE_MODULE = re.compile(r"ll(\d{3})_(\w+)\.py")
MAX_POSITION = 2**31  # no line or column of a real finding is larger
# What a namespace directory (and one being created) is called, and the files in it.
_NAMESPACE_NAME = re.compile(r"\.?[0-9a-f]{16}(\.\d+\.\d+\.tmp)?")
_CACHE_FILE_NAME = re.compile(r"(files|tree)\.json|facts-\d+-\d+\.json|findings-[0-9a-f]+\.json"
                              r"|\.gitignore|CACHEDIR\.TAG|\..+\.\d+\.\d+\.tmp")


@lru_cache(maxsize=1)
def _own_source() -> tuple[str, dict[str, str]]:
    """A digest of layerlint's own source files (path, size, mtime): an edited rule invalidates
    findings. And the rules they define, code -> name, read from the rule modules' names
    (`ll101_router_imports_repository.py`): stored findings are checked against them without
    importing the rules (a run answered from the cache never does; a test holds the two equal)."""
    package = Path(layerlint.__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    rules: dict[str, str] = {}
    for directory, subdirs, names in sorted(os.walk(package)):
        subdirs.sort()
        for name in sorted(n for n in names if n.endswith(".py")):
            stat = os.stat(os.path.join(directory, name))
            digest.update(f"{directory}/{name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
            rule_module = _RULE_MODULE.fullmatch(name) if directory.endswith("rules") else None
            if rule_module:
                rules[f"LL{rule_module[1]}"] = rule_module[2].replace("_", "-")
    return digest.hexdigest(), rules


def known_rules() -> dict[str, str]:
    return dict(_own_source()[1])


def namespace(config: Config) -> str:
    parts = (FORMAT, layerlint.__version__, _own_source()[0], config.extraction_key())
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


def _read_json(path: Path, key: str) -> dict[str, Any] | None:
    """The document at `path` if it is ours and made for `key`; None for anything else."""
    data = _read_regular_file(path)
    if data is None:
        return None
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("key") != key:
        return None
    return document


def _read_regular_file(path: Path) -> bytes | None:
    """The bytes of `path` if it is a regular file: a FIFO planted in a cache file's place would
    block the run, a device would never end, and a symlink may lead anywhere."""
    try:
        return read_source(path, follow_symlinks=False)
    except OSError:
        return None


def _write_text(path: Path, text: str) -> None:
    """Write through a temporary file renamed into place; an OSError leaves nothing behind."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        with open(temporary, "x", encoding="utf-8") as handle:  # never through a planted file or link
            handle.write(text)
        os.replace(temporary, path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:  # a read-only directory: there is no temporary file either
            pass
        raise


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
    """Create the namespace directory; never write through a symlink a repository may have shipped
    (False). An OSError (a read-only or full disk) propagates.

    The cache root may be a directory of the user's (`--cache-dir ~/shared`): `.gitignore` and
    `CACHEDIR.TAG` go into it only when this call created it, and pruning touches nothing in it
    but namespace directories that carry layerlint's own tag (see `_prune`)."""
    root = directory.parent
    if root.is_symlink() or directory.is_symlink():
        return False
    if directory.is_dir():
        return True
    if _make_directory(root):
        _mark(root)
    _prune(root)
    _make_namespace(directory)
    return True


def _make_directory(path: Path) -> bool:
    """Whether this call created `path` (with its parents); False when it was already there."""
    try:
        path.mkdir(parents=True)
    except FileExistsError:
        return False
    return True


def _mark(directory: Path) -> None:
    """Tag a directory layerlint created: never committed, skipped by backup tools, and known as
    its own when pruning."""
    for name, text in ((".gitignore", GITIGNORE), (TAG_NAME, CACHEDIR_TAG)):
        try:
            with open(directory / name, "x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError:
            pass


def _make_namespace(directory: Path) -> None:
    """Create the namespace directory with its tag in place: it is made under a temporary name
    and renamed, so no namespace directory ever exists untagged (a run killed half-way would
    leave one that pruning never recognises)."""
    temporary = directory.with_name(f".{directory.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    temporary.mkdir()
    _mark(temporary)
    try:
        os.rename(temporary, directory)
    except OSError:  # a concurrent run made it first
        for name in (".gitignore", TAG_NAME):
            (temporary / name).unlink(missing_ok=True)
        temporary.rmdir()
        if not directory.is_dir():
            raise


def _prune(root: Path) -> None:
    """Namespaces of other versions or settings, unused for a while (another layerlint may still
    use one). Only what layerlint provably made is deleted: a directory named like a namespace
    (or a temporary one), tagged with layerlint's own CACHEDIR.TAG, holding nothing but files
    named as the cache names them; anything else in it keeps the whole directory. In a cache
    directory layerlint made (tagged itself), an untagged namespace qualifies too: layerlint
    used to tag only the cache directory, and its namespaces would otherwise stay for ever."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    root_is_ours = _is_tagged(root)
    for entry in entries:
        try:
            if not _NAMESPACE_NAME.fullmatch(entry.name):
                continue
            status = entry.lstat()
            if not S_ISDIR(status.st_mode) or time.time() - status.st_mtime <= STALE_SECONDS:
                continue
            if not (_is_tagged(entry) or root_is_ours and not entry.name.startswith(".")):
                continue
            children = list(entry.iterdir())
            if not all(_CACHE_FILE_NAME.fullmatch(child.name) for child in children):
                continue
            for child in sorted(children, key=lambda c: c.name == TAG_NAME):  # the tag last
                child.unlink()
            entry.rmdir()
        except OSError:
            continue


def _is_tagged(directory: Path) -> bool:
    return _read_regular_file(directory / TAG_NAME) == CACHEDIR_TAG.encode()  # a symlinked tag is not read


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
        self.trust_stored = True  # False: every file's facts come from its source (see distrust_facts)
        self.write_failed = False  # the directory could not be written: the run goes on without writing

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
        writable = self._writable()
        keep: dict[int, set[str]] = {}
        for source in self.files:
            keep.setdefault(self._shard_of(source.relative), set()).add(source.relative)
        tasks = [ShardTask(tuple(jobs[i]), self._shard_path(i) if writable else None, self.key, frozenset(keep[i]))
                 for i in sorted(jobs)]
        for task, (results, failure) in zip(tasks, map_tasks(run_shard, tasks, self.workers,
                                                               sum(map(len, jobs.values())))):
            if failure is not None:
                self._give_up_writing(failure)
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
                found[source.relative] = _parsed(text, source)
            else:
                stored.setdefault(self._shard_of(source.relative), []).append(source)
        missing: dict[int, list[FileJob]] = {}
        for index, sources in stored.items():  # a shard at a time: its JSON values go as it is done
            shard = self._shard(index) if self.trust_stored else {}
            for source in sources:
                entry = _valid_entry(shard.get(source.relative), self.stats[source.relative][HASH])
                facts = None if entry is None else _decode(entry, source)
                if facts is None:  # a shard lost, corrupt, tampered with or written by a concurrent run
                    missing.setdefault(index, []).append(FileJob(source, None))
                else:
                    found[source.relative] = facts
        self._run(missing)
        self.manifest_changed = self.manifest_changed or bool(missing)
        for jobs in missing.values():
            for job in jobs:
                found[job.source.relative] = _parsed(self.fresh.pop(job.source.relative), job.source)
        self.save_manifest()
        return [found[s.relative] for s in self.files]

    def distrust_facts(self) -> bool:
        """From now on take every file's facts from its source, and store them afresh: stored
        facts broke a rule, which a tampered entry of the right shape can (see valid_facts).
        False when no stored facts could have been read: a failure then is not the cache's."""
        if self.directory is None or not self.trust_stored:
            return False
        self.trust_stored = False
        return True

    def _shard(self, index: int) -> dict[str, Any]:
        document = _read_json(self._shard_path(index), self.key) if self.directory else None
        modules = document.get("modules") if document else None
        return modules if isinstance(modules, dict) else {}

    def _shard_path(self, index: int) -> Path:
        assert self.directory is not None
        return self.directory / f"facts-{self.shard_count}-{index}.json"

    def save_manifest(self) -> None:
        if self.directory is None or not self.manifest_changed:
            return
        self._write_json(self.directory / "files.json", {"format": FORMAT, "key": self.key, "files": self.stats})
        self.manifest_changed = False

    def _writable(self) -> bool:
        if self.directory is None or self.write_failed:
            return False
        try:
            return _prepare(self.directory)
        except OSError as error:
            self._give_up_writing(_reason(error))
            return False

    def _write_json(self, path: Path, document: dict[str, Any]) -> None:
        if self._writable():
            try:
                _write_text(path, json.dumps(document, separators=(",", ":")))
            except OSError as error:
                self._give_up_writing(_reason(error))

    def _give_up_writing(self, reason: str) -> None:
        """A cache that cannot be written (a read-only or full disk) only costs speed: the run
        goes on without writing, and says so once."""
        if not self.write_failed:
            self.write_failed = True
            logger.warning("layerlint: warning: cannot write the cache in %s (%s); running without it",
                           self.directory, reason)

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
        if tree is not None and self.directory is not None:
            self._write_json(self.directory / "tree.json",
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

    def cached_findings(self, key: str, files: Sequence[SourceFile]) -> StoredFindings | None:
        """The findings of a recent run made of exactly `key`'s inputs, if there was one. A
        cache directory can come with a repository: a stored path that is not one of this run's
        files, or a count that is not one, discards them all (entries are checked as decoded)."""
        if self.directory is None:
            return None
        path = self._findings_path(key)
        document = _read_json(path, self.key)
        if document is None or document.get("findings_key") != key:
            return None
        by_path, suppressed = document.get("by_path"), document.get("suppressed")
        if not isinstance(by_path, dict) or type(suppressed) is not int or suppressed < 0:
            return None
        if not by_path.keys() <= {source.relative for source in files}:
            return None
        try:
            os.utime(path)  # recently used: kept longest
        except OSError:
            pass
        return StoredFindings(by_path, suppressed)

    def save_findings(self, key: str, diagnostics: list[Diagnostic], suppressed: int) -> None:
        if not self._writable():
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
        self._write_json(self._findings_path(key), document)
        if not self.write_failed and self.directory is not None:
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
        items = self.by_path.get(path, [])
        if type(items) is not list:
            return None
        rules = _own_source()[1]
        try:
            return [_diagnostic(path, item, rules) for item in items]
        except (TypeError, ValueError):
            return None


@dataclass(frozen=True)
class ShardTask:
    """Files of one shard to hash and maybe parse, and where that shard is stored."""

    jobs: tuple[FileJob, ...]
    path: Path | None
    key: str
    keep: frozenset[str]  # the shard's files that still exist


def run_shard(task: ShardTask) -> tuple[list[tuple[str, str | None, str]], str | None]:
    """Runs in a worker: the facts go to disk from there, and to the parent as the same JSON text
    (one serialisation for both: encoding nested lists is a good part of a worker's time).
    Each result is (content hash, compact facts text or None if unchanged, facts digest or "");
    with why the shard could not be written, if it could not."""
    results: list[tuple[str, str | None, str]] = [(digest, None, "") if compact is None else (digest, text := _dumps(compact), facts_digest(text))
               for digest, compact in map(resolve, task.jobs)]
    new = {job.source.relative: f"[{_dumps(digest)},{text}]"
           for job, (digest, text, _) in zip(task.jobs, results) if text is not None}
    if task.path is None or not new:
        return results, None
    document = _read_json(task.path, task.key)
    stored = document.get("modules") if document else None
    for relative, value in (stored.items() if isinstance(stored, dict) else ()):
        if relative in task.keep and relative not in new:
            new[relative] = _dumps(value)
    modules = ",".join(f"{_dumps(relative)}:{text}" for relative, text in new.items())
    try:
        _write_text(task.path, f'{{"format":{_dumps(FORMAT)},"key":{_dumps(task.key)},"modules":{{{modules}}}}}')
    except OSError as error:
        return results, _reason(error)
    return results, None


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


def facts_digest(compact_text: str) -> str:
    """The digest findings are keyed by: of the compact facts' JSON text, the same in every process."""
    return hashlib.blake2b(compact_text.encode(), digest_size=16).hexdigest()


def digest_of(facts: ModuleFacts) -> str:
    from layerlint.project.reading.compact import encode_facts

    return facts_digest(_dumps(encode_facts(facts)))


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _valid_entry(cached: Any, content_hash: str) -> list[Any] | None:
    """A stored entry's compact facts, if they were made from this content and have their shape."""
    from layerlint.project.reading.compact import valid_facts

    if type(cached) is list and len(cached) == 2 and cached[0] == content_hash and valid_facts(cached[1]):
        entry: list[Any] = cached[1]
        return entry
    return None


def _stat(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _decode(compact: list[Any], source: SourceFile) -> ModuleFacts | None:
    """The facts of a stored entry; None when they cannot be this file's (a tampered entry)."""
    from layerlint.project.reading.compact import decode_facts

    try:
        facts = decode_facts(compact)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    if facts.path != source.relative or facts.module != source.module or facts.is_package != source.is_package:
        return None
    return facts


def _parsed(text: str, source: SourceFile) -> ModuleFacts:
    """The facts parsed in this run, from their JSON text."""
    facts = _decode(json.loads(text), source)
    assert facts is not None, source.relative  # the text was made from this file's facts
    return facts


def _diagnostic(path: str, item: list[Any], rules: dict[str, str]) -> Diagnostic:
    """A stored finding, checked as strictly as it is written: a line of 1.5 or 10**30 would be
    printed as it is, a string would break the sort, an unknown code would be reported."""
    if type(item) is not list:
        raise TypeError("not a stored finding")
    line, column, end_line, end_column, code, name, message, severity, chain = item
    if not all(_position(n) for n in (line, column, end_line, end_column)):
        raise ValueError("not a position")
    if type(code) is not str or rules.get(code) != name or type(message) is not str:
        raise ValueError("not a finding of a known rule")
    if type(chain) is not list or not all(map(_import_step, chain)):
        raise ValueError("not an import chain")
    steps = tuple(ImportStep(importer, imported, number) for importer, imported, number in chain)
    return Diagnostic(path, Location(line, column, end_line, end_column), code, name, message, Severity(severity),
                      steps)


def _position(value: Any) -> bool:
    return type(value) is int and 0 <= value < MAX_POSITION


def _import_step(step: Any) -> bool:
    """[importer, imported, line], as LL102's chain is stored."""
    return (type(step) is list and len(step) == 3 and type(step[0]) is str and type(step[1]) is str
            and _position(step[2]))
