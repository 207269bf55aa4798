"""Fixes, after the findings: computed for the findings that have a fixer (only their files are
parsed, by libcst), and applied by `fix_project`.

Applying is careful: the edits of one file must not overlap (the rest wait for the next pass),
the result must parse, and a fix that makes a new finding of its own rule is taken back; passes
repeat until nothing changes (fixes may enable each other), at most `MAX_PASSES`. Files are
written only at the end, atomically, in their own encoding, BOM and line endings. Knows nothing
of any front end.
"""

from __future__ import annotations

import ast
import io
import os
import stat
import tempfile
import tokenize
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from layerlint import engine
from layerlint.core.config import Config
from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Fix, apply_edits
from layerlint.core.options import RunOptions
from layerlint.core.records import field, record
from layerlint.fixers import FIXERS, fixer_for
from layerlint.project.reading.discovery import read_source

if TYPE_CHECKING:
    from layerlint.live import LiveProject
    from layerlint.project.project import Project

MAX_PASSES = 10


@record(frozen=True)
class SourceText:
    """A file's text as Python reads it, and how to write it back byte for byte alike: the
    encoding (its cookie, or UTF-8) and the BOM; line endings are kept in the text itself."""

    text: str
    encoding: str

    @classmethod
    def decode(cls, raw: bytes) -> SourceText:
        encoding = tokenize.detect_encoding(io.BytesIO(raw).readline)[0]  # "utf-8-sig" with a BOM
        return cls(raw.decode(encoding), encoding)

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


@record(frozen=True)
class Checked:
    """One check's answer, as fixing needs it: the findings to fix (those reported), the project
    they are about (for the fixers that need more than syntax), and the count of files checked."""

    diagnostics: list[Diagnostic]
    project: Callable[[], Project]
    files_checked: int = 0


# The findings with the given texts (root-relative path -> bytes) laid over their files.
Check = Callable[[dict[str, bytes]], Checked]


class FixMemo:
    """Fixes already computed, by file text: a later pass asks again only about files it changed
    (the fixes of an unchanged file's unchanged findings are the ones computed before)."""

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], dict[Diagnostic, Diagnostic]] = {}

    def get(self, path: str, text: str, diagnostic: Diagnostic) -> Diagnostic | None:
        return self._known.get((path, text), {}).get(diagnostic)

    def put(self, path: str, text: str, diagnostic: Diagnostic, fixed: Diagnostic) -> None:
        self._known.setdefault((path, text), {})[diagnostic] = fixed


def with_fixes(config: Config, diagnostics: Sequence[Diagnostic], overrides: dict[str, bytes] | None = None,
               project: Callable[[], Project] | None = None, memo: FixMemo | None = None) -> list[Diagnostic]:
    """`diagnostics`, each with its fix when its rule has a fixer that is sure of one. Only files
    with such findings are read and parsed (none whose findings `memo` knows); an unreadable or
    unparsable file gets no fixes."""
    overrides = overrides or {}
    fixable = {d.path for d in diagnostics if d.code in FIXERS}
    if not fixable:
        return list(diagnostics)
    from layerlint.fixers.base import FixSite

    load_project = project or (lambda: engine.load_project(config, overrides))
    memo = memo or FixMemo()
    texts = {path: _read(config.root / path, overrides.get(path)) for path in sorted(fixable)}
    sites: dict[str, FixSite] = {}
    found: list[Diagnostic] = []
    for diagnostic in diagnostics:
        source = texts.get(diagnostic.path)
        if diagnostic.code not in FIXERS or source is None:
            found.append(diagnostic)
            continue
        known = memo.get(diagnostic.path, source.text, diagnostic)
        if known is None:
            site = sites.get(diagnostic.path) or sites.setdefault(
                diagnostic.path, FixSite(diagnostic.path, source.text, config, load_project))
            known = _with_fix(site, diagnostic)
            memo.put(diagnostic.path, source.text, diagnostic, known)
        found.append(known)
    return found


