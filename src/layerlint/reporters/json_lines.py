"""One JSON object per line per finding, the objects of `--format json` (ruff's `json-lines`):
a consumer reads findings as they come, line by line, without holding the whole list."""

from __future__ import annotations

import json

from layerlint.reporters.base import Report
from layerlint.reporters.json import json_object


class JsonLinesReporter:
    name = "json-lines"
    shows_statistics = False
    carries_fixes = True  # each finding with its fix, as ruff\'s JSON

    def render(self, report: Report) -> str:
        return "\n".join(json.dumps(json_object(d), separators=(",", ":")) for d in report.diagnostics)
