"""What a start reaches by following edges: an import closure read backwards, an analysis and what
it reads. One worklist, so the two closures of the model agree on what "reaches" means."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def reached(starts: Iterable[str], successors: Callable[[str], Iterable[str]]) -> set[str]:
    """`starts` and everything reachable from them through `successors`."""
    found: set[str] = set()
    pending = list(starts)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(successors(name))
    return found
