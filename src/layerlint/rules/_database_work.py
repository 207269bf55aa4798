"""Shared by LL104 and LL105: find database work done in a function."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from layerlint.project.index.symbols import SymbolIndex
from layerlint.project.orm.sessions import (
    is_session_receiver,
    session_parameters,
    statement_builder,
)
from layerlint.project.reading.expr import Attribute, Expr, calls_in, dotted, render
from layerlint.project.reading.facts import FunctionFact, ModuleFacts, Span


@dataclass(frozen=True)
class DatabaseWork:
    span: Span
    what: str  # readable: "select(...)" or "session.execute(...)"


def database_work(index: SymbolIndex, facts: ModuleFacts, function: FunctionFact,
                  methods: frozenset[str]) -> Iterator[DatabaseWork]:
    """The first piece of database work in each statement: one finding per statement."""
    sessions = session_parameters(index, facts.module, function)
    for event in function.events:
        work = _first_work(index, facts.module, (event.value, event.target), sessions, methods)
        if work is not None:
            yield work


def _first_work(index: SymbolIndex, module: str, exprs: tuple[Expr | None, ...], sessions: set[str],
                methods: frozenset[str]) -> DatabaseWork | None:
    for expr in exprs:
        for call in calls_in(expr):
            func = call.func
            builder = statement_builder(index, module, func)
            if builder is not None:
                return DatabaseWork(call.span, f"a `{builder}(...)` statement")
            if isinstance(func, Attribute) and func.attr in methods and is_session_receiver(func.value, sessions):
                return DatabaseWork(call.span, f"`{dotted(func) or render(func)}(...)`")
    return None
