"""## What it does
Reports an `APIRouter` defined in a router module that no `include_router` call reaches: not
included in the app, nor in a router that is. The whole project is searched, so routers
registered in `main.py`, in an app factory or through a parent router all count. When no
module read defines or builds the `FastAPI` app (it is in a script beside the packages, which
discovery does not read: `backend/main.py` next to `backend/app/`), nothing is reported: what the
app includes is unknown. The names
of one chained assignment (`users_router = r = APIRouter()`) are one router, reported by the
first name.

## Why is this bad?
Its routes do not exist. Nothing fails: the endpoints just answer 404, and the tests that call
handlers directly keep passing.

## Example
```python
# app/api/v1/routers/items.py
router = APIRouter(prefix="/items")     # main.py never includes it
```

## Use instead
```python
# app/main.py
app.include_router(items.router, prefix="/api/v1")
```

## Severity
Warning: an unincluded router breaks nothing that runs; its routes are missing, which is a
defect only if they were meant to be served (or are included in a way layerlint cannot follow).
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.project import Project
from layerlint.project.routing.routes import is_registered
from layerlint.rules.base import Finding, Scope, rule


@rule("LL207", "router-not-registered", "A router is never included", __doc__, tags=("routes",),
      severity=Severity.WARNING, scope=Scope.PROJECT, analyses=("roles", "routes"))
def check(project: Project) -> Iterator[Finding]:
    table = project.routes
    if table.unresolved:
        return  # some include_router(x) cannot be followed: x might be any router
    if not any(router.is_app for router in table.routers.values()) and \
            not any(project.role(module) == "app" for module in project.modules):
        return  # the app is outside the modules read (a `main.py` beside the packages): what it serves is unknown
    for symbol, router in table.routers.items():
        if symbol != router.symbol:
            continue  # another name of the same router (`users_router = r = APIRouter()`)
        if router.is_app or project.role(router.symbol.module) != "router":
            continue
        if not is_registered(table, router):
            facts = project.modules[router.symbol.module]
            yield Finding(facts, router.span, f"router `{router.symbol.name}` is never passed to `include_router`: "
                                              "its routes are not served; include it in the app or a parent router")
