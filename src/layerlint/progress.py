"""The line a long run shows on a terminal: `layerlint: checking 1,043 files...` on stderr once the
run has taken a second, erased when it ends. A front end decides whether to show it (a terminal, a
human format); the engine only says how many files it found (`RunOptions.progress`).

A timer signal, not a thread: the parse and rule workers are forked, and forking a process that
runs a second thread may deadlock (and Python 3.12 warns about it).
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TextIO

DELAY_SECONDS = 1.0
ERASE_LINE = "\r\033[K"


class ProgressLine:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.count: int | None = None
        self.shown = False

    def found(self, count: int) -> None:
        """The engine's `RunOptions.progress` callback: the run checks `count` files."""
        self.count = count
        if self.shown:  # shown while the files were being found: now it can say how many
            self.show()

    def show(self) -> None:
        what = "files" if self.count is None else f"{self.count:,} files"
        try:
            self.stream.write(f"{ERASE_LINE if self.shown else ''}layerlint: checking {what}...")
            self.stream.flush()
        except (OSError, RuntimeError):  # RuntimeError: the signal came while stderr was being written
            return
        self.shown = True

    def erase(self) -> None:
        if self.shown:
            self.stream.write(ERASE_LINE)
            self.stream.flush()
            self.shown = False


@contextmanager
def progress_after_delay(line: ProgressLine, delay: float | None = None) -> Iterator[None]:
    """Show `line` if the block takes longer than `delay` (default DELAY_SECONDS); erase it when the block ends."""
    def on_alarm(signum: int, frame: FrameType | None) -> None:
        line.show()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, DELAY_SECONDS if delay is None else delay)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        line.erase()
