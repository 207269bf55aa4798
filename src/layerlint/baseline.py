"""The baseline ratchet: findings recorded in a file are ignored, new ones fail, fixed ones show up stale.

An entry is (code, path, the offending line's text with whitespace collapsed, occurrence index
among the findings with the same code, path and text). Line numbers are left out on purpose:
code moved up or down a file, or lines added above it, still match. The same key, hashed, is
the SARIF `partialFingerprints` value, for the same reason. Findings may come from the cache, so
line texts are read from the files (or from the buffer that was checked in a file's place).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from layerlint.core.diagnostic import Diagnostic

FORMAT = "layerlint-baseline"
VERSION = 1


class BaselineError(Exception):
    """A baseline file that cannot be read: the CLI reports it as a usage error (exit 2)."""


@dataclass(frozen=True, order=True)
class BaselineEntry:
    code: str
    path: str
    text: str  # the offending line, whitespace collapsed
    occurrence: int  # 0 for the first finding with this code, path and text, 1 for the next...

    def fingerprint(self) -> str:
        key = "\0".join((self.code, self.path, self.text, str(self.occurrence)))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class BaselineOutcome:
    new: list[Diagnostic]  # not in the baseline: these fail the run
    matched: int  # findings the baseline ignores
    stale: list[BaselineEntry]  # entries that match nothing any more: the file can shrink


def normalize(line: str) -> str:
    return " ".join(line.split())


class SourceLines:
    """Lines of root-relative files, read once each; `overrides` are buffers checked in a file's place."""

    def __init__(self, root: Path, overrides: dict[str, bytes] | None = None) -> None:
        self.root = root
        self.overrides = overrides or {}
        self._lines: dict[str, list[str]] = {}

    def line(self, path: str, number: int) -> str:
        if path not in self._lines:
            self._lines[path] = self._read(path)
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else ""

    def _read(self, path: str) -> list[str]:
        data = self.overrides.get(path)
        if data is None:
            try:
                data = (self.root / path).read_bytes()
            except OSError:
                return []
        return data.decode("utf-8", "replace").splitlines()


def entries_for(diagnostics: Sequence[Diagnostic], lines: SourceLines) -> list[BaselineEntry]:
    """One entry per diagnostic, in the same order; occurrences count in line order."""
    seen: Counter[tuple[str, str, str]] = Counter()
    keyed: dict[int, BaselineEntry] = {}
    for index in sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key()):
        diagnostic = diagnostics[index]
        text = normalize(lines.line(diagnostic.path, diagnostic.line))
        group = (diagnostic.code, diagnostic.path, text)
        keyed[index] = BaselineEntry(diagnostic.code, diagnostic.path, text, seen[group])
        seen[group] += 1
    return [keyed[i] for i in range(len(diagnostics))]


def dumps(entries: Iterable[BaselineEntry]) -> str:
    """Sorted and indented, so a shrinking baseline makes a small, readable diff."""
    rows = [{"code": e.code, "path": e.path, "text": e.text, "occurrence": e.occurrence}
            for e in sorted(set(entries))]
    return json.dumps({"format": FORMAT, "version": VERSION, "entries": rows}, indent=2, ensure_ascii=False) + "\n"


def write(file: Path, entries: Iterable[BaselineEntry]) -> None:
    file.write_text(dumps(entries), "utf-8")


def read(file: Path) -> frozenset[BaselineEntry]:
    try:
        document = json.loads(file.read_text("utf-8"))
        if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
            raise BaselineError(f"{file}: not a layerlint baseline (version {VERSION})")
        return frozenset(BaselineEntry(str(row["code"]), str(row["path"]), str(row["text"]), int(row["occurrence"]))
                         for row in document["entries"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise BaselineError(f"{file}: cannot read the baseline: {error}") from error


def apply(baseline: frozenset[BaselineEntry], diagnostics: Sequence[Diagnostic], lines: SourceLines,
          in_scope: Callable[[str], bool] = lambda path: True) -> BaselineOutcome:
    """Split findings into new and baselined; entries whose path is `in_scope` (the checked paths,
    `engine.in_paths`) that match nothing are stale. Entries for other files are neither."""
    entries = entries_for(diagnostics, lines)
    new = [d for d, entry in zip(diagnostics, entries) if entry not in baseline]
    used = set(entries)
    stale = sorted(e for e in baseline if e not in used and in_scope(e.path))
    return BaselineOutcome(new, len(diagnostics) - len(new), stale)