def _read(path: Path, override: bytes | None) -> SourceText | None:
    try:
        return SourceText.decode(override if override is not None else read_source(path))
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):  # LookupError: an unknown codec
        return None


def _with_fix(site: object, diagnostic: Diagnostic) -> Diagnostic:
    from libcst import ParserSyntaxError

    from layerlint.fixers.base import FixSite

    fixer = fixer_for(diagnostic.code)
    if fixer is None or not isinstance(site, FixSite):
        return diagnostic
    try:
        found = fixer(site, diagnostic)
    except ParserSyntaxError:  # LL001's file, or grammar libcst does not know
        return diagnostic
    return replace(diagnostic, fix=found) if found is not None else diagnostic


@record
class FixOutcome:
    """What a fix run did (or, with `write=False`, would do)."""

    original: dict[str, SourceText] = field(default_factory=dict)  # per changed path
    fixed_text: dict[str, str] = field(default_factory=dict)
    fixed: Counter[str] = field(default_factory=Counter)  # fixes applied, per rule code
    remaining: list[Diagnostic] = field(default_factory=list)  # findings after the fixes
    problems: list[str] = field(default_factory=list)  # files left untouched, and why
    written: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def fixed_count(self) -> int:
        return sum(self.fixed.values())

    def hidden_unsafe(self) -> int:
        """How many of the remaining findings `--unsafe-fixes` would fix."""
        return sum(1 for d in self.remaining if d.fix is not None and d.fix.applies(True) and not d.fix.applies(False))

    def changed(self) -> dict[str, tuple[str, str]]:
        """path: (text before, text after), for every file the fixes change."""
        return {path: (self.original[path].text, text) for path, text in self.fixed_text.items()
                if text != self.original[path].text}


def fix_project(config: Config, paths: Sequence[Path] = (), *, unsafe: bool = False, write: bool = True,
                options: RunOptions | None = None,
                reported: Callable[[list[Diagnostic], dict[str, bytes]], list[Diagnostic]] | None = None,
                buffers: dict[str, bytes] | None = None) -> FixOutcome:
    """Apply the fixes of the findings in `paths` (safe ones; unsafe ones too with `unsafe`), pass
    after pass, then write the changed files (unless `write` is false: --diff, stdin). Only the
    findings `reported` keeps are fixed (a baseline hides the others); `buffers` (standard input)
    stand in for their files, and are never written."""
    buffers = buffers or {}
    first = engine.check(config, paths, buffers, options=options)
    wanted = engine.in_paths(config, paths)
    live: list[LiveProject] = []  # made at the second check, from the first one's project

    def check(overrides: dict[str, bytes]) -> Checked:
        if overrides == buffers:
            found, project, files = first.diagnostics, lambda: first.project, first.files_checked
        else:  # a later pass: only the files the last pass changed are parsed again
            if not live:
                from layerlint.live import LiveProject

                live.append(LiveProject(config, options, project=first.project))
            by_path, built = live[0].snapshot(overrides)
            found = engine.with_severities(config, sorted(
                (d for path, shown in by_path.items() if wanted(path) for d in shown), key=Diagnostic.sort_key))
            project, files = lambda: built, first.files_checked
        return Checked(reported(found, overrides) if reported else found, project, files)

    outcome = fix_loop(config, check, buffers, unsafe=unsafe)
    if write:
        _write_all(config, outcome)
    return outcome


