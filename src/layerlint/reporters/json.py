"""A JSON list of diagnostic objects (code, name, message, path, line, column, end_line, ..., and
ruff's `fix` object); with `--statistics`, a list of {code, name, count} instead (as ruff's JSON
statistics)."""

from __future__ import annotations

import json
from collections import Counter

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Fix
from layerlint.reporters.base import Report


def json_object(diagnostic: Diagnostic) -> dict[str, object]:
    where = diagnostic.location
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "path": diagnostic.path,
        "line": where.line,
        "column": where.column,
        "end_line": where.end_line,
        "end_column": where.end_column,
        "severity": diagnostic.severity.value,
        "fix": fix_object(diagnostic.fix),
    }


def fix_object(fix: Fix | None) -> dict[str, object] | None:
    """ruff's JSON `fix`: message, applicability and edits with 1-based rows and columns."""
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "message": fix.message,
        "edits": [{
            "content": edit.content,
            "location": {"row": edit.line, "column": edit.column + 1},
            "end_location": {"row": edit.end_line, "column": edit.end_column + 1},
        } for edit in fix.edits],
    }


def statistics(diagnostics: list[Diagnostic]) -> list[dict[str, object]]:
    counts = Counter((d.code, d.name) for d in diagnostics)
    return [{"code": code, "name": name, "count": count}
            for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


class JsonReporter:
    name = "json"
    shows_statistics = True
    carries_fixes = True  # each finding with its fix, as ruff\'s JSON

    def render(self, report: Report) -> str:
        if report.statistics:
            return json.dumps(statistics(list(report.diagnostics)), indent=2)
        return json.dumps([json_object(d) for d in report.diagnostics], indent=2)
