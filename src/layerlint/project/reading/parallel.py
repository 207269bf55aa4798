"""Read, hash, parse and extract many files: in worker processes when there are enough of them.

`resolve` parses one file into facts; the cache's workers store them and send them back as the
JSON text they store (`cache/fact_shards.py`), which crosses the process boundary cheaply;
results come back in task order, so the output never depends on `--jobs`.

Workers never outlive the run and never take part in an interrupt: they ignore SIGINT (Ctrl-C
reaches the whole process group; the parent alone decides, and an interrupted worker could die
holding a queue lock the others then wait on forever), they die with their parent (even one
killed by SIGKILL or the OOM killer), and a parent that stops early kills them instead of
joining them.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from layerlint.core.processes import parent_death_signal
from layerlint.core.records import record
from layerlint.project.reading.discovery import SourceFile, read_source

if TYPE_CHECKING:
    from layerlint.project.reading.facts import ModuleFacts

T = TypeVar("T")
R = TypeVar("R")

# Below this many files per worker, starting processes costs more than it saves.
MIN_FILES_PER_WORKER = 48


@record(frozen=True)
class FileJob:
    source: SourceFile
    expected_hash: str | None  # the hash the cached facts were made from, if any


# (content hash, the facts; None when the content still has the expected hash)
JobResult = tuple[str, "ModuleFacts | None"]


def resolve(job: FileJob) -> JobResult:
    from layerlint.project.reading.loader import (  # the parser, only when something is parsed
        content_hash,
        facts_from_bytes,
        load_facts,
    )

    try:
        data = read_source(job.source.location)
    except OSError:
        return "", load_facts(job.source)  # reports why the file cannot be read
    digest = content_hash(data)
    if digest == job.expected_hash:
        return digest, None
    return digest, facts_from_bytes(job.source, data)


def load_parser() -> None:
    """Import what `resolve` parses with, in a parent about to fork parse workers: they inherit it
    instead of each importing it (at 100k lines 25 ms of each worker's CPU, on cores the workers
    fill), and the parent decodes their facts with the same modules."""
    import layerlint.project.reading.compact
    import layerlint.project.reading.loader  # noqa: F401


def _context() -> Any:
    import multiprocessing

    # fork starts workers in milliseconds with layerlint already imported; elsewhere use the default.
    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def can_fork() -> bool:
    """Whether workers start as forks of this process, inheriting what it has built."""
    return _context() is not None


def pool_size(workers: int, tasks: int, files: int, minimum: int | None = None) -> int:
    """How many worker processes `map_tasks` asks for (1: none, the tasks run in this process)."""
    return max(1, min(workers, files // (minimum or MIN_FILES_PER_WORKER), tasks))


def map_tasks(function: Callable[[T], R], tasks: Sequence[T], workers: int, files: int, *,
              minimum: int | None = None, meanwhile: Callable[[], None] | None = None) -> Iterator[R]:
    """`function` over `tasks` (top-level function, picklable tasks), results in task order;
    in worker processes only when there are at least `minimum` (default MIN_FILES_PER_WORKER)
    `files` per worker. `meanwhile` is called once the workers have their tasks (first, when
    the tasks run in this process)."""
    workers = pool_size(workers, len(tasks), files, minimum)
    if workers > 1:
        import multiprocessing  # ~10 ms of imports a small project never needs

        if multiprocessing.current_process().daemon:  # a flake8/pylint worker may not have children
            workers = 1
    if workers <= 1:
        if meanwhile is not None:
            meanwhile()
        yield from map(function, tasks)
        return
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    waiting = meanwhile
    try:
        parent_death_signal()  # ctypes loaded here once, not in each worker
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_start_worker,
                                   initargs=(os.getpid(),))
        try:
            with _interrupts_held():  # the workers are forked here: none may see Ctrl-C before it ignores it
                results = pool.map(function, tasks)
            if waiting is not None:
                waiting()
                waiting = None
            for result in results:
                done += 1
                if done == len(tasks):  # before the last yield: a caller zipping tasks asks for no more
                    pool.shutdown()  # the workers are idle
                yield result
        except BaseException:  # Ctrl-C, an error, or the caller stopped early: joining could wait forever
            _kill_workers(pool)
            raise
    except (OSError, BrokenProcessPool):  # no processes allowed here: finish in this one
        if waiting is not None:
            waiting()
        yield from map(function, tasks[done:])


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back from this thread (a signal that comes meanwhile is delivered
    after): processes forked meanwhile start with them blocked."""
    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):  # Windows: no fork, no signal masks
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_worker(parent: int) -> None:
    """First thing in each worker: leave interrupts to the parent, and die with it."""
    gc.disable()  # a worker's objects live until it exits: collecting them only costs
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler, if any, is not ours
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    die_with_parent = parent_death_signal()
    if die_with_parent is None or not die_with_parent(signal.SIGKILL):
        import threading

        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _watch_parent(parent: int) -> None:
    """Elsewhere, notice within a second that the parent is gone (this process is then adopted)."""
    import time

    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _kill_workers(pool: Any) -> None:
    """End the pool without waiting for anything: a worker may be blocked on a queue lock."""
    processes = list((getattr(pool, "_processes", None) or {}).values())  # private, there since 3.2
    for process in processes:
        try:
            process.kill()
        except (OSError, ValueError):  # already gone, or already closed
            pass
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:  # reap them: SIGKILL is not delayed by anything they wait on
        try:
            process.join(timeout=5.0)
        except (OSError, ValueError, AssertionError):
            pass
