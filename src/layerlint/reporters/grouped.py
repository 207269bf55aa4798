"""Findings grouped under their file (as ruff's `--output-format grouped`): the path once, then
`  line:col CODE message` for each of its findings, a blank line between files."""

from __future__ import annotations

from itertools import groupby

from layerlint.reporters.base import Report
from layerlint.reporters.text import BOLD, RED, human_output, painted


def by_file(report: Report) -> list[str]:
    lines: list[str] = []
    for path, found in groupby(report.diagnostics, key=lambda d: d.path):
        lines += [*([""] if lines else []), painted(f"{path}:", BOLD, color=report.color)]
        lines += [f"  {d.line}:{d.column} {painted(d.code, RED, BOLD, color=report.color)} {d.message}"
                  for d in found]
    return lines


class GroupedReporter:
    name = "grouped"
    shows_statistics = True

    def render(self, report: Report) -> str:
        return human_output(report, by_file, blocks=True)
