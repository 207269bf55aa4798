"""Run `layerlint` in a process of its own, with hooks to put a fault at a chosen point.

    python fault_driver.py [--small-pools] [--hold PHASE MARKERS] [--stop-at-write K SIGNAL COUNTER] -- ARGS

--small-pools      worker pools and cache shards even for a project of a few dozen files
--hold PHASE DIR   in PHASE (parse: the parse workers; rules: the rule workers or, with --jobs 1,
                   this process; parse-in-workers: the parse workers, never this process), write
                   DIR/<phase>-<pid> and wait there (up to 60 s) for the test
--stop-at-write K SIGNAL COUNTER
                   send SIGNAL to the whole process group (as a terminal's Ctrl-C or a CI runner's
                   kill does) just before the K-th cache file is renamed into place, counted over
                   every process of the run in the file COUNTER

Everything else is the real command: `python -m layerlint ARGS`. Hooks are set in this process
before any worker is forked, so the workers have them too.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

HOLD_SECONDS = 60.0
_hold: tuple[str, Path] | None = None
_stop: tuple[int, int, Path] | None = None


def _held(phase: str) -> None:
    if _hold is not None and _hold[0] == phase:
        (_hold[1] / f"{phase}-{os.getpid()}").touch()
        time.sleep(HOLD_SECONDS)


def held_shard(task: Any) -> Any:
    _held("parse")
    if os.getpid() != _main_pid:
        _held("parse-in-workers")
    return _original_shard(task)


def held_family(indices: list[int]) -> Any:
    _held("rules")
    return _original_family(indices)


def stopping_replace(source: Any, target: Any) -> None:
    assert _stop is not None
    at, signum, counter = _stop
    # One byte appended per write, in every process; this write's number is where its byte landed.
    # Not the file's size read afterwards: two workers renaming at once both read 2, and no run
    # was stopped at write 1 (a flaky failure of the test's `write > 2`).
    handle = os.open(counter, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(handle, b".")
        number = os.lseek(handle, 0, os.SEEK_CUR)
    finally:
        os.close(handle)
    if number == at:
        os.killpg(os.getpgrp(), signum)
        time.sleep(HOLD_SECONDS)  # until the signal ends this process (SIGINT: through the parent)
    _original_replace(source, target)


def _install(options: list[str]) -> None:
    global _hold, _stop, _original_shard, _original_family, _original_replace
    from layerlint import rule_pool
    from layerlint.cache import fact_shards
    from layerlint.project.reading import parallel

    while options:
        option = options.pop(0)
        if option == "--small-pools":
            parallel.MIN_FILES_PER_WORKER = 1
            rule_pool.MIN_MODULES_PER_WORKER = 1
            fact_shards.FILES_PER_SHARD = 12
        elif option == "--hold":
            _hold = (options.pop(0), Path(options.pop(0)))
        elif option == "--stop-at-write":
            _stop = (int(options.pop(0)), int(getattr(signal, options.pop(0))), Path(options.pop(0)))
            _original_replace = os.replace
            os.replace = stopping_replace  # type: ignore[assignment]
        else:
            raise SystemExit(f"fault_driver: unknown option {option}")
    _original_shard, _original_family = fact_shards.run_shard, rule_pool._check_family
    fact_shards.run_shard = held_shard  # type: ignore[assignment]
    rule_pool._check_family = held_family  # type: ignore[assignment]


_main_pid = os.getpid()
_original_shard: Any = None
_original_family: Any = None
_original_replace: Any = None

if __name__ == "__main__":
    split = sys.argv.index("--")
    _install(sys.argv[1:split])
    sys.argv = ["layerlint", *sys.argv[split + 1:]]
    from layerlint.cli import main

    main()
