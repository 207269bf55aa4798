"""A JSON list of diagnostic objects (code, name, message, path, line, column, end_line, ...); with
`--statistics`, a list of {code, name, count} instead (as ruff's JSON statistics)."""

from __future__ import annotations

import json
from collections import Counter

from layerlint.core.diagnostic import Diagnostic
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
        # Kept for readers of the format (ruff's JSON has the same key): null until a rule can fix.
        "fix": None,
    }


def statistics(diagnostics: list[Diagnostic]) -> list[dict[str, object]]:
    counts = Counter((d.code, d.name) for d in diagnostics)
    return [{"code": code, "name": name, "count": count}
            for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


class JsonReporter:
    name = "json"
    shows_statistics = True

    def render(self, report: Report) -> str:
        if report.statistics:
            return json.dumps(statistics(list(report.diagnostics)), indent=2)
        return json.dumps([json_object(d) for d in report.diagnostics], indent=2)
