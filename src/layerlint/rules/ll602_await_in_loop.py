"""## What it does
Reports a repository or service call awaited inside a `for`/`while` loop or a comprehension:
one query per item (N+1). The finding is at the awaited call and names the loop's line. The
receiver's type must resolve to a repository or service class (through `self._repository`,
a local built from a constructor, a parameter annotation...); other awaits are not reported.
An `async for` over a result stream is not N+1 by itself; awaiting a repository inside its
body is. A loop over a literal (`for period in ("day", "week", "month")`) makes a fixed number
of calls and is not reported.

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
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.expr import Expr, render, walk
from layerlint.project.facts import Event, FunctionFact, ModuleFacts
from layerlint.project.project import Project
from layerlint.project.symbols import Symbol
from layerlint.project.types import TypeRef
from layerlint.rules._layers import layer_of, types
from layerlint.rules.base import Finding, rule


def _over_literal(event: Event) -> bool:
    """`for period in ("day", "week")`: a fixed number of calls, not one per row."""
    return event.kind == "for" and event.value is not None and event.value[0] in ("l", "t", "set")


def _loop_lines(events: list[Event]) -> list[int]:
    """For each event, the line of its innermost enclosing loop over data (0 when none)."""
    headers: dict[int, int] = {}  # loop depth -> header line, 0 for a loop over a literal
    result: list[int] = []
    for index, event in enumerate(events):
        following = events[index + 1] if index + 1 < len(events) else None
        enclosing = (headers.get(depth, 0) for depth in range(event.loop - 1, -1, -1))
        result.append(next((line for line in enclosing if line), 0))
        if following is not None and following.loop > event.loop and event.kind in ("for", "test"):
            headers[event.loop] = 0 if _over_literal(event) else event.span[0]
    return result


def _comprehension_awaits(expr: Expr | None) -> Iterator[Expr]:
    """Awaits evaluated once per item of a comprehension (its element, conditions, inner loops)."""
    for node in walk(expr):
        if node[0] != "comp":
            continue
        generators = node[2]
        per_item: list[Expr | None] = [*node[1], *(g[1] for g in generators[1:])]
        per_item += [condition for g in generators for condition in g[2]]
        for part in per_item:
            yield from (n for n in walk(part) if n[0] == "aw")


class _Checker:
    def __init__(self, project: Project, facts: ModuleFacts, function: FunctionFact) -> None:
        self.project = project
        self.facts = facts
        self.function = function
        cls = Symbol("class", facts.module, function.class_name) if function.class_name else None
        self.cls = TypeRef(cls) if cls else None

    def layer_call(self, awaited: Expr, line: int) -> str | None:
        call = awaited[1]
        if call is None or call[0] != "c" or call[1][0] != "a" or call[1][1] == ["n", "self"]:
            return None  # a helper of the same class is not a layer call by itself
        receiver = types(self.project).expression(self.facts.module, self.function, call[1][1], self.cls, line)
        layer = layer_of(self.project, receiver.symbol) if receiver else None
        return layer

    def findings(self) -> Iterator[tuple[Expr, int]]:
        loops = _loop_lines(self.function.events)
        for event, loop_line in zip(self.function.events, loops):
            candidates: list[tuple[Expr, int]] = []
            if loop_line:
                candidates += [(n, loop_line) for e in (event.value, event.target) for n in walk(e) if n[0] == "aw"]
            candidates += [(n, event.span[0]) for n in _comprehension_awaits(event.value)]
            seen: set[tuple[int, ...]] = set()
            for awaited, line in candidates:
                if tuple(awaited[2]) not in seen and self.layer_call(awaited, event.span[0]):
                    seen.add(tuple(awaited[2]))
                    yield awaited, line


@rule("LL602", "await-in-loop", "A repository or service call is awaited in a loop (N+1)", __doc__,
      tags=("async", "performance"))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.modules.values():
        for function in facts.functions:
            if not function.is_async:
                continue
            for awaited, line in _Checker(project, facts, function).findings():
                yield Finding(facts, awaited[2], f"`{render(awaited[1][1])}(...)` is awaited once per item of the loop "
                                                 f"on line {line} (N+1 queries); fetch all items in one call")
