"""`path:line:col: CODE message`, sorted, then a summary; colour only on a terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from layerlint.core.diagnostic import Diagnostic
from layerlint.reporters.base import Report

_BOLD, _RED, _CYAN, _RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


def format_diagnostic(diagnostic: Diagnostic, color: bool = False) -> str:
    where = f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}:"
    if color:
        return f"{_BOLD}{where}{_RESET} {_RED}{_BOLD}{diagnostic.code}{_RESET} {diagnostic.message}"
    return f"{where} {diagnostic.code} {diagnostic.message}"


def summary(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    if not diagnostics:
        return f"All checks passed ({files_checked} files)."
    files = len({d.path for d in diagnostics})
    noun = "finding" if len(diagnostics) == 1 else "findings"
    return f"Found {len(diagnostics)} {noun} in {files} of {files_checked} files."


def statistics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    counts = Counter((d.code, d.name) for d in diagnostics)
    return [f"{count:5d}  {code}  {name}" for (code, name), count in sorted(counts.items())]


class TextReporter:
    name = "text"

    def render(self, report: Report) -> str:
        lines = [format_diagnostic(d, report.color) for d in report.diagnostics]
        if report.statistics:
            lines += ([""] if lines else []) + statistics(report.diagnostics)
        lines.append(summary(report.diagnostics, report.files_checked))
        return "\n".join(lines)
