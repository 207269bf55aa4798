"""## What it does
Reports a router or service that creates its own database session (calls the session factory,
`sessionmaker(...)`, or `AsyncSession(engine)`, or a project function that opens one and hands it
out, in a router: `async with get_db_context() as db`, where `get_db_context` is an
`@asynccontextmanager` yielding a session it opened) instead of receiving one through
`Depends(...)`. Calling such a function with a session to reuse (`get_db_context(db)`) is not
creating one. In a service such a function is not reported: services also hold the jobs a
scheduler runs outside any request (mealie's `services/scheduler/tasks`), which have no
dependency to receive a session from; a factory called by name still is.
The session dependencies themselves, and modules outside the router and service layers, may
create sessions: that is their job. So may a function the module runs after the response or
beside it (`background_tasks.add_task(job, ...)`, `asyncio.create_task(job(...))`): the
request's session is closed by then. A service's constructor that opens a session and hands out
the service built with it, called in a router (`async with ItemService.with_session() as
service`), creates one as much as `async with get_db_context() as db` does, and so does a function
returning a session context manager (`return asynccontextmanager(get_session)()`).

## Why is this bad?
A session made by hand escapes the request's lifecycle: it is not closed when the request ends,
does not take part in the request's transaction, bypasses the read/write split, and cannot be
replaced in tests by overriding the dependency.

## Example
```python
@router.get("")
async def list_items() -> list[ItemResponse]:
    async with async_session() as session:
        return await ItemService(session).list_items()
```

## Use instead
```python
@router.get("")
async def list_items(session: ReadSession) -> list[ItemResponse]:
    return await ItemService(session).list_items()
```

## Options
- `sessions.factories`: the names of the project's session factories.
- `sessions.read` and `sessions.write`: the session dependencies, which may create sessions.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.symbols import Symbol
from layerlint.project.orm.sessions import dependency_kind, hands_out_holder, hands_out_session, opens_session
from layerlint.project.project import Project
from layerlint.project.reading.expr import Call, Name, call_args, calls_in, dotted, unawait
from layerlint.project.reading.facts import Event, FunctionFact, ModuleFacts
from layerlint.rules.base import Finding, Scope, rule


def _is_session_dependency(project: Project, facts: ModuleFacts, function: FunctionFact) -> bool:
    """One of the configured session dependencies: known from the configuration alone, so the
    rule reads nothing outside a module's closure (a per-module key decides it)."""
    config = project.config
    symbol = Symbol("function", facts.module, function.qualname)
    return dependency_kind(symbol, frozenset(config.read_sessions), frozenset(config.write_sessions)) is not None


def _sessions_made(project: Project, module: str, function: FunctionFact, factories: frozenset[str],
                   providers: bool) -> Iterator[tuple[Call, str]]:
    """Each statement's first call that makes a session, with the called name; with `providers`,
    also a call of a project function that opens one and hands it out."""
    for event in function.events:
        for call in calls_in(event.value):
            made = opens_session(project.index, module, call.func, factories) or (
                hands_out_session(project, module, call) if providers else None) or (
                hands_out_holder(project, module, call) if providers and entered(event, call) else None)
            if made:
                yield call, made
                break


def _background_jobs(facts: ModuleFacts) -> frozenset[str]:
    """Functions of the module it runs after the response or beside it, where no request's
    session is left to receive: `background_tasks.add_task(job, ...)`, `asyncio.create_task(job(...))`."""
    jobs: set[str] = set()
    for event in (*facts.events, *(e for f in facts.functions for e in f.events)):
        for call in calls_in(event.value):
            name = dotted(call.func) or ""
            arguments = call_args(call)
            if name.endswith("add_task") and arguments and isinstance(arguments[0], Name):
                jobs.add(arguments[0].id)
            elif name.rsplit(".", 1)[-1] in ("create_task", "ensure_future") and arguments \
                    and isinstance(arguments[0], Call) and isinstance(arguments[0].func, Name):
                jobs.add(arguments[0].func.id)
    return frozenset(jobs)


def entered(event: Event, call: Call) -> bool:
    """`async with call as x`: what the statement enters (an object handed out with a session)."""
    return event.kind == "with" and unawait(event.value) is call


@rule("LL206", "session-without-depends", "A router or service creates its own session", __doc__,
      tags=("routes", "sessions"),
      scope=Scope.MODULE, analyses=("roles", "session_providers"),
      options=("sessions.factories", "sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    factories = frozenset(project.config.session_factories)
    for facts in project.checked("router", "service"):
        background: frozenset[str] | None = None  # read only in modules that make a session: few do
        for function in facts.functions:
            excused: bool | None = None  # asked only of functions that make a session: most do not
            providers = project.role(facts.module) == "router"
            for call, made in _sessions_made(project, facts.module, function, factories, providers):
                if excused is None:
                    background = _background_jobs(facts) if background is None else background
                    excused = function.qualname in background or _is_session_dependency(project, facts, function)
                if excused:
                    break
                yield Finding(facts, call.span, f"`{function.name}` creates its own session with "
                                              f"`{made}(...)`; receive it through `Depends(...)` "
                                              "(the read or write session dependency) instead")
