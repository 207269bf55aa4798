"""The style guide's model and repository templates, written exactly in its style, against LL3xx/LL4xx.

The guide's "Model Pattern" is clean. Its one-line "Quick Reference" template has no `updated_at`,
which RULES.md's LL304 requires: that one finding is the rule working as written, kept visible here.
"""

from __future__ import annotations

from harness import FIXTURES, run_fixture

TEMPLATES = FIXTURES / "guide" / "templates_models"
MODEL_CODES = ("LL301", "LL302", "LL303", "LL304", "LL305", "LL401", "LL402", "LL403")


def test_guide_model_and_repository_templates() -> None:
    found = [(d.path, d.line, d.code) for d in run_fixture(TEMPLATES, MODEL_CODES)]
    assert found == [("gadgets/domain/gizmo/model.py", 7, "LL304")], found
