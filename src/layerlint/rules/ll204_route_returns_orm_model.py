"""## What it does
Reports a route handler whose return annotation or `response_model` is a table model, also
inside `list[...]`, `Optional[...]`, `Sequence[...]`, `X | None` or a page type like
`Page[Item]`. The finding points at the `response_model=` keyword when that is the cause,
otherwise at the return annotation (on a signature spread over lines, the line to edit).

A handler annotated with a table model and given a DTO as `response_model` (`-> Item` with
`response_model=ItemResponse`) is not reported: FastAPI validates and serialises what the handler
returns through `response_model`, so the DTO is the API contract and the annotation only types
the function (the guide's point, a contract independent of the table, holds). With
`response_model=None` FastAPI serialises the returned object as it is, so `-> Item` is reported.

## Why is this bad?
The table model becomes the API contract: every column (internal flags, `deleted_at`, foreign
keys) is serialised, lazy relationships load during serialisation, and a schema migration
silently changes the API.

## Example
```python
@router.get("/{item_id}")
async def get_item(item_id: str, session: ReadSession) -> Item:
    ...
```

## Use instead
```python
@router.get("/{item_id}")
async def get_item(item_id: str, session: ReadSession) -> ItemResponse:
    ...
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.models import table_model_in
from layerlint.project.project import Project
from layerlint.project.reading.expr import Constant
from layerlint.rules._models import model_name
from layerlint.rules.base import Finding, Scope, rule


@rule("LL204", "route-returns-orm-model", "A route returns a table model", __doc__, tags=("routes", "dto"),
      scope=Scope.MODULE, analyses=("routes",))
def check(project: Project) -> Iterator[Finding]:
    for handler in project.checked_handlers():
        module = handler.module.module
        declared = handler.response_model
        if declared == Constant(None):
            declared = None  # response_model=None: the returned object is encoded as it is
        model = table_model_in(project.index, module, declared)
        span = handler.response_model_span
        what = "response_model"
        if model is None and declared is None:
            model = table_model_in(project.index, module, handler.function.returns)
            span, what = handler.returns_span, "return annotation"
        if model is not None:
            name = model_name(project, model)
            yield Finding(handler.module, span,
                          f"route `{handler.function.name}` exposes table model `{name}` through its {what}; "
                          f"return a response DTO (e.g. `{name}Response`) built by the service")
