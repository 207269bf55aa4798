"""Facts are read by name everywhere but in the module that knows their stored layout
(`project/reading/compact.py`, issue 12): a span's line is `span.line`, never `span[0]`."""

from __future__ import annotations

import re
from pathlib import Path

import layerlint

SRC = Path(layerlint.__file__).parent
ENCODING = SRC / "project" / "reading" / "compact.py"
POSITIONAL_SPAN = re.compile(r"\bspan\[\d\]|\.span\[")


def test_no_span_is_read_by_position_outside_the_encoding_module() -> None:
    found = [f"{path.relative_to(SRC)}:{number}" for path in SRC.rglob("*.py") if path != ENCODING
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if POSITIONAL_SPAN.search(line)]
    assert found == []
