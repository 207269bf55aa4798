"""Work the language server runs off its event loop: in daemon threads, so that a server whose
client has gone (stdin closed, `exit`, the editor's process dead) ends at once instead of waiting
for a check under way, as asyncio.to_thread's executor would at the loop's close."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


async def in_thread(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` in a daemon thread of its own, awaited."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[R] = loop.create_future()

    def settle(result: R | None, error: BaseException | None) -> None:
        if future.done():  # the awaiting task was cancelled meanwhile
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]  # None only with an error

    def run() -> None:
        try:
            outcome: tuple[R | None, BaseException | None] = (function(*args, **kwargs), None)
        except BaseException as error:  # handed to the awaiting task, as to_thread does
            outcome = (None, error)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop closed: the server is ending, nobody waits for this
            pass

    threading.Thread(target=run, name=f"layerlint-{getattr(function, '__name__', 'work')}", daemon=True).start()
    return await future
