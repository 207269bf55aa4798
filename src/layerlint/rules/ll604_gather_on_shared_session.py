"""## What it does
Reports `asyncio.gather(...)`, or tasks created in one `asyncio.TaskGroup` (or a project subclass
of it; a task created in a loop inside the group is one per item), that run two or
more awaitables using the same `AsyncSession`: methods of `self` that touch `self.session`
(or a repository built from it), calls on repositories or services that share one session (a
session opened in the function counts), or calls that
are handed the same session. Awaitables that open their own session are fine.

This rule deliberately goes beyond the style guide: the guide's own dashboard example runs
`asyncio.gather` over four counting queries of one service, which share the service's session,
and is reported.

## Why is this bad?
An `AsyncSession` is not safe for use in concurrent tasks. The SQLAlchemy documentation
(*Asynchronous I/O (asyncio)*, section "Using AsyncSession with Concurrent Tasks") describes it
as a mutable, stateful object representing a single database transaction in progress, and
says that concurrent tasks, with APIs such as `asyncio.gather()`, should use a separate
`AsyncSession` per task. Sharing one fails at run time, usually only under load, with
"This session is provisioning a new connection; concurrent operations are not permitted"
(or `InvalidRequestError` / `IllegalStateChangeError`).
https://docs.sqlalchemy.org/en/20/orm/extensions/asyncio.html#using-asyncsession-with-concurrent-tasks

## Example
```python
async def get_dashboard(self) -> DashboardResponse:
    total, today = await asyncio.gather(
        self._repository.count(),
        self._repository.count_since(start_of_day()),
    )
    return DashboardResponse(total=total, today=today)
```

## Use instead
Await the queries one after the other on the shared session (they run on one connection
anyway):
```python
async def get_dashboard(self) -> DashboardResponse:
    total = await self._repository.count()
    today = await self._repository.count_since(start_of_day())
    return DashboardResponse(total=total, today=today)
```
or give every concurrent task its own session:
```python
async def _count_since(self, start: datetime | None) -> int:
    async with self._session_factory() as session:
        return await ItemRepository(session).count_since(start)

async def get_dashboard(self) -> DashboardResponse:
    total, today = await asyncio.gather(self._count_since(None), self._count_since(start_of_day()))
    return DashboardResponse(total=total, today=today)
```

## Options
- `sessions.factories`: a local opened from a session factory (`async with session_factory() as
  session`) is a session, and the tasks handed it, or a service built from it, share it.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.types import last_assignment
from layerlint.project.orm.sessions import FunctionSessions
from layerlint.project.project import Project
from layerlint.project.reading.expr import (
    Attribute,
    Await,
    Call,
    Comprehension,
    Expr,
    Name,
    Starred,
    Subscript,
    call_arguments,
    calls_in,
    dotted,
    render,
    self_attribute,
)
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts, Span
from layerlint.rules._layers import expressions
from layerlint.rules.base import Finding, Scope, rule

GATHER = frozenset({"asyncio.gather", "asyncio.tasks.gather"})
TASK_GROUPS = frozenset({"asyncio.TaskGroup", "asyncio.taskgroups.TaskGroup"})
MAX_DEPTH = 3


class _Sessions:
    """The session each awaitable of a method uses."""

    def __init__(self, project: Project, facts: ModuleFacts, function: FunctionFact) -> None:
        self.project = project
        self.function = function
        self.keys = FunctionSessions(project, facts.module, function)  # which session each expression is

    def of_awaitable(self, expr: Expr) -> str | None:
        found: Expr | None = expr.value if isinstance(expr, Await) else expr
        if isinstance(found, Name):  # `pg = self._count(session)` ... `gather(pg, tb)`
            assigned = last_assignment(self.function.events, found.id, 10**9)
            found = assigned.value if assigned is not None else None
        if not isinstance(found, Call):
            return None
        func = found.func
        if isinstance(func, Attribute) and func.value == Name("self"):
            return self._self_method(func.attr, 0)
        if isinstance(func, Attribute):
            key = self.keys.key(func.value)
            if key is not None:
                return key
        for arg in call_arguments(found):
            key = self.keys.key(arg)
            if key is not None:
                return key
        return None

    def _self_method(self, name: str, depth: int) -> str | None:
        """The session a method of `self` touches; None when it opens its own (or touches none)."""
        found = self.project.index.method(self.keys.owner.symbol, name)
        if found is None or depth > MAX_DEPTH:
            return None
        for expr in expressions(found[1]):
            attribute = self_attribute(expr)
            key = self.keys.attribute_key(attribute) if attribute is not None else None
            called = self_attribute(expr.func) if isinstance(expr, Call) else None
            if key is None and called is not None:
                key = self._self_method(called, depth + 1)
            if key is not None:
                return key
        return None


def _spread(args: list[Expr]) -> list[Expr]:
    """`gather(*[f(x) for x in xs])` runs `f(x)` once per item: count it twice."""
    result: list[Expr] = []
    for arg in args:
        if isinstance(arg, Starred) and isinstance(arg.value, Comprehension):
            result += [arg.value.elts[0]] * 2
        elif not isinstance(arg, Starred):
            result.append(arg)
    return result


Group = tuple[Span, list[Expr], str]


def _is_task_group(project: Project, facts: ModuleFacts, event: Event) -> bool:
    value, target = event.value, event.target
    if event.kind != "with" or not isinstance(value, Call) or not isinstance(target, Name):
        return False
    group = project.index.resolve_expr(facts.module, value.func)  # or a project subclass of one
    return group.dotted in TASK_GROUPS or (group.kind == "class" and project.index.inherits_from(group, TASK_GROUPS))


def _groups(project: Project, facts: ModuleFacts, function: FunctionFact) -> Iterator[Group]:
    """(span, awaitables, what) for each gather call and each TaskGroup."""
    groups: dict[str, tuple[Span, list[Expr], int, str]] = {}  # by name: span, tasks, loop depth, class
    for event in function.events:
        if _is_task_group(project, facts, event) and isinstance(event.target, Name) and isinstance(event.value, Call):
            written = dotted(event.value.func) or "asyncio.TaskGroup"
            groups[event.target.id] = (event.span, [], event.loop, written)
        for node in calls_in(event.value):
            name = dotted(node.func) or ""
            owner, _, attr = name.rpartition(".")
            if attr == "create_task" and owner in groups and node.args:
                # one per item of a loop inside the group: a task per item, as `gather(*[...])`
                groups[owner][1].extend([node.args[0]] * (2 if event.loop > groups[owner][2] else 1))
            elif project.index.resolve_expr(facts.module, node.func).dotted in GATHER:
                yield node.span, _spread(node.args), "`asyncio.gather(...)`"
    for span, tasks, _, written in groups.values():
        yield span, tasks, f"this `{written}`"


def _called(awaitable: Expr) -> str:
    """What an awaitable calls, for the message: `repo.count` for `repo.count(...)`, the operand of
    an await, attribute or subscript; "..." for anything else (`gather(items, orders)`)."""
    if isinstance(awaitable, Call):
        return render(awaitable.func)
    if isinstance(awaitable, (Await, Attribute, Subscript)):
        return render(awaitable.value)
    return "..."


@rule("LL604", "gather-on-shared-session", "Concurrent awaitables share one AsyncSession", __doc__,
      tags=("async", "sessions"),
      scope=Scope.MODULE, analyses=("roles", "types"), options=("sessions.factories",))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked():
        for function in facts.functions:
            if not function.is_async:
                continue
            sessions: _Sessions | None = None  # built for the few functions that gather
            for span, awaitables, what in _groups(project, facts, function):
                sessions = sessions or _Sessions(project, facts, function)
                by_key: dict[str, list[Expr]] = {}
                for awaitable in awaitables:
                    key = sessions.of_awaitable(awaitable)
                    if key is not None:
                        by_key.setdefault(key, []).append(awaitable)
                shared = next((items for items in by_key.values() if len(items) >= 2), None)
                if shared is not None:
                    names = ", ".join(dict.fromkeys(f"`{_called(a)}(...)`" for a in shared))
                    yield Finding(facts, span, f"{what} runs {names} concurrently on one AsyncSession, which "
                                               "SQLAlchemy forbids; await them one after the other or give "
                                               "each task its own session")
