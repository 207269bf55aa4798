"""Fallbacks: work a function does only when the caller did not hand in its result.

`access_grants if access_grants is not None else await self._get_access_grants(id)`, `if user is
None: user = await repo.get(user_id)`, `rows or await repo.list()`: a caller that passes the
parameter skips the work. The usual fix of an N+1 loop looks like this (fetch everything once,
pass each item its share), so a rule following a helper's body asks what the call passes.
"""

from __future__ import annotations

from layerlint.project.reading.expr import (
    BoolOp,
    Call,
    Compare,
    Constant,
    Expr,
    IfExp,
    Name,
    UnaryOp,
    call_args,
    call_kwargs,
    walk,
)
from layerlint.project.reading.facts import Event, FunctionFact

_NONE = Constant(None)


def none_test(test: Expr | None) -> tuple[str, bool] | None:
    """`p is None` or `not p` -> (p, True): true when `p` was not given; `p is not None` or `p`
    -> (p, False)."""
    if isinstance(test, Compare) and len(test.ops) == 1 and isinstance(test.left, Name) \
            and test.comparators[0] == _NONE and test.ops[0] in ("is", "is not"):
        return test.left.id, test.ops[0] == "is"
    if isinstance(test, UnaryOp) and test.op == "not" and isinstance(test.operand, Name):
        return test.operand.id, True
    return (test.id, False) if isinstance(test, Name) else None


def fallback_nodes(expr: Expr | None) -> dict[int, str]:
    """The nodes of `expr` (by id) evaluated only when a name is None or empty, with that name:
    an `if`-expression's branch for it, the right side of `name or ...`."""
    found: dict[int, str] = {}
    for node in walk(expr):
        branch: Expr | None = None
        if isinstance(node, IfExp) and (tested := none_test(node.test)) is not None:
            name, branch = tested[0], node.body if tested[1] else node.orelse
        elif isinstance(node, BoolOp) and node.op == "or" and len(node.values) == 2 and isinstance(node.values[0], Name):
            name, branch = node.values[0].id, node.values[1]
        if branch is not None:
            found.update((id(inner), name) for inner in walk(branch))
    return found


def assigned_when_missing(events: list[Event], index: int) -> str | None:
    """The name event `index` fills in after a test that it is missing (`if user is None:` then
    `user = await repo.get(user_id)`): the statement runs only then."""
    event, before = events[index], events[index - 1] if index else None
    if before is None or before.kind != "test" or event.kind not in ("assign", "annassign"):
        return None
    tested = none_test(before.value)
    return tested[0] if tested is not None and tested[1] and event.target == Name(tested[0]) else None


def optional_parameters(function: FunctionFact) -> set[str]:
    """The parameters a caller may leave out, defaulting to None."""
    return {p.name for p in function.params if p.default == _NONE}


def passes(call: Call, function: FunctionFact, parameter: str) -> bool:
    """The call gives `function` a value for `parameter` other than None (by name or position;
    `self` and `cls` are not passed)."""
    given = call_kwargs(call).get(parameter)
    if given is None:
        positional = [p.name for p in function.params if p.kind in ("posonly", "arg")]
        if function.class_name is not None and positional[:1] in (["self"], ["cls"]):
            positional = positional[1:]
        arguments = call_args(call)
        at = positional.index(parameter) if parameter in positional else len(arguments)
        given = arguments[at] if at < len(arguments) else None
    return given is not None and given != _NONE
