"""`path:line:col: CODE message`, sorted, then a summary; colour only on a terminal (see `color_wanted`).

The human formats (`text`, its alias `concise`, and `grouped`) share what surrounds the findings:
`--statistics` prints the table of counts in their place, `--quiet` leaves out the summary.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence

from layerlint.core.diagnostic import Diagnostic
from layerlint.reporters.base import Report

BOLD, RED, CYAN, RESET = "\033[1m", "\033[31m", "\033[36m", "\033[0m"


def color_wanted(choice: str, is_terminal: bool, environment: Mapping[str, str]) -> bool:
    """`--color always|never` wins; then NO_COLOR (no-color.org), then FORCE_COLOR (force-color.org),
    both only when set and not empty; else colour when the output is a terminal."""
    if choice != "auto":
        return choice == "always"
    if environment.get("NO_COLOR"):
        return False
    if environment.get("FORCE_COLOR"):
        return True
    return is_terminal


def painted(text: str, *styles: str, color: bool) -> str:
    return f"{''.join(styles)}{text}{RESET}" if color else text


def format_diagnostic(diagnostic: Diagnostic, color: bool = False) -> str:
    where = f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}:"
    if not color:  # written out: a line per finding, and a warm run prints thousands
        return f"{where} {diagnostic.code} {diagnostic.message}"
    return f"{painted(where, BOLD, color=True)} {painted(diagnostic.code, RED, BOLD, color=True)} {diagnostic.message}"


def summary(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    if not diagnostics:
        return f"All checks passed ({files_checked} files)."
    files = len({d.path for d in diagnostics})
    noun = "finding" if len(diagnostics) == 1 else "findings"
    return f"Found {len(diagnostics)} {noun} in {files} of {files_checked} files."


def statistics(diagnostics: Sequence[Diagnostic]) -> list[str]:
    """One row per code, most frequent first (as ruff's `--statistics`): count, code, name."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    return [f"{count:5d}  {code}  {name}"
            for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def human_output(report: Report, findings: Callable[[Report], list[str]], blocks: bool = False) -> str:
    """The findings as `findings` lays them out (or the statistics table), then the summary, after
    a blank line when what comes before it is in `blocks` (the table is)."""
    lines = statistics(report.diagnostics) if report.statistics else findings(report)
    if not report.quiet:
        gap = [""] if lines and (blocks or report.statistics) else []
        lines = [*lines, *gap, summary(report.diagnostics, report.files_checked)]
    return "\n".join(lines)


def one_line_each(report: Report) -> list[str]:
    return [format_diagnostic(d, report.color) for d in report.diagnostics]


class TextReporter:
    name = "text"
    shows_statistics = True

    def render(self, report: Report) -> str:
        return human_output(report, one_line_each)


class ConciseReporter(TextReporter):
    """ruff's name for one line per finding, which is layerlint's default."""

    name = "concise"
