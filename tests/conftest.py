import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files parsed in this process (small projects are never sent to workers)."""
    from layerlint.project import loader

    parsed: list[str] = []
    original = loader.facts_from_bytes

    def counting(source: object, data: bytes) -> object:
        parsed.append(source.relative)  # type: ignore[attr-defined]
        return original(source, data)  # type: ignore[arg-type]

    monkeypatch.setattr(loader, "facts_from_bytes", counting)
    return parsed
