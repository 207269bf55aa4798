"""Shared by LL701 and LL702: which functions and parameters need annotations, exactly as
ruff's flake8-annotations rules (ANN001-ANN003, ANN201-ANN206, `mypy-init-return = true`) decide.

- The first positional parameter of a method that is not a `@staticmethod` is skipped, whatever
  its name (it is `self` or `cls`); a method without positional parameters skips its first
  keyword-only one, as ruff does.
- An `@overload` stub is checked; the implementation right after overloads of the same name is
  not checked at all.
- `__init__` methods (not static) with at least one annotated parameter need no return type.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.reading.facts import FunctionFact, ModuleFacts, ParamFact
from layerlint.rules._layers import decorated_with


def _skipped_overload_implementations(facts: ModuleFacts) -> set[str]:
    skipped: set[str] = set()
    previous: FunctionFact | None = None
    for function in facts.functions:
        if (previous is not None and previous.name == function.name and previous.class_name == function.class_name
                and decorated_with(previous, "overload")):
            skipped.add(function.qualname)
        previous = function
    return skipped


def checked_functions(facts: ModuleFacts) -> Iterator[FunctionFact]:
    skipped = _skipped_overload_implementations(facts) if facts.functions else set()
    for function in facts.functions:
        if function.qualname not in skipped:
            yield function


def _is_method(function: FunctionFact) -> bool:
    return function.class_name is not None and function.qualname == f"{function.class_name}.{function.name}"


def checked_parameters(function: FunctionFact) -> list[ParamFact]:
    """Every parameter that ruff checks: all but the implicit first one of a method."""
    ordinary = [p for p in function.params if p.kind in ("posonly", "arg", "kwonly")]
    skip = ordinary[:1] if _is_method(function) and not decorated_with(function, "staticmethod") else []
    return [p for p in function.params if p not in skip]


def missing_parameters(function: FunctionFact) -> list[ParamFact]:
    return [p for p in checked_parameters(function) if p.annotation is None]


def needs_return_annotation(function: FunctionFact) -> bool:
    if function.returns is not None:
        return False
    if function.name == "__init__" and _is_method(function) and not decorated_with(function, "staticmethod"):
        return not any(p.annotation is not None for p in checked_parameters(function))
    return True
