"""Where a run's time went (`layerlint check --timings`): phases, and each rule's share.

Figures, not a profile: enough for a user to see whether discovery, parsing, loading the facts
or one rule dominates on their project, and for the benchmark to print where the time goes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from layerlint.core.records import field, record


@record
class Timings:
    phases: dict[str, float] = field(default_factory=dict)  # name -> wall seconds, in order
    rules: dict[str, float] = field(default_factory=dict)  # code -> seconds in the process that ran it
    files: int = 0
    parsed: int = 0  # files parsed in this run (the others came from the cache)
    workers: int = 1  # processes the rules ran in
    from_cache: bool = False  # the findings were the stored ones
    # Per group of rules keyed alike (the whole analyses they read), the modules re-checked
    # because their key changed (the others' findings came from the cache).
    rechecked: dict[tuple[str, ...], int] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.perf_counter() - start

    def summary(self, slowest: int = 5) -> str:
        """Two lines for a person: the phases, then the slowest rules."""
        parts = [f"{name} {seconds:.2f} s" for name, seconds in self.phases.items()]
        parts.append(f"{self.files:,} files, {self.parsed:,} parsed")
        if self.from_cache:
            parts.append("findings from the cache")
        elif self.rules:
            parts.append(f"rules in {self.workers} process{'es' if self.workers > 1 else ''}")
        if self.rechecked:
            parts.append("re-checked " + ", ".join(f"{count:,} ({' '.join(group) or 'closure'})"
                                                   for group, count in self.rechecked.items()))
        lines = ["timings: " + " | ".join(parts)]
        if self.rules:
            ranked = sorted(self.rules.items(), key=lambda item: -item[1])[:slowest]
            lines.append("slowest rules: " + ", ".join(f"{code} {seconds:.2f} s" for code, seconds in ranked))
        return "\n".join(lines)
