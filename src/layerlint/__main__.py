"""The `layerlint` command, as `python -m layerlint` and as the installed script.

Ctrl-C is handled from the first line on: importing the CLI takes ~70 ms, and an interrupt in
that time would otherwise print a KeyboardInterrupt traceback.
"""

from __future__ import annotations

import os
import signal

EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as shells report a process ended by Ctrl-C


def interrupted(signum: int, frame: object) -> None:
    """Ctrl-C: one line and exit code 130, at once, instead of click's `Aborted!` and exit 1
    (the code of "findings found"). Nothing is unwound: the workers die with this process and
    ignore the signal themselves, and the cache only ever holds whole files."""
    try:
        os.write(2, b"\nlayerlint: interrupted\n" if os.isatty(2) else b"layerlint: interrupted\n")
    except OSError:  # no stderr left to tell
        pass
    os._exit(EXIT_INTERRUPTED)


def run() -> None:
    signal.signal(signal.SIGINT, interrupted)
    from layerlint.cli import main

    main()


if __name__ == "__main__":
    run()
