"""## What it does
Reports a POST, PUT, PATCH or DELETE handler whose only session dependency is the read session.
Projects with a single session dependency (no read/write split) are not checked. The finding
points at the line to change: the parameter (or decorator dependency) that brings the read
session in, or the `def` when it comes from the router's own dependencies.

## Why is this bad?
A read session points at a replica, or at least outside the write transaction: the write
either fails on a read-only connection or, worse, succeeds on a connection nobody commits.

## Example
```python
@router.post("", status_code=201)
async def create_item(request: ItemCreateRequest, session: ReadSession) -> ItemResponse:
    ...
```

## Use instead
```python
@router.post("", status_code=201)
async def create_item(request: ItemCreateRequest, session: WriteSession) -> ItemResponse:
    ...
```

## Fix safety
As LL202's fix, the other way round: `--fix` swaps the read session named in the handler's own
parameters (`Depends(get_read_session)`, the `ReadSession` alias, `Annotated[...]`) for the
write one, with its import. Safe when the write one is importable from where the read one comes
from, unsafe when it is only a configured dotted path elsewhere; no fix through a service factory.

## Options
- `sessions.read` and `sessions.write`: the session dependencies, by name or dotted path.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.project import Project
from layerlint.project.routing.routes import WRITE_METHODS
from layerlint.rules.base import Finding, Scope, rule


@rule("LL203", "write-route-with-read-session", "A write route has only the read session", __doc__,
      tags=("routes", "sessions"),
      scope=Scope.MODULE, analyses=("session_split", "routes", "dependencies"),
      options=("sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    if not project.session_split:
        return
    for handler in project.checked_handlers():
        if not WRITE_METHODS.issuperset(handler.methods):
            continue  # a handler that also serves GET may legitimately read only
        uses = project.dependencies.handler_sessions(handler)
        kinds = {use.kind for use in uses}
        if kinds == {"read"}:
            method = next(m for m in handler.methods if m in WRITE_METHODS)
            origin = next((use.origin for use in uses if use.origin), None)
            yield Finding(handler.module, origin or handler.function.span,
                          f"{method} handler `{handler.function.name}` has only the read session (via "
                          f"{uses[0].render()}): a write through it reaches the replica or is never committed; "
                          f"use the write session dependency (a {method} that never writes: `# noqa: LL203`)")