def fix_loop(config: Config, check: Check, buffers: dict[str, bytes], *, unsafe: bool) -> FixOutcome:
    """The fixes of what `check` finds, applied pass after pass until nothing changes (at most
    MAX_PASSES): every pass's result must parse and make no new finding of a rule it fixed, or
    that file's fixes of the pass are taken back. `buffers` stand in for their files (and are
    always handed to `check`); nothing is written."""
    outcome = FixOutcome()
    refused: set[str] = set()
    memo = FixMemo()

    def texts() -> dict[str, bytes]:
        return {**buffers, **_overrides(outcome)}

    checked = check(texts())
    for _ in range(MAX_PASSES):
        diagnostics = with_fixes(config, checked.diagnostics, texts(), checked.project, memo)
        applied = _apply_pass(config, diagnostics, unsafe, outcome, refused, buffers)
        if not applied:
            outcome.remaining = diagnostics
            break
        after = check(texts())
        undone = _take_back_new_findings(diagnostics, after.diagnostics, applied, outcome)
        if undone:
            refused |= undone
            after = check(texts())
        checked = after
        outcome.fixed.update(d.code for path, (_, fixes) in applied.items() if path not in undone for d in fixes)
    else:
        outcome.remaining = with_fixes(config, checked.diagnostics, texts(), checked.project, memo)
    outcome.files_checked = checked.files_checked
    return outcome


def fixes_in_buffer(live: LiveProject, relative: str, buffers: dict[str, bytes]) -> list[Diagnostic]:
    """The findings of the file at `relative` with `buffers` (an editor's) laid over their files,
    each with its fix computed against its buffer; computed once per check."""
    found, project = live.latest(buffers, [relative])
    held = live.fixed.get(relative)
    if held is None or held[0] is not found:
        held = (found, with_fixes(live.config, found.get(relative, []), buffers, lambda: project))
        live.fixed[relative] = held
    return held[1]


def fix_all_in_buffer(live: LiveProject, relative: str, buffers: dict[str, bytes]) -> tuple[str, str] | None:
    """The text of the file at `relative` before and after all its safe fixes, applied as `--fix`
    applies them (`fix_loop`); None when nothing changes."""
    def check(texts: dict[str, bytes]) -> Checked:
        found, project = live.latest(texts, [relative])
        return Checked(found.get(relative, []), lambda: project)

    return fix_loop(live.config, check, buffers, unsafe=False).changed().get(relative)


def _overrides(outcome: FixOutcome) -> dict[str, bytes]:
    return {path: outcome.original[path].encode(text) for path, text in outcome.fixed_text.items()}


def _apply_pass(config: Config, diagnostics: Sequence[Diagnostic], unsafe: bool, outcome: FixOutcome,
                refused: set[str], buffers: dict[str, bytes]) -> dict[str, tuple[str, list[Diagnostic]]]:
    """Apply, file by file, every fix that does not overlap an earlier one; per path, the text
    before and the findings whose fixes were applied."""
    by_path: dict[str, list[Diagnostic]] = {}
    for diagnostic in diagnostics:
        if diagnostic.fix is not None and diagnostic.fix.applies(unsafe) and diagnostic.path not in refused:
            by_path.setdefault(diagnostic.path, []).append(diagnostic)
    applied: dict[str, tuple[str, list[Diagnostic]]] = {}
    for path, fixable in by_path.items():
        if path not in outcome.original:
            source = _read(config.root / path, buffers.get(path))
            if source is None:
                continue
            outcome.original[path] = source
        before = outcome.fixed_text.get(path, outcome.original[path].text)
        chosen = _non_overlapping(fixable)
        after = apply_edits(before, [edit for d in chosen if d.fix for edit in d.fix.edits])
        if not _parses(after, before):
            outcome.problems.append(f"{path}: the fixes of {_codes(chosen)} would not parse; left unchanged")
            refused.add(path)
            continue
        outcome.fixed_text[path] = after
        applied[path] = (before, chosen)
    return applied


