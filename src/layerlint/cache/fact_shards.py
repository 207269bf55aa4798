"""The facts store: each file's compact facts under its content hash, in `facts-N-I.json`, the
shard I of N its path falls in. A shard begins with an index of where each file's entry is, so
one module's facts are read (os.pread) and decoded without the others: a run that needs N
modules decodes N (`ProjectCache.facts_of`), and rewriting a shard copies the entries it keeps
as stored text.

Whoever parses a shard's files (a worker) also stores them: `run_shard` writes the shard and
sends the parent the same JSON text (one serialisation for both); run in the parent itself, it
hands over the facts it built as well. An entry is used only when it
was made from the content the file has now and has the facts' shape; anything else is parsed
again.
"""

from __future__ import annotations

import os
import weakref
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layerlint.cache.storage import (
    FORMAT,
    CacheDirectory,
    dumps,
    open_regular_file,
    read_document,
    reason,
    write_text,
)
from layerlint.core.digest import blake2b
from layerlint.core.records import record
from layerlint.project.reading.discovery import SourceFile
from layerlint.project.reading.json_text import read_json, scan_at
from layerlint.project.reading.parallel import FileJob, resolve

if TYPE_CHECKING:  # facts and their codec are imported where facts are decoded: a cached run decodes none
    from layerlint.project.reading.facts import ModuleFacts

FILES_PER_SHARD = 256
MAX_SHARDS = 64


