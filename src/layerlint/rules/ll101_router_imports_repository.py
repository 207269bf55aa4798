"""## What it does
Reports a router module that imports a repository module, or a name defined in one (any import
form, including imports inside functions and names re-exported through `__init__.py`). A DTO
(a pydantic model that is not a table model) imported from a module that also holds a
repository is not reported: a `models/chats.py` that defines `ChatResponse` beside the data-access
class `ChatTable` (and so is in the repository layer, as `layerlint roles` says) gives the router
its response type, and only `Chats` is the repository. Nor is an exception class (to catch) or a
constant (`DEFAULT_POOL_NAME = "default"`) imported from a repository module.

## Why is this bad?
Routers handle HTTP; repositories handle the database. A router that reaches past the service
layer puts data access and business rules in the HTTP layer, where they cannot be reused or
tested alone, and the layering the team agreed on erodes one shortcut at a time.

## Example
```python
# app/api/v1/routers/items.py
from app.domain.items.repository import ItemRepository
```

## Use instead
```python
# app/api/v1/routers/items.py
from app.domain.items.service import ItemService
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.imports import modules_reached
from layerlint.project.index.pydantic_models import is_dto
from layerlint.project.project import Project
from layerlint.project.reading.expr import Constant
from layerlint.project.reading.facts import ImportFact
from layerlint.rules.base import Finding, Scope, rule


_EXCEPTIONS = frozenset({"builtins.BaseException", "builtins.Exception"})


def _no_data_access(project: Project, item: ImportFact) -> bool:
    """A name from a repository module that gives the router no way to the database: a DTO
    (`ChatResponse` beside `ChatTable`), an exception class to catch, a constant."""
    index = project.index
    symbol = index.resolve_import(item)
    if symbol.kind == "class":
        return is_dto(index, symbol) or index.inherits_from(symbol, _EXCEPTIONS)
    assigned = index.assignment(symbol)
    return assigned is not None and isinstance(assigned.value, Constant)


@rule("LL101", "router-imports-repository", "A router imports a repository", __doc__, tags=("layers",),
      scope=Scope.MODULE, analyses=("roles",))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked("router"):
        reported: set[tuple[int, int]] = set()
        for item in facts.imports:
            key = (item.span.line, item.span.column)
            if key in reported or (item.kind == "from" and _no_data_access(project, item)):
                continue
            repositories = [m for m in modules_reached(project.index, item) if project.role(m) == "repository"]
            if repositories:
                reported.add(key)
                imported = f"`{item.name}` from `{repositories[-1]}`" if item.kind == "from" else f"`{repositories[-1]}`"
                yield Finding(facts, item.span, f"router imports repository {imported}; call a service instead "
                                                "(router -> service -> repository)")
