"""The baseline ratchet: findings recorded in a file are ignored, new ones fail, fixed ones show up stale.

An entry is (code, path, subject, occurrence). The subject is what the finding is about: its
message, which names the symbol, the imported name or the call, with the line numbers it cites
and the reporting module's own name taken out. So edits that leave the finding as it was keep
its entry: lines added above it, code moved within the file, a name added to a flagged import,
an import or call reflowed over several lines (the old key, the flagged line's text, broke on
the last three). The occurrence tells apart findings with the same code, path and subject, in
line order. A file renamed (its old path gone, its new one unknown to the baseline) keeps its
entries: the new path is matched with the gone path whose entries its findings share most.

The same key, hashed, is the SARIF `partialFingerprints` value, for the same reasons. Version 1
files (keyed on the flagged line's text) still load and match as before; `layerlint baseline
--prune FILE` rewrites one in this form.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.records import record

FORMAT = "layerlint-baseline"
VERSION = 2
LINE_TEXT_VERSION = 1  # entries keyed on the flagged line's text
OWN_MODULE = "<module>"
# A line cited in a message (`app.utils.lookup:13 -> ...`, `(line 73)`, `on line 5`): it moves with
# every edit above it, in this file or another, and says nothing about what the finding is.
_CITED_LINE = re.compile(r"(?<=[\w>]):\d+\b|\b(line) \d+")


class BaselineError(Exception):
    """A baseline file that cannot be read: the CLI reports it as a usage error (exit 2)."""


@record(frozen=True, order=True)
class BaselineEntry:
    code: str
    path: str
    subject: str  # version 2: the normalized message; version 1: the flagged line, whitespace collapsed
    occurrence: int  # 0 for the first finding with this code, path and subject, 1 for the next...

    def fingerprint(self) -> str:
        key = "\0".join((self.code, self.path, self.subject, str(self.occurrence)))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]

    @property
    def what(self) -> tuple[str, str, int]:
        """The entry without its path: equal for a finding before and after its file is renamed."""
        return (self.code, self.subject, self.occurrence)


@record(frozen=True)
class Baseline:
    entries: frozenset[BaselineEntry]
    version: int = VERSION


@record(frozen=True)
class BaselineOutcome:
    new: list[Diagnostic]  # not in the baseline: these fail the run
    matched: list[Diagnostic]  # findings the baseline ignores
    stale: list[BaselineEntry]  # entries that match nothing any more: the file can shrink
    # The matched findings' entries in the current form, at their current paths: what `--prune`
    # keeps (occurrences counted among all findings, so a new one cannot take a fixed one's place).
    kept: list[BaselineEntry]


def normalize(line: str) -> str:
    return " ".join(line.split())


def subject_of(diagnostic: Diagnostic) -> str:
    """The message without cited line numbers, with the reporting module's name as OWN_MODULE."""
    text = _CITED_LINE.sub(lambda m: f"{m[1]} #" if m[1] else "", diagnostic.message)
    for name in _own_module_names(diagnostic.path):
        text = re.sub(rf"(?<![\w.]){re.escape(name)}(?![\w])", OWN_MODULE, text)
    return normalize(text)


def _own_module_names(path: str) -> list[str]:
    """Dotted names the file at `path` may have, longest first (the root may sit above the
    packages, `src/` or a `backend/` folder); at least two parts, so a bare `login` is left alone."""
    parts = path.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return [".".join(parts[start:]) for start in range(len(parts) - 1)]


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

    def exists(self, path: str) -> bool:
        return path in self.overrides or (self.root / path).exists()

    def _read(self, path: str) -> list[str]:
        data = self.overrides.get(path)
        if data is None:
            try:
                data = (self.root / path).read_bytes()
            except OSError:
                return []
        return data.decode("utf-8", "replace").splitlines()


def entries_for(diagnostics: Sequence[Diagnostic], lines: SourceLines | None = None,
                version: int = VERSION) -> list[BaselineEntry]:
    """One entry per diagnostic, in the same order; occurrences count in line order. `lines` is
    read only for a version 1 key."""
    def subject(diagnostic: Diagnostic) -> str:
        if version == LINE_TEXT_VERSION:
            assert lines is not None
            return normalize(lines.line(diagnostic.path, diagnostic.line))
        return subject_of(diagnostic)

    seen: Counter[tuple[str, str, str]] = Counter()
    keyed: dict[int, BaselineEntry] = {}
    for index in sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key()):
        diagnostic = diagnostics[index]
        group = (diagnostic.code, diagnostic.path, subject(diagnostic))
        keyed[index] = BaselineEntry(*group, seen[group])
        seen[group] += 1
    return [keyed[i] for i in range(len(diagnostics))]


