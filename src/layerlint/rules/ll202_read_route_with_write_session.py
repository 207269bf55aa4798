"""## What it does
Reports a GET, HEAD or OPTIONS handler that depends on the write session: directly through
`Depends(...)`, through an `Annotated` alias such as `WriteSession`, or through a dependency
function (a service factory, say) that itself depends on it. The message shows the dependency
path. Projects with a single session dependency (no read/write split) are not checked, nor are
handlers that also accept a write method (`api_route(..., methods=["GET", "POST"])`). The
finding points at the line to change: the handler's parameter (or its decorator's
`dependencies=[Depends(...)]` entry) that brings the write session in, one finding for each;
a write session that comes from the router's own dependencies is reported at the `def`.

## Why is this bad?
Reads sent to the primary take capacity from writes and defeat the read replica the project
pays for; a write session also opens a transaction a read does not need. The mistake hides
well: the handler's signature often shows only a service factory.

## Example
```python
def get_item_service(session: WriteSession) -> ItemService:
    return ItemService(session)

@router.get("/{item_id}")
async def get_item(item_id: str, service: ItemService = Depends(get_item_service)) -> ItemResponse:
    ...
```

## Use instead
```python
def get_item_reader(session: ReadSession) -> ItemService:
    return ItemService(session)

@router.get("/{item_id}")
async def get_item(item_id: str, service: ItemService = Depends(get_item_reader)) -> ItemResponse:
    ...
```

## Fix safety
`--fix` swaps the session dependency named in the handler's own parameters for the read one,
keeping the parameter's form: `Depends(get_write_session)` becomes `Depends(get_read_session)`,
the `WriteSession` alias becomes `ReadSession`, and `Annotated[..., Depends(...)]` keeps its
shape; the new name is imported. The other dependency is the one whose name says `read` where
this one says `write`. The fix is safe when that name is importable from the module the current
one is imported from (or defined beside it); unsafe when it is found only as a configured dotted
path in another module (`sessions.read`), since then it may be another database or engine
altogether. A session reached through a service factory or a router's dependencies gets no fix:
the factory is what to change, and other routes may share it.

## Options
- `sessions.read` and `sessions.write`: the session dependencies, by name or dotted path.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.project import Project
from layerlint.project.reading.facts import Span
from layerlint.project.routing.dependencies import SessionUse
from layerlint.project.routing.routes import READ_METHODS
from layerlint.rules.base import Finding, Scope, rule


@rule("LL202", "read-route-with-write-session", "A read route depends on the write session", __doc__,
      tags=("routes", "sessions"),
      scope=Scope.MODULE, analyses=("session_split", "routes", "dependencies"),
      options=("sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    if not project.session_split:
        return
    for handler in project.checked_handlers():
        if not READ_METHODS.issuperset(handler.methods):
            continue  # a handler that also takes POST (a form) may write
        writes = [use for use in project.dependencies.handler_sessions(handler) if use.kind == "write"]
        method = next((m for m in handler.methods if m in READ_METHODS), "GET")
        # One finding per parameter (or decorator dependency) that brings the write session in:
        # each is a line to change. A router's own dependencies have no line here: the `def`.
        by_origin: dict[Span | None, list[SessionUse]] = {}
        for use in writes:
            by_origin.setdefault(use.origin, []).append(use)
        for origin, uses in by_origin.items():
            shortest = min(uses, key=lambda use: len(use.path))
            yield Finding(handler.module, origin or handler.function.span,
                          f"{method} handler `{handler.function.name}` depends on the write session via "
                          f"{shortest.render()}; use the read session for reads")