class FactShards:
    """The shards of one namespace, as many as the project's size asks for."""

    def __init__(self, directory: CacheDirectory) -> None:
        self.directory = directory
        self.count = 1

    def size_for(self, files: int) -> None:
        self.count = min(MAX_SHARDS, max(1, files // FILES_PER_SHARD))

    def shard_of(self, relative: str) -> int:
        return zlib.crc32(relative.encode()) % self.count

    def path(self, index: int) -> Path:
        assert self.directory.path is not None
        return self.directory.path / f"facts-{self.count}-{index}.json"

    def open(self, index: int) -> StoredShard:
        """Shard `index` as stored, each entry read only when asked for."""
        if self.directory.path is None:
            return StoredShard({})
        return open_shard(self.path(index), self.directory.key)

    def read(self, index: int) -> dict[str, Any]:
        """The stored entries of a shard, by path: [content hash, compact facts] (all decoded)."""
        shard = self.open(index)
        try:
            return {relative: entry for relative in shard.paths() if (entry := shard.entry(relative)) is not None}
        finally:
            shard.close()


class StoredShard:
    """A shard's entries, one readable without the others: the document starts with an index of
    where each entry's text is (`_document`), and an entry is read (os.pread) and decoded alone.
    A document without a readable index (written by hand, or damaged) is decoded whole, as `whole`."""

    def __init__(self, whole: dict[str, Any], descriptor: int | None = None,
                 index: dict[str, Any] | None = None, base: int = 0, size: int = 0) -> None:
        self.whole = whole
        self.descriptor = descriptor
        self.index = index or {}
        self.base = base  # where the entries' offsets count from
        self.size = size  # of the file: no entry reaches past it
        # Closed when the run lets go of the shard, if not before: a project decoding its modules
        # lazily holds the shards it reads from.
        self._closing = weakref.finalize(self, os.close, descriptor) if descriptor is not None else None

    def paths(self) -> list[str]:
        return list(self.index) if self.descriptor is not None else list(self.whole)

    def entry(self, relative: str) -> Any:
        """The stored value of `relative` ([content hash, compact facts]); None if absent or unreadable."""
        if self.descriptor is None:
            return self.whole.get(relative)
        text = self.text(relative)
        if text is None:
            return None
        try:
            value, end = scan_at(text, 0)
        except (ValueError, StopIteration, RecursionError):
            return None
        return value if end == len(text) else None

    def unread(self, relative: str, content_hash: str, source: SourceFile) -> ModuleFacts | None:
        """The facts of `relative` if stored for this content, with its functions' bodies left as
        text until read (compact.decode_unread); None if absent, unreadable or not this file's."""
        from layerlint.project.reading.compact import (
            decode_unread,
            split_stored,
            valid_head,
        )

        if self.descriptor is None:  # a shard without an index is decoded whole anyway
            entry = valid_entry(self.entry(relative), content_hash)
            return None if entry is None else decode(entry, source)
        text = self.text(relative)
        prefix = f"[{dumps(content_hash)},"
        if text is None or not (text.startswith(prefix) and text.endswith("]")):
            return None
        try:
            head, bodies = split_stored(text[len(prefix):-1])
        except (ValueError, StopIteration, RecursionError):
            return None
        return decoded(lambda: decode_unread(head, bodies), source) if valid_head(head) else None

    def text(self, relative: str) -> str | None:
        """The JSON text of an entry as stored, to be written again unchanged."""
        if self.descriptor is None:
            return dumps(self.whole[relative]) if relative in self.whole else None
        where = self.index.get(relative)
        if not (type(where) is list and len(where) == 2 and all(type(n) is int for n in where)
                and 0 <= where[0] < where[1] <= self.size - self.base):
            return None
        try:
            return os.pread(self.descriptor, where[1] - where[0], self.base + where[0]).decode("ascii")
        except (OSError, UnicodeDecodeError):
            return None

    def close(self) -> None:
        if self._closing is not None:
            self._closing()
        self.descriptor, self.index, self.whole = None, {}, {}


def open_shard(path: Path, key: str) -> StoredShard:
    """The shard at `path`, read through its index when it has one made for `key` (then only the
    index is read now); otherwise decoded whole, or empty when it is not ours."""
    try:
        descriptor = open_regular_file(path)
    except OSError:
        return StoredShard({})
    try:
        indexed = _read_index(descriptor, key)
        size = os.fstat(descriptor).st_size
    except (OSError, ValueError, RecursionError):
        indexed = None
    if indexed is not None:
        return StoredShard({}, descriptor, *indexed, size)
    os.close(descriptor)
    document = read_document(path, key)
    modules = document.get("modules") if document else None
    return StoredShard(modules if isinstance(modules, dict) else {})


def _read_index(descriptor: int, key: str) -> tuple[dict[str, Any], int] | None:
    """The index at the start of a shard `_document` wrote, and where its entries' offsets count
    from; None for any other document."""
    prefix = _prefix(key)
    head = os.pread(descriptor, 65536, 0).decode("ascii", "replace")
    if not head.startswith(prefix):
        return None
    text, end = head, -1
    while end < 0:  # the index is a few kB per 100 files: read on until it is whole
        try:
            index, end = scan_at(text, len(prefix))
        except (ValueError, StopIteration):
            more = os.pread(descriptor, len(text), len(text)).decode("ascii", "replace")
            if not more:
                return None
            text += more
    if not isinstance(index, dict) or text[end:end + len(_MODULES)] != _MODULES:
        return None
    return index, end + len(_MODULES)


_MODULES = ',"modules":'


def _prefix(key: str) -> str:
    return f'{{"format":{dumps(FORMAT)},"key":{dumps(key)},"index":'


def _document(key: str, entries: dict[str, str]) -> str:
    """A shard as one JSON document: {"format", "key", "index": {path: [start, end]}, "modules":
    {path: entry}}, where each entry's text is at [start, end) counted from the "modules" object's
    first character (the JSON is ASCII: characters are bytes). Read whole it is ordinary JSON."""
    index: dict[str, list[int]] = {}
    parts = ["{"]
    position = 1
    for number, (relative, text) in enumerate(entries.items()):
        name = f'{"," if number else ""}{dumps(relative)}:'
        position += len(name)
        index[relative] = [position, position + len(text)]
        position += len(text)
        parts += (name, text)
    parts.append("}")
    return f"{_prefix(key)}{dumps(index)}{_MODULES}{''.join(parts)}}}"


@record(frozen=True)
class ShardTask:
    """Files of one shard to hash and maybe parse, and where that shard is stored."""

    jobs: tuple[FileJob, ...]
    path: Path | None
    key: str
    keep: frozenset[str]  # the shard's files that still exist
    parent: int  # the process the task comes from: run there, it keeps the facts it parses


Resolved = list[tuple[str, str | None, str]]  # per job: content hash, facts text or None, facts digest or ""


def run_shard(task: ShardTask) -> tuple[Resolved, str | None, dict[str, ModuleFacts] | None]:
    """Runs in a worker: the facts go to disk from there, and to the parent as the same JSON text
    (one serialisation for both: encoding nested lists is a good part of a worker's time).
    Each result is (content hash, compact facts text or None if unchanged, facts digest or "");
    with why the shard could not be written, if it could not; and, run in the process the task
    comes from (one job, a small project, an editor plugin's process), the facts parsed by path,
    which need no decoding from the text (at 100k lines with `--jobs 1`, 0.3 s of a 3.2 s cold run).
    The entries it keeps are copied as their stored text, never decoded."""
    from layerlint.project.reading.compact import encode_facts

    parsed = [resolve(job) for job in task.jobs]
    results: Resolved = [
        (digest, None, "") if facts is None else (digest, text := dumps(encode_facts(facts)), facts_digest(text))
        for digest, facts in parsed]
    built = {job.source.relative: facts for job, (_, facts) in zip(task.jobs, parsed) if facts is not None} \
        if os.getpid() == task.parent else None
    return results, _store(task, results), built


def _store(task: ShardTask, results: Resolved) -> str | None:
    """Write the shard with the facts of `results`; why it could not be written, if it could not."""
    new = {job.source.relative: f"[{dumps(digest)},{text}]"
           for job, (digest, text, _) in zip(task.jobs, results) if text is not None}
    if task.path is None or not new:
        return None
    stored = open_shard(task.path, task.key)
    try:
        for relative in stored.paths():
            if relative in task.keep and relative not in new and (kept := stored.text(relative)) is not None:
                new[relative] = kept
    finally:
        stored.close()
    try:
        write_text(task.path, _document(task.key, new))
    except OSError as error:
        return reason(error)
    return None


def facts_digest(compact_text: str) -> str:
    """The digest findings are keyed by: of the compact facts' JSON text, the same in every process."""
    return blake2b(compact_text.encode(), digest_size=16).hexdigest()


def digest_of(facts: ModuleFacts) -> str:
    from layerlint.project.reading.compact import encode_facts

    return facts_digest(dumps(encode_facts(facts)))


def valid_entry(cached: Any, content_hash: str) -> list[Any] | None:
    """A stored entry's compact facts, if they were made from this content and have their shape."""
    from layerlint.project.reading.compact import valid_facts

    if type(cached) is list and len(cached) == 2 and cached[0] == content_hash and valid_facts(cached[1]):
        entry: list[Any] = cached[1]
        return entry
    return None


def decode(compact: list[Any], source: SourceFile) -> ModuleFacts | None:
    """The facts of a stored entry; None when they cannot be this file's (a tampered entry)."""
    from layerlint.project.reading.compact import decode_facts

    return decoded(lambda: decode_facts(compact), source)


def decoded(decode_facts: Callable[[], ModuleFacts], source: SourceFile) -> ModuleFacts | None:
    """What `decode_facts()` gives, if it can be the facts of `source` (every stored module's
    facts pass through here, read whole or with their bodies left unread)."""
    try:
        facts = decode_facts()
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    if facts.path != source.relative or facts.module != source.module or facts.is_package != source.is_package:
        return None
    return facts


def parsed(text: str, source: SourceFile) -> ModuleFacts:
    """The facts parsed in this run, from their JSON text."""
    facts = decode(read_json(text), source)
    assert facts is not None, source.relative  # the text was made from this file's facts
    return facts