def dumps(entries: Iterable[BaselineEntry]) -> str:
    """Sorted and indented, so a shrinking baseline makes a small, readable diff."""
    rows = [{"code": e.code, "path": e.path, "subject": e.subject, "occurrence": e.occurrence}
            for e in sorted(set(entries))]
    return json.dumps({"format": FORMAT, "version": VERSION, "entries": rows}, indent=2, ensure_ascii=False) + "\n"


def write(file: Path, entries: Iterable[BaselineEntry]) -> None:
    file.write_text(dumps(entries), "utf-8")


def read(file: Path) -> Baseline:
    try:
        document = json.loads(file.read_text("utf-8"))
        version = document.get("version") if isinstance(document, dict) else None
        if not isinstance(document, dict) or document.get("format") != FORMAT or version not in (1, VERSION):
            raise BaselineError(f"{file}: not a layerlint baseline (version {LINE_TEXT_VERSION} or {VERSION}); "
                                f"`layerlint baseline {file}` writes one of the current findings")
        field = "text" if version == LINE_TEXT_VERSION else "subject"
        return Baseline(frozenset(BaselineEntry(str(row["code"]), str(row["path"]), str(row[field]),
                                                int(row["occurrence"])) for row in document["entries"]), version)
    except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise BaselineError(f"{file}: cannot read the baseline: {error}") from error


def apply(baseline: Baseline, diagnostics: Sequence[Diagnostic], lines: SourceLines,
          in_scope: Callable[[str], bool] = lambda path: True) -> BaselineOutcome:
    """Split findings into new and baselined; entries whose path is `in_scope` (the checked paths,
    `engine.in_paths`) that match nothing are stale. Entries for other files are neither."""
    current = entries_for(diagnostics)
    recorded = baseline.entries
    if baseline.version == LINE_TEXT_VERSION:
        entries = entries_for(diagnostics, lines, LINE_TEXT_VERSION)
    else:
        entries = _renames_undone(current, recorded, lines)
    known = [entry in recorded for entry in entries]
    used = set(entries)
    stale = sorted(e for e in recorded if e not in used and in_scope(e.path))
    new = [d for d, k in zip(diagnostics, known) if not k]
    matched = [d for d, k in zip(diagnostics, known) if k]
    return BaselineOutcome(new, matched, stale, [e for e, k in zip(current, known) if k])


def pruned(baseline: Baseline, outcome: BaselineOutcome, in_scope: Callable[[str], bool]) -> list[BaselineEntry]:
    """The entries `layerlint baseline --prune` writes: the matched findings' (in the current form,
    at their current paths) and those of files outside the checked paths, as they were."""
    outside = [e for e in baseline.entries if not in_scope(e.path)]
    if outside and baseline.version == LINE_TEXT_VERSION:
        raise BaselineError("a version 1 baseline is rewritten in the current form by pruning it over the whole "
                            "project: run `layerlint baseline --prune FILE` without paths")
    return outcome.kept + outside


def _renames_undone(entries: list[BaselineEntry], recorded: frozenset[BaselineEntry],
                    lines: SourceLines) -> list[BaselineEntry]:
    """`entries`, those of a renamed file under the path the baseline knows it by. A path is a
    rename's target when the baseline names no finding there; its source is the gone path (no
    file any more) whose unmatched entries share the most of its findings' code, subject and
    occurrence."""
    known_paths = {e.path for e in recorded}
    unmatched = [e for e in entries if e not in recorded and e.path not in known_paths]
    gone: dict[str, set[tuple[str, str, int]]] = {}
    for entry in recorded - set(entries):
        if not lines.exists(entry.path):
            gone.setdefault(entry.path, set()).add(entry.what)
    renamed: dict[str, str] = {}
    for path in sorted({e.path for e in unmatched}):
        found = {e.what for e in unmatched if e.path == path}
        shared, source = max(((len(found & whats), old) for old, whats in gone.items()
                              if old not in renamed.values()), default=(0, ""))
        if shared:
            renamed[path] = source
    return [replace(e, path=renamed[e.path]) if e.path in renamed else e for e in entries]
