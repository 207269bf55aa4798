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

from layerlint.project.annotations import annotated_metadata, table_model_in
from layerlint.project.dependencies import shared_default
from layerlint.project.expr import Expr, dotted, is_call
from layerlint.project.project import Project
from layerlint.project.routes import route_table
from layerlint.rules.base import Finding, rule

NOT_BODY = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie"})


def _not_body(expr: Expr | None) -> bool:
    return is_call(expr) and (dotted(expr[1]) or "").rsplit(".", 1)[-1] in NOT_BODY  # type: ignore[index]


def _not_body_default(project: Project, module: str, default: Expr | None) -> bool:
    """`= Depends(...)`, or a name for one defined anywhere (`user: User = CurrentUser`)."""
    return _not_body(shared_default(project, module, default)[1])


@rule("LL205", "route-accepts-orm-model", "A route takes a table model as its body", __doc__,
      tags=("routes", "dto"))
def check(project: Project) -> Iterator[Finding]:
    for handler in route_table(project).handlers:
        for param in handler.function.params:
            metadata = annotated_metadata(project.index, handler.module.module, param.annotation)
            if _not_body_default(project, handler.module.module, param.default) or any(_not_body(m) for m in metadata):
                continue
            model = table_model_in(project.index, handler.module.module, param.annotation)
            if model is not None:
                name = model.name.rsplit(".", 1)[-1]
                yield Finding(handler.module, param.span,
                              f"route `{handler.function.name}` reads its body `{param.name}` as table model "
                              f"`{name}`; accept a request DTO (e.g. `{name}CreateRequest`) with extra='forbid'")
