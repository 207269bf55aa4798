"""One home for session identity (issue 12): every rule asks `project/orm/sessions.py`'s
`FunctionSessions` which expressions are sessions and which session they are; no rule decides it
from the building blocks (parameter names, attribute names, annotations) itself."""

from __future__ import annotations

import ast
from pathlib import Path

import layerlint.rules

RULES = Path(layerlint.rules.__file__).parent
# What FunctionSessions is made of: a rule that imports one of these decides "is this a session"
# by a criterion of its own, which another rule then does not share.
BUILDING_BLOCKS = frozenset({
    "SESSION_NAMES", "session_parameters", "local_sessions", "is_session_receiver", "is_session_attribute",
    "is_session_annotation", "request_parameters",
})


def _imported_from_sessions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and node.module == "layerlint.project.orm.sessions" for alias in node.names}


def test_no_rule_decides_what_a_session_is_itself() -> None:
    found = {path.name: sorted(_imported_from_sessions(path) & BUILDING_BLOCKS) for path in RULES.glob("*.py")}
    assert {name: names for name, names in found.items() if names} == {}


def test_the_rules_that_ask_which_session_ask_function_sessions() -> None:
    for name in ("ll601_sync_method_in_async_layer.py", "ll604_gather_on_shared_session.py"):
        assert "FunctionSessions" in _imported_from_sessions(RULES / name), name
