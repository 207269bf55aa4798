"""## What it does
Reports a repository or service call awaited inside a `for`/`while` loop or a comprehension:
one query per item (N+1). The finding is at the awaited call and names the loop's line. The
receiver's type must resolve to a repository or service class (through `self._repository`,
a local built from a constructor, a parameter annotation...); other awaits are not reported.
An `async for` over a result stream is not N+1 by itself; awaiting a repository inside its
body is. Loops whose iterations are not items are not reported: over a literal (`for period in
("day", "week", "month")`), a fixed `range(3)`, batches (`range(0, len(ids), 500)`,
`itertools.batched(ids, 500)`), or a `while` loop that tests what the call returned (paging
through results with an offset or a cursor).

Writes that must happen one after the other (each depends on the previous, or the order is
part of the contract) are legitimate: silence them with `# noqa: LL602` on the reported line.

## Why is this bad?
Each iteration is a round trip to the database; a page of 50 items becomes 51 queries, and
latency grows with the data instead of staying flat.

## Example
```python
async def get_orders(self, ids: list[str]) -> list[OrderResponse]:
    orders = []
    for order_id in ids:
        orders.append(await self._repository.get_by_id(order_id))
    return [OrderResponse.model_validate(o) for o in orders]
```

## Use instead
```python
async def get_orders(self, ids: list[str]) -> list[OrderResponse]:
    orders = await self._repository.get_many(ids)  # one query: WHERE id IN (...)
    return [OrderResponse.model_validate(o) for o in orders]
```

## Severity
Warning: the results are right, only slow; some loops are short by design.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice, takewhile

from layerlint.core.diagnostic import Severity
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import TypeRef
from layerlint.project.project import Project
from layerlint.project.reading.expr import (
    Attribute,
    Await,
    Call,
    Comprehension,
    Constant,
    Expr,
    List,
    Name,
    Set,
    Tuple,
    call_args,
    render,
    walk,
)
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts
from layerlint.rules._layers import layer_of, types
from layerlint.rules.base import Finding, Scope, rule

BATCHING = frozenset({"itertools.batched", "more_itertools.chunked", "more_itertools.batched",
                      "more_itertools.ichunked", "more_itertools.sliced"})


def _not_per_item(project: Project, module: str, event: Event) -> bool:
    """A `for` whose iterations are not items: a literal (`for period in ("day", "week")`), a
    fixed `range(3)`, or batches (`range(0, n, size)`, `itertools.batched(ids, 100)`)."""
    value = event.value
    if event.kind != "for" or value is None:
        return False
    if isinstance(value, (List, Tuple, Set)):
        return True
    if not isinstance(value, Call):
        return False
    called = project.index.resolve_expr(module, value.func).dotted
    arguments = call_args(value)
    if called == "builtins.range":
        return len(arguments) == 3 or (len(arguments) == 1 and isinstance(arguments[0], Constant))
    return called in BATCHING


def _pagination_awaits(events: list[Event]) -> set[tuple[int, ...]]:
    """Awaits of a `while` loop whose result the loop tests (`batch = await repo.page(offset)`
    ... `if not batch: break`): fetching page after page, not one query per item."""
    skipped: set[tuple[int, ...]] = set()
    for index, header in enumerate(events):
        if header.kind != "test":
            continue
        body = list(takewhile(lambda e: e.loop > header.loop, islice(events, index + 1, None)))
        if not body or body[0].loop != header.loop + 1:
            continue
        tested = {n.id for e in (header, *body) if e.kind == "test" for n in walk(e.value) if isinstance(n, Name)}
        for event in body:  # `batch = await ...`, `rows = list(await ...)`
            if event.kind == "assign" and isinstance(event.target, Name) and event.target.id in tested:
                skipped |= {tuple(n.span) for n in walk(event.value) if isinstance(n, Await)}
    return skipped


def _loop_lines(project: Project, module: str, events: list[Event]) -> list[int]:
    """For each event, the line of its innermost enclosing loop over data (0 when none)."""
    headers: dict[int, int] = {}  # loop depth -> header line, 0 for a loop over a literal
    result: list[int] = []
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        enclosing = (headers.get(depth, 0) for depth in range(event.loop - 1, -1, -1))
        result.append(next((line for line in enclosing if line), 0))
        if following is not None and following.loop > event.loop and event.kind in ("for", "test"):
            headers[event.loop] = 0 if _not_per_item(project, module, event) else event.span.line
    return result


def _comprehension_awaits(expr: Expr | None) -> Iterator[Await]:
    """Awaits evaluated once per item of a comprehension (its element, conditions, inner loops)."""
    for node in walk(expr):
        if not isinstance(node, Comprehension):
            continue
        generators = node.generators
        per_item: list[Expr] = [*node.elts, *(g.iter for g in generators[1:])]
        per_item += [condition for g in generators for condition in g.ifs]
        for part in per_item:
            yield from (n for n in walk(part) if isinstance(n, Await))


class _Checker:
    def __init__(self, project: Project, facts: ModuleFacts, function: FunctionFact) -> None:
        self.project = project
        self.facts = facts
        self.function = function
        cls = Symbol("class", facts.module, function.class_name) if function.class_name else None
        self.cls = TypeRef(cls) if cls else None

    def layer_call(self, awaited: Await, line: int) -> str | None:
        call = awaited.value
        if not isinstance(call, Call) or not isinstance(call.func, Attribute) or call.func.value == Name("self"):
            return None  # a helper of the same class is not a layer call by itself
        receiver = types(self.project).expression(self.facts.module, self.function, call.func.value, self.cls, line)
        return layer_of(self.project, receiver.symbol) if receiver else None

    def findings(self) -> Iterator[tuple[Await, int]]:
        loops = _loop_lines(self.project, self.facts.module, self.function.events)
        pagination = _pagination_awaits(self.function.events)
        for event, loop_line in zip(self.function.events, loops):
            candidates: list[tuple[Await, int]] = []
            if loop_line:
                candidates += [(n, loop_line) for e in (event.value, event.target) for n in walk(e)
                               if isinstance(n, Await)]
            candidates += [(n, event.span.line) for n in _comprehension_awaits(event.value)]
            seen: set[tuple[int, ...]] = set()
            for awaited, line in candidates:
                if tuple(awaited.span) in pagination:
                    continue
                if tuple(awaited.span) not in seen and self.layer_call(awaited, event.span.line):
                    seen.add(tuple(awaited.span))
                    yield awaited, line


@rule("LL602", "await-in-loop", "A repository or service call is awaited in a loop (N+1)", __doc__,
      severity=Severity.WARNING, tags=("async", "performance"),
      scope=Scope.MODULE, analyses=("roles", "types"))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.modules.values():
        for function in facts.functions:
            if not function.is_async:
                continue
            for awaited, line in _Checker(project, facts, function).findings():
                call = awaited.value  # a method call: layer_call looked only at those
                called = call.func if isinstance(call, Call) else call
                yield Finding(facts, awaited.span, f"`{render(called)}(...)` is awaited once per item of the loop "
                                                 f"on line {line} (N+1 queries); fetch all items in one call")
