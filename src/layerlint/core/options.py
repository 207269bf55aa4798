"""How a run is carried out (cache, parallelism): settings that never change what is reported."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from layerlint.core.records import record

CACHE_DIR_NAME = ".layerlint_cache"


@record(frozen=True)
class RunOptions:
    """Not part of `Config`: these never change findings, so they never enter a cache key."""

    use_cache: bool = True
    cache_dir: Path | None = None  # default: `.layerlint_cache` in the project root
    jobs: int | None = None  # worker processes for parsing; None: every available core
    # Told how many files the run checks once they are found (the CLI's progress line on a terminal).
    progress: Callable[[int], None] | None = None

    def cache_path(self, root: Path) -> Path:
        return self.cache_dir if self.cache_dir is not None else root / CACHE_DIR_NAME

    def worker_count(self) -> int:
        if self.jobs is not None:
            return max(1, self.jobs)
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # not on Linux
            return os.cpu_count() or 1
