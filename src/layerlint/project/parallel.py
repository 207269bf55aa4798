"""Read, hash, parse and extract many files: in worker processes when there are enough of them.

Workers send back compact facts (plain lists, see `compact.py`), which cross the process
boundary cheaply; results come back in task order, so the output never depends on `--jobs`.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from layerlint.project.discovery import SourceFile, read_source

T = TypeVar("T")
R = TypeVar("R")

# Below this many files per worker, starting processes costs more than it saves.
MIN_FILES_PER_WORKER = 48


@dataclass(frozen=True)
class FileJob:
    source: SourceFile
    expected_hash: str | None  # the hash the cached facts were made from, if any


# (content hash, compact facts; None when the content still has the expected hash)
JobResult = tuple[str, list[Any] | None]


def resolve(job: FileJob) -> JobResult:
    from layerlint.project.compact import encode_facts  # the parser, only when something is parsed
    from layerlint.project.loader import content_hash, facts_from_bytes, load_facts

    try:
        data = read_source(job.source.location)
    except OSError:
        failed = load_facts(job.source)  # reports why the file cannot be read
        return "", encode_facts(failed)
    digest = content_hash(data)
    if digest == job.expected_hash:
        return digest, None
    return digest, encode_facts(facts_from_bytes(job.source, data))


def _context() -> Any:
    import multiprocessing

    # fork starts workers in milliseconds with layerlint already imported; elsewhere use the default.
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def can_fork() -> bool:
    """Whether workers start as forks of this process, inheriting what it has built."""
    return _context() is not None


def map_tasks(function: Callable[[T], R], tasks: Sequence[T], workers: int, files: int, *,
              minimum: int = MIN_FILES_PER_WORKER) -> Iterator[R]:
    """`function` over `tasks` (top-level function, picklable tasks), results in task order;
    in worker processes only when there are at least `minimum` `files` per worker."""
    workers = min(workers, files // minimum, len(tasks))
    if workers > 1:
        import multiprocessing  # ~10 ms of imports a small project never needs

        if multiprocessing.current_process().daemon:  # a flake8/pylint worker may not have children
            workers = 1
    if workers <= 1:
        yield from map(function, tasks)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=gc.disable) as pool:
            for result in pool.map(function, tasks):
                done += 1
                yield result
    except (OSError, BrokenProcessPool):  # no processes allowed here: finish in this one
        yield from map(function, tasks[done:])
