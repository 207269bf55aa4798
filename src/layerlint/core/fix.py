"""A finding's fix: text edits and how far they can be trusted (ruff's applicability).

A fix is a value: it says what to replace in the file the finding is about, never how it was
found. The fixers (layerlint.fixers) make them; `layerlint.fixing` applies them; the reporters
print them. Positions follow ruff's edits: lines 1-based, columns 0-based and counted in
characters, end exclusive.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from enum import Enum

from layerlint.core.records import record

# Python's own line ends (the tokenizer's): not str.splitlines, which also breaks at \f, \v, \x1c...
_LINE_END = re.compile(r"\r\n|\r|\n")


class Applicability(str, Enum):
    """ruff's three levels: what `--fix` applies, what needs `--unsafe-fixes`, what is only shown."""

    SAFE = "safe"  # the program means the same after the fix
    UNSAFE = "unsafe"  # valid code, but behaviour (or a contract) may change: opt in
    DISPLAY_ONLY = "display-only"  # a suggestion a human must complete; never applied


@record(frozen=True, order=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) by `content`. An empty
    range inserts; an empty `content` deletes."""

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    def overlaps(self, other: Edit) -> bool:
        """Whether the two cannot both be applied: their ranges share text, or both insert at one point."""
        start, end = (self.line, self.column), (self.end_line, self.end_column)
        other_start, other_end = (other.line, other.column), (other.end_line, other.end_column)
        if start == end == other_start == other_end:
            return True
        return start < other_end and other_start < end


@record(frozen=True)
class Fix:
    message: str  # what the fix does, shown with the finding: "Add `-> None`"
    applicability: Applicability
    edits: tuple[Edit, ...]

    def applies(self, unsafe: bool) -> bool:
        """Whether `--fix` (with `--unsafe-fixes` when `unsafe`) applies it."""
        if self.applicability is Applicability.DISPLAY_ONLY or not self.edits:
            return False
        return unsafe or self.applicability is Applicability.SAFE

    def overlaps(self, other: Fix) -> bool:
        return any(mine.overlaps(theirs) for mine in self.edits for theirs in other.edits)


class LineIndex:
    """Offsets of a text's lines, to turn (line, column) into a string index and back."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _LINE_END.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        if line > len(self.starts):  # just past the last line end
            return len(self.text)
        return min(self.starts[line - 1] + column, len(self.text))

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1]


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """`text` with every edit applied; the edits must not overlap (their positions refer to `text`)."""
    index = LineIndex(text)
    pieces: list[str] = []
    done = 0
    for edit in sorted(edits):
        start, end = index.offset(edit.line, edit.column), index.offset(edit.end_line, edit.end_column)
        if start < done:
            raise ValueError(f"overlapping edits at line {edit.line}")
        pieces += [text[done:start], edit.content]
        done = end
    pieces.append(text[done:])
    return "".join(pieces)


def edits_between(before: str, after: str) -> tuple[Edit, ...]:
    """The smallest edits, hunk by hunk, that turn `before` into `after`: a fixer rewrites a tree and
    the fix keeps only what changed, so fixes of one file rarely overlap."""
    import difflib

    old_lines, new_lines = before.splitlines(keepends=True), after.splitlines(keepends=True)
    old_starts, new_starts = _starts(old_lines), _starts(new_lines)
    index = LineIndex(before)
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        start, end = old_starts[i1], old_starts[i2]
        new_start, new_end = new_starts[j1], new_starts[j2]
        prefix = _common_prefix(before[start:end], after[new_start:new_end])
        suffix = _common_prefix(before[start + prefix:end][::-1], after[new_start + prefix:new_end][::-1])
        (line, column), (end_line, end_column) = index.position(start + prefix), index.position(end - suffix)
        edits.append(Edit(line, column, end_line, end_column, after[new_start + prefix:new_end - suffix]))
    return tuple(edits)


def _starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _common_prefix(first: str, second: str) -> int:
    size = 0
    for a, b in zip(first, second):
        if a != b:
            break
        size += 1
    return size
