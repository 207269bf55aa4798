"""## What it does
Reports a route handler (`@router.get/post/put/patch/delete/head/options/api_route` on an
`APIRouter` or `FastAPI` object) declared with plain `def`.

## Why is this bad?
FastAPI accepts `def` handlers, but runs each of them in a worker thread from a small pool
(40 threads by default) instead of on the event loop. In a codebase that is async everywhere
else, a `def` handler is usually an accident: its database and HTTP calls block a pool thread,
requests queue behind the pool under load, and the blocking I/O is hidden because the handler
looks like every other one. Keeping every handler `async def` keeps one concurrency model, so
a blocking call stands out (and LL603 can find it).

## Example
```python
@router.get("/{item_id}")
def get_item(item_id: str, session: ReadSession) -> ItemResponse:
    ...
```

## Use instead
```python
@router.get("/{item_id}")
async def get_item(item_id: str, session: ReadSession) -> ItemResponse:
    return await ItemService(session).get_item(item_id)
```

## Fix safety
`--fix --unsafe-fixes` turns the `def` into `async def`. The fix is unsafe: FastAPI then runs the
handler on the event loop instead of in its thread pool, so every blocking call left in the body
(a synchronous database session, `requests`, `time.sleep`) blocks all requests until it returns.
Apply it, then await the service and let LL603 find the blocking calls. A generator handler (a
streaming response) gets no fix: it would become an async generator.

## Severity
Warning: a plain `def` handler works (FastAPI runs it in a thread pool); it costs a thread per
request and cannot use the async session, which the style guide forbids, but it is not a defect.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule


@rule("LL201", "sync-route-handler", "A route handler is a plain def", __doc__, tags=("routes", "async"),
      severity=Severity.WARNING, scope=Scope.MODULE, analyses=("routes",))
def check(project: Project) -> Iterator[Finding]:
    reported: set[tuple[str, str]] = set()
    for handler in project.checked_handlers():
        key = (handler.module.module, handler.function.qualname)
        if handler.function.is_async or key in reported:
            continue
        reported.add(key)
        yield Finding(handler.module, handler.function.span,
                      f"route handler `{handler.function.name}` is a plain `def`, which FastAPI runs in its thread "
                      "pool (40 threads): it works, but mixed with async handlers it hides blocking I/O, and "
                      "requests queue once the pool is busy; make it `async def` and await the service")
