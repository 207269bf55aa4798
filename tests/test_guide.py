"""Code written exactly as the style guide's templates gives no finding, with every rule on."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness import FIXTURES, run_fixture

REPO = Path(__file__).parent.parent
GUIDE_PROJECTS = [FIXTURES / "guide" / "widgets_app", REPO / "examples" / "shop"]


@pytest.mark.parametrize("root", GUIDE_PROJECTS, ids=lambda p: p.name)
def test_style_guide_code_is_clean(root: Path) -> None:
    diagnostics = run_fixture(root, None)
    assert not diagnostics, "\n".join(f"{d.path}:{d.line}: {d.code} {d.message}" for d in diagnostics)
