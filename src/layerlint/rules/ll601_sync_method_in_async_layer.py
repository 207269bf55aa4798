"""## What it does
Reports a public method of a service or repository class that is a plain `def` although it
touches the session (`self.session`, a session parameter) or a repository attribute, and a
public module-level function of a service or repository module (a function-style layer) that
is a plain `def` although it uses a parameter annotated as an asynchronous session (`db:
AsyncSession`; an unannotated `db_session` may be a synchronous one, and is not judged).
Using means reading an attribute or calling a method of it; handing the session on to another
call is not. Properties, static and class methods (alternative constructors), private helpers
and methods working with a synchronous `Session` are not checked.

## Why is this bad?
With an `AsyncSession` every query is a coroutine: a plain `def` either cannot await it
(and returns an un-awaited coroutine), or uses a synchronous session that blocks the event
loop of every request served by the process.

## Example
```python
class ItemService:
    def list_items(self) -> list[ItemResponse]:
        items = self._repository.list_active()
        return [ItemResponse.model_validate(i) for i in items]
```

## Use instead
```python
class ItemService:
    async def list_items(self) -> list[ItemResponse]:
        items = await self._repository.list_active()
        return [ItemResponse.model_validate(i) for i in items]
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.session_types import is_session_type, is_sync_session_type
from layerlint.project.orm.sessions import FunctionSessions
from layerlint.project.project import Project
from layerlint.project.reading.expr import Attribute, Expr, Name, self_attribute
from layerlint.project.reading.facts import FunctionFact, ModuleFacts
from layerlint.rules._layers import (
    LAYER_ROLES,
    Method,
    decorated_with,
    expressions,
    methods,
    module_functions,
    types,
)
from layerlint.rules.base import Finding, Scope, rule

_NOT_CHECKED = ("property", "staticmethod", "classmethod", "cached_property", "setter", "overload",
                "abstractmethod")
def _session_used(project: Project, method: Method, sessions: FunctionSessions, receiver: Expr) -> str | None:
    """`receiver` as a session this method uses (an asynchronous one, or one of unknown kind)."""
    resolver = types(project)
    if isinstance(receiver, Name) and receiver.id in sessions.parameters:
        param = next(p for p in method.function.params if p.name == receiver.id)
        sync = is_sync_session_type(resolver.annotation(method.facts.module, param.annotation))
        return None if sync else receiver.id
    attribute = self_attribute(receiver)
    if attribute is None or sessions.attribute_key(attribute) is None:
        return None
    return None if is_sync_session_type(resolver.attribute(method.cls, attribute)) else f"self.{attribute}"


def _async_session_used(project: Project, facts: ModuleFacts, function: FunctionFact) -> str | None:
    """A parameter annotated as an asynchronous session that the function uses."""
    resolver = types(project)
    used = {expr.value.id for expr in expressions(function) if isinstance(expr, Attribute)
            and isinstance(expr.value, Name)}
    for param in function.params:
        found = resolver.annotation(facts.module, param.annotation) if param.name in used else None
        if is_session_type(found) and not is_sync_session_type(found):
            return param.name
    return None


def _touched(project: Project, method: Method) -> str | None:
    """A session or repository the method works with: an attribute or method of it, not just
    handing it on to someone else."""
    sessions = FunctionSessions(project, method.facts.module, method.function)
    for expr in expressions(method.function):
        if isinstance(expr, Attribute):
            used = _session_used(project, method, sessions, expr.value)
            if used is not None:
                return used
    return None


@rule("LL601", "sync-method-in-async-layer", "A service or repository method is sync but uses the session",
      __doc__, tags=("async",),
      scope=Scope.MODULE, analyses=("roles", "types"))
def check(project: Project) -> Iterator[Finding]:
    for method in methods(project, *LAYER_ROLES):
        function = method.function
        if function.is_async or not method.public or decorated_with(function, *_NOT_CHECKED):
            continue
        touched = _touched(project, method)
        if touched is not None:
            yield Finding(method.facts, function.span,
                          f"`{function.qualname}` uses `{touched}` but is a plain `def`; make it `async def` "
                          "and await the session or repository calls")
    for facts, function in module_functions(project, *LAYER_ROLES):
        if function.is_async or decorated_with(function, *_NOT_CHECKED):
            continue
        session = _async_session_used(project, facts, function)
        if session is not None:
            yield Finding(facts, function.span, f"`{function.qualname}` uses the asynchronous session `{session}` but "
                                                "is a plain `def`; make it `async def` and await the session calls")
