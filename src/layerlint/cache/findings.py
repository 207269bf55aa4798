"""The findings store: `findings-K.json`, the findings of a run whose inputs (the configuration,
every path and facts digest) have the key K; the last 4 runs' are kept, so undoing an edit, or
switching back to a branch or a configuration, finds its findings still there.

Findings are a function of the configuration and every module's facts, nothing else (rules never
read source text), so they are keyed by a digest of each module's facts, not of its bytes: an
edit that leaves the facts as they were (a comment, a reflowed call, a docstring's wording) finds
the findings of the last run still valid once that one file is parsed again. Stored findings are
checked as strictly as they are written: a cache directory can come with a repository.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Sequence
from operator import attrgetter
from pathlib import Path
from typing import Any

from layerlint.cache.storage import CacheDirectory, own_source, run_digest
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic, ImportStep, Severity, restored
from layerlint.core.records import record
from layerlint.project.reading.discovery import SourceFile

KEPT_FINDINGS = 4
MAX_POSITION = 2**31  # no line or column of a real finding is larger


class Findings:
    def __init__(self, directory: CacheDirectory) -> None:
        self.directory = directory

    def key(self, config: Config, files: Sequence[SourceFile], digest_of: Callable[[str], str]) -> str:
        """All inputs of the findings: every module's path, name and facts digest."""
        lines = (f"{s.relative}\t{s.module}\t{s.is_package:d}\t{digest_of(s.relative)}"
                 for s in sorted(files, key=attrgetter("relative")))
        return run_digest(self.directory.key, config, lines)

    def _path(self, key: str) -> Path:
        assert self.directory.path is not None
        return self.directory.path / f"findings-{key[:24]}.json"

    def stored(self, key: str, files: Sequence[SourceFile]) -> StoredFindings | None:
        """The findings of a recent run made of exactly `key`'s inputs, if there was one. A
        stored path that is not one of this run's files, or a count that is not one, discards
        them all (entries are checked as decoded)."""
        if self.directory.path is None:
            return None
        path = self._path(key)
        document = self.directory.read(path.name)
        if document is None or document.get("findings_key") != key:
            return None
        by_path, suppressed = document.get("by_path"), document.get("suppressed")
        warnings, covered = document.get("warnings"), document.get("covered")
        if not isinstance(by_path, dict) or type(suppressed) is not int or suppressed < 0:
            return None
        if type(warnings) is not list or not all(type(warning) is str for warning in warnings):
            return None
        if covered is not None and not (type(covered) is list and all(type(path) is str for path in covered)):
            return None
        relatives = {source.relative for source in files}
        if not by_path.keys() <= relatives or (covered is not None and not set(covered) <= relatives):
            return None
        try:
            os.utime(path)  # recently used: kept longest
        except OSError:
            pass
        return StoredFindings(by_path, suppressed, tuple(warnings), None if covered is None else frozenset(covered))

    def save(self, key: str, diagnostics: list[Diagnostic], suppressed: int, warnings: Sequence[str] = (),
             covered: Collection[str] | None = None) -> None:
        """The findings of a run; with `covered`, of a run that checked those paths alone, whose
        findings are the only ones stored."""
        if not self.directory.writable():
            return
        by_path: dict[str, list[list[Any]]] = {}
        shown = None if covered is None else set(covered)
        for d in diagnostics:
            if shown is None or d.path in shown:
                by_path.setdefault(d.path, []).append(encode(d))
        document = {"findings_key": key, "suppressed": suppressed, "by_path": by_path, "warnings": list(warnings)}
        self.directory.write(self._path(key).name, document if covered is None else {**document, "covered": sorted(covered)})
        if not self.directory.write_failed:
            self._prune()
            self.directory.remove_stale_temporaries()

    def _prune(self) -> None:
        assert self.directory.path is not None
        try:
            stored = sorted(((p.stat().st_mtime_ns, p) for p in self.directory.path.glob("findings-*.json")),
                            reverse=True)
            for _, path in stored[KEPT_FINDINGS:]:
                path.unlink()
        except OSError:  # a concurrent run pruned first
            pass


@record(frozen=True)
class StoredFindings:
    """Findings as stored, by path: a run about one file decodes that file's findings only."""

    by_path: dict[str, Any]
    suppressed: int
    warnings: tuple[str, ...] = ()  # found with the findings, so a run answered from the cache warns too
    covered: frozenset[str] | None = None  # the paths a run of some paths checked; None: every path

    def paths(self) -> list[str]:
        return list(self.by_path)

    def covers(self, paths: Collection[str] | None) -> bool:
        """Whether these findings answer for `paths` (None: for the whole project)."""
        return self.covered is None or (paths is not None and self.covered.issuperset(paths))

    def for_path(self, path: str) -> list[Diagnostic] | None:
        """None when the stored entry is not what this version writes (a tampered file)."""
        items = self.by_path.get(path, [])
        if type(items) is not list:
            return None
        rules = own_source()[1]
        try:
            return [decode(path, item, rules) for item in items]
        except (TypeError, ValueError):
            return None


def encode(d: Diagnostic) -> list[Any]:
    location = d.location
    chain = [[step.importer, step.imported, step.line] for step in d.chain]
    return [location.line, location.column, location.end_line, location.end_column, d.code, d.name, d.message,
            d.severity.value, chain]


def decode(path: str, item: list[Any], rules: dict[str, str]) -> Diagnostic:
    """A stored finding, checked as strictly as it is written: a line of 1.5 or 10**30 would be
    printed as it is, a string would break the sort, an unknown code would be reported."""
    if type(item) is not list:
        raise TypeError("not a stored finding")
    line, column, end_line, end_column, code, name, message, severity, chain = item
    # Written out, not a loop over the four: a warm run decodes every finding it prints.
    if not (type(line) is int and type(column) is int and type(end_line) is int and type(end_column) is int
            and 0 <= line < MAX_POSITION and 0 <= column < MAX_POSITION and 0 <= end_line < MAX_POSITION
            and 0 <= end_column < MAX_POSITION):
        raise ValueError("not a position")
    if type(code) is not str or rules.get(code) != name or type(message) is not str:
        raise ValueError("not a finding of a known rule")
    if type(chain) is not list or (chain and not all(map(_import_step, chain))):
        raise ValueError("not an import chain")
    level = _SEVERITIES.get(severity)  # a list here raises TypeError, as a bad entry should
    if level is None:
        raise ValueError("not a severity")
    steps = tuple(ImportStep(importer, imported, number) for importer, imported, number in chain) if chain else ()
    return restored(path, line, column, end_line, end_column, code, name, message, level, steps)


_SEVERITIES = {level.value: level for level in Severity}


def _position(value: Any) -> bool:
    return type(value) is int and 0 <= value < MAX_POSITION


def _import_step(step: Any) -> bool:
    """[importer, imported, line], as LL102's chain is stored."""
    return (type(step) is list and len(step) == 3 and type(step[0]) is str and type(step[1]) is str
            and _position(step[2]))
