"""## What it does
Reports a public method of a service or repository class that is a plain `def` although it
touches the session (`self.session`, a session parameter) or a repository attribute.
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

from layerlint.project.orm.sessions import is_sync_session_type
from layerlint.project.project import Project
from layerlint.project.reading.expr import Attribute, Expr, Name
from layerlint.rules._layers import (
    LAYER_ROLES,
    Method,
    SessionKeys,
    decorated_with,
    expressions,
    methods,
    self_attribute,
    types,
)
from layerlint.rules.base import Finding, Scope, rule

_NOT_CHECKED = ("property", "staticmethod", "classmethod", "cached_property", "setter", "overload",
                "abstractmethod")
def _session_used(project: Project, method: Method, keys: SessionKeys, receiver: Expr) -> str | None:
    """`receiver` as a session this method uses (an asynchronous one, or one of unknown kind)."""
    resolver = types(project)
    if isinstance(receiver, Name) and receiver.id in keys.sessions:
        param = next(p for p in method.function.params if p.name == receiver.id)
        sync = is_sync_session_type(resolver.annotation(method.facts.module, param.annotation))
        return None if sync else receiver.id
    attribute = self_attribute(receiver)
    if attribute is None or keys.of_attribute(attribute) is None:
        return None
    return None if is_sync_session_type(resolver.attribute(method.cls, attribute)) else f"self.{attribute}"


def _touched(project: Project, method: Method) -> str | None:
    """A session or repository the method works with: an attribute or method of it, not just
    handing it on to someone else."""
    keys = SessionKeys(project, method)
    for expr in expressions(method.function):
        if isinstance(expr, Attribute):
            used = _session_used(project, method, keys, expr.value)
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
