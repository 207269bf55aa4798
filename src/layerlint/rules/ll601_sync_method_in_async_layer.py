"""## What it does
Reports a public method of a service or repository class that is a plain `def` although it
touches the session (`self.session`, a session parameter) or a repository attribute.
Properties, static methods and private helpers are not checked.

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

from layerlint.project.project import Project
from layerlint.rules._layers import (
    LAYER_ROLES,
    Method,
    SessionKeys,
    decorated_with,
    expressions,
    methods,
)
from layerlint.rules.base import Finding, rule

_NOT_CHECKED = ("property", "staticmethod", "cached_property", "setter", "overload", "abstractmethod")


def _touched(project: Project, method: Method) -> str | None:
    keys = SessionKeys(project, method)
    for expr in expressions(method.function):
        if expr[0] == "a" and expr[1] == ["n", "self"] and keys.of_attribute(expr[2]) is not None:
            return f"self.{expr[2]}"
        if expr[0] == "n" and expr[1] in keys.sessions:
            return str(expr[1])
    return None


@rule("LL601", "sync-method-in-async-layer", "A service or repository method is sync but uses the session",
      __doc__, tags=("async",))
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
