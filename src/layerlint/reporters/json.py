"""A JSON list of diagnostic objects (code, name, message, path, line, column, end_line, ...)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from layerlint.core.diagnostic import Diagnostic


def render(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps([d.as_dict() for d in diagnostics], indent=2)