def _non_overlapping(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    chosen: list[Diagnostic] = []
    taken: list[Fix] = []
    for diagnostic in diagnostics:
        assert diagnostic.fix is not None
        if not any(diagnostic.fix.overlaps(other) for other in taken):
            chosen.append(diagnostic)
            taken.append(diagnostic.fix)
    return chosen


def _parses(text: str, before: str) -> bool:
    """Whether the fixed text parses, by Python's parser; by libcst's when the text before did
    not parse with this Python either (a newer grammar the project is written in)."""
    try:
        ast.parse(text)
        return True
    except (SyntaxError, ValueError):
        pass
    try:
        ast.parse(before)
        return False
    except (SyntaxError, ValueError):
        import libcst

        try:
            libcst.parse_module(text)
            return True
        except libcst.ParserSyntaxError:
            return False


def _take_back_new_findings(before: Sequence[Diagnostic], after: Sequence[Diagnostic],
                            applied: dict[str, tuple[str, list[Diagnostic]]], outcome: FixOutcome) -> set[str]:
    """Undo this pass's fixes of any file where they made a finding of their own rule that was not
    there (a fixer's mistake must not turn into a loop or a worse file); the paths undone."""
    undone: set[str] = set()
    for path, (text_before, fixes) in applied.items():
        codes = {d.code for d in fixes}
        old = Counter((d.code, _subject(d.message)) for d in before if d.path == path and d.code in codes)
        new = Counter((d.code, _subject(d.message)) for d in after if d.path == path and d.code in codes)
        if new - old:
            created = ", ".join(sorted({code for code, _ in new - old}))
            outcome.problems.append(f"{path}: a fix made a new {created} finding; the file's fixes were taken back")
            outcome.fixed_text[path] = text_before
            undone.add(path)
    return undone


def _subject(message: str) -> str:
    """What a finding is about: the first name in backticks (`Item.created_at`), which a partial
    fix keeps while the rest of its message changes; the whole message when it names nothing."""
    parts = message.split("`")
    return parts[1] if len(parts) > 2 else message


def _codes(diagnostics: Sequence[Diagnostic]) -> str:
    return ", ".join(sorted({d.code for d in diagnostics}))


def _write_all(config: Config, outcome: FixOutcome) -> None:
    for path, (_, after) in outcome.changed().items():
        problem = write_fixed(config.root / path, outcome.original[path], after)
        if problem:
            outcome.problems.append(f"{path}: {problem}; left unchanged")
        else:
            outcome.written.append(path)


def write_fixed(path: Path, original: SourceText, text: str) -> str | None:
    """Write `text` over `path` atomically (a temporary file beside it, renamed into place), with
    the file's permissions; the problem when it cannot, and then the file is as it was."""
    try:
        if SourceText.decode(read_source(path)) != original:
            return "changed on disk while fixing"
        mode = stat.S_IMODE(os.stat(path).st_mode)
        if not mode & stat.S_IWUSR:  # checked, not tried: root may write anything
            return "read-only"
        write_atomically(path, original.encode(text), mode)
    except (OSError, SyntaxError, UnicodeError, LookupError) as error:
        return f"cannot be written ({error})"
    return None


def write_atomically(path: Path, data: bytes, mode: int) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".layerlint")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


@record
class NoqaOutcome:
    added: int = 0  # findings given a noqa comment
    written: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def add_noqa(config: Config, diagnostics: Sequence[Diagnostic]) -> NoqaOutcome:
    """`# noqa: CODE` on the line of every finding, merged with the noqa comments already there."""
    from layerlint.core.noqa import with_noqa

    outcome = NoqaOutcome()
    by_path: dict[str, dict[int, set[str]]] = {}
    for diagnostic in diagnostics:
        by_path.setdefault(diagnostic.path, {}).setdefault(diagnostic.line, set()).add(diagnostic.code)
    for path, codes_by_line in sorted(by_path.items()):
        source = _read(config.root / path, None)
        if source is None:
            outcome.problems.append(f"{path}: cannot be read; no noqa added")
            continue
        text, skipped = with_noqa(source.text, codes_by_line)
        for line in skipped:
            outcome.problems.append(f"{path}:{line}: no comment can end this line (inside a string or after a "
                                    f"backslash); {', '.join(sorted(codes_by_line[line]))} not suppressed")
        problem = write_fixed(config.root / path, source, text) if text != source.text else "unchanged"
        if problem is None:
            outcome.written.append(path)
            outcome.added += sum(len(codes) for line, codes in codes_by_line.items() if line not in skipped)
        elif problem != "unchanged":
            outcome.problems.append(f"{path}: {problem}; no noqa added")
    return outcome
