"""What a forked process asks of the operating system, shared by the parse and rule workers and
the language server's forks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache


@cache  # looked up once: a parent that forks workers looks it up first, and they inherit it
def parent_death_signal() -> Callable[[int], bool] | None:
    """Linux's prctl(PR_SET_PDEATHSIG): asks the kernel to send a signal to the calling process when
    the thread that forked it ends; True when that was asked. None where it cannot be asked. Look it
    up before forking when the child must do little (ctypes is loaded here, not in the child)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl: Callable[[int, int], int] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1
    return lambda signal_number: prctl(pr_set_pdeathsig, signal_number) == 0
