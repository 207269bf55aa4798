"""LL702: `-> None` on a function that never returns a value and is not a generator (safe)."""

from __future__ import annotations

import libcst as cst

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix
from layerlint.fixers.base import BodyOutcome, FixSite, decorator_names, outcome_of

# A declaration, not an implementation: `-> None` would be a wrong contract for what overrides it.
_DECLARATIONS = frozenset({"overload", "abstractmethod", "abstractproperty"})


def fix(site: FixSite, diagnostic: Diagnostic) -> Fix | None:
    function = site.function_at(diagnostic.line)
    if function is None or function.returns is not None or outcome_of(function) != BodyOutcome():
        return None
    if decorator_names(function) & _DECLARATIONS or is_stub(function):
        return None
    annotated = function.with_changes(returns=cst.Annotation(cst.Name("None")))
    return site.fix("Add return type annotation: `None`", Applicability.SAFE, function, annotated)


def is_stub(function: cst.FunctionDef) -> bool:
    """A body of `...` or `raise NotImplementedError` (after a docstring): a protocol or abstract
    method meant to be overridden, whose return type the annotation would fix wrongly."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else (function.body,)
    statements = [s for s in body if not _is_docstring(s)]
    return bool(statements) and all(_is_placeholder(s) for s in statements)


def _is_docstring(statement: cst.BaseStatement | cst.BaseSuite) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr) and isinstance(statement.body[0].value, cst.BaseString))


def _is_placeholder(statement: cst.BaseStatement | cst.BaseSuite) -> bool:
    small = statement.body if isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) else ()
    if not small:
        return False
    for part in small:
        if isinstance(part, cst.Expr) and isinstance(part.value, cst.Ellipsis):
            continue
        if isinstance(part, cst.Raise) and "NotImplementedError" in cst.Module([]).code_for_node(part):
            continue
        return False
    return True
