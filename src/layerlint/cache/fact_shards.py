"""The facts store: each file's compact facts under its content hash, in `facts-N-I.json`, the
shard I of N its path falls in.

Whoever parses a shard's files (a worker) also stores them: `run_shard` writes the shard and
sends the parent the same JSON text (one serialisation for both). An entry is used only when it
was made from the content the file has now and has the facts' shape; anything else is parsed
again.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from layerlint.cache.storage import FORMAT, CacheDirectory, dumps, read_document, reason, write_text
from layerlint.project.reading.discovery import SourceFile
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

    def read(self, index: int) -> dict[str, Any]:
        """The stored entries of a shard, by path: [content hash, compact facts]."""
        document = self.directory.read(self.path(index).name)
        modules = document.get("modules") if document else None
        return modules if isinstance(modules, dict) else {}


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
    results: list[tuple[str, str | None, str]] = [
        (digest, None, "") if compact is None else (digest, text := dumps(compact), facts_digest(text))
        for digest, compact in map(resolve, task.jobs)]
    new = {job.source.relative: f"[{dumps(digest)},{text}]"
           for job, (digest, text, _) in zip(task.jobs, results) if text is not None}
    if task.path is None or not new:
        return results, None
    document = read_document(task.path, task.key)
    stored = document.get("modules") if document else None
    for relative, value in (stored.items() if isinstance(stored, dict) else ()):
        if relative in task.keep and relative not in new:
            new[relative] = dumps(value)
    modules = ",".join(f"{dumps(relative)}:{text}" for relative, text in new.items())
    try:
        write_text(task.path, f'{{"format":{dumps(FORMAT)},"key":{dumps(task.key)},"modules":{{{modules}}}}}')
    except OSError as error:
        return results, reason(error)
    return results, None


def facts_digest(compact_text: str) -> str:
    """The digest findings are keyed by: of the compact facts' JSON text, the same in every process."""
    return hashlib.blake2b(compact_text.encode(), digest_size=16).hexdigest()


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

    try:
        facts = decode_facts(compact)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError):
        return None
    if facts.path != source.relative or facts.module != source.module or facts.is_package != source.is_package:
        return None
    return facts


def parsed(text: str, source: SourceFile) -> ModuleFacts:
    """The facts parsed in this run, from their JSON text."""
    facts = decode(json.loads(text), source)
    assert facts is not None, source.relative  # the text was made from this file's facts
    return facts
