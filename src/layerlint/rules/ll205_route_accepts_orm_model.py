"""## What it does
Reports a route handler parameter, read from the request body, whose type is a table model.

## Why is this bad?
Clients can then set every column, including `id`, `created_at`, `deleted_at` and foreign keys
(mass assignment), and the request schema changes whenever the table does.

## Example
```python
@router.post("", status_code=201)
async def create_item(item: Item, session: WriteSession) -> ItemResponse:
    ...
```

## Use instead
```python
@router.post("", status_code=201)
async def create_item(request: ItemCreateRequest, session: WriteSession) -> ItemResponse:
    ...
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.models import table_model_in
from layerlint.project.project import Project
from layerlint.project.routing.dependencies import is_body_parameter
from layerlint.rules._models import model_name
from layerlint.rules.base import Finding, Scope, rule


@rule("LL205", "route-accepts-orm-model", "A route takes a table model as its body", __doc__,
      tags=("routes", "dto"),
      scope=Scope.MODULE, analyses=("routes",))
def check(project: Project) -> Iterator[Finding]:
    for handler in project.checked_handlers():
        for param in handler.function.params:
            if not is_body_parameter(project, handler.module.module, param):
                continue
            model = table_model_in(project.index, handler.module.module, param.annotation)
            if model is not None:
                name = model_name(project, model)
                yield Finding(handler.module, param.span,
                              f"route `{handler.function.name}` reads its body `{param.name}` as table model "
                              f"`{name}`; accept a request DTO (e.g. `{name}CreateRequest`) with extra='forbid'")
