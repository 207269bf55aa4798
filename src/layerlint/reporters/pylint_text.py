"""`path:line: [CODE] message`, the line pylint's parseable output gives and ruff's `pylint`
format prints, for tools that read pylint's output (editors' problem matchers, Jenkins' warnings)."""

from __future__ import annotations

from layerlint.reporters.base import Report


class PylintReporter:
    name = "pylint"
    shows_statistics = False

    def render(self, report: Report) -> str:
        return "\n".join(f"{d.path}:{d.location.line}: [{d.code}] {d.message}" for d in report.diagnostics)
