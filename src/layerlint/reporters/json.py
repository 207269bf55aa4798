"""A JSON list of diagnostic objects (code, name, message, path, line, column, end_line, ...)."""

from __future__ import annotations

import json

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


class JsonReporter:
    name = "json"

    def render(self, report: Report) -> str:
        return json.dumps([json_object(d) for d in report.diagnostics], indent=2)
