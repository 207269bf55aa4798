"""## What it does
Reports a public service method that returns a table model: by its return annotation (also
inside `list[...]`, `Optional[...]`, `X | None`, `Sequence[...]` or a project generic such as
`Page[Item]`), or, when the method has no return annotation, by returning a value whose type
resolves to one, such as `await self._repository.get_by_id(item_id)` where the repository's
method is annotated to return the model (directly, or through a generic base repository).

An annotated method is reported at its `def` line; an unannotated one at the `return` that
hands out the model. A method with `@overload` signatures is reported once, at the first
signature that returns a model. Values whose type cannot be resolved are not reported.

## Why is this bad?
The service is the boundary between the database and the API. A table model that leaves it
carries every column, lazy relationships that load (or fail) outside the session, and a
schema that changes with every migration. Routers then depend on the database layout.

## Example
```python
class ItemService:
    async def get_item(self, item_id: str) -> Item:
        return await self._repository.get_by_id(item_id)
```

## Use instead
```python
class ItemService:
    async def get_item(self, item_id: str) -> ItemResponse:
        item = await self._repository.get_by_id(item_id)
        if item is None:
            raise NotFoundError(f"Item {item_id} not found")
        return ItemResponse.model_validate(item)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.annotations import table_model_in
from layerlint.project.models import is_table_model
from layerlint.project.project import Project
from layerlint.project.symbols import Symbol
from layerlint.rules._layers import Method, methods, types
from layerlint.rules.base import Finding, rule


def _returned_model(project: Project, method: Method) -> tuple[Symbol, list[int]] | None:
    """The table model an unannotated method returns, and the `return` statement's span."""
    resolver = types(project)
    for event in method.function.events:
        if event.kind != "return":
            continue
        found = resolver.expression(method.facts.module, method.function, event.value, method.cls, event.span[0])
        model = next((s for s in found.classes() if is_table_model(project.index, s)), None) if found else None
        if model is not None:
            return model, event.span
    return None


def _finding(project: Project, method: Method) -> Finding | None:
    function = method.function
    if function.returns is not None:
        model = table_model_in(project.index, method.facts.module, function.returns)
        if model is None:
            return None
        name = model.name.rsplit(".", 1)[-1]
        return Finding(method.facts, function.span,
                       f"service method `{function.qualname}` is annotated to return table model `{name}`; "
                       f"return a DTO (e.g. `{name}Response.model_validate(...)`)")
    found = _returned_model(project, method)
    if found is None:
        return None
    name = found[0].name.rsplit(".", 1)[-1]
    return Finding(method.facts, found[1], f"service method `{function.qualname}` returns table model `{name}`; "
                                           f"return a DTO (e.g. `{name}Response.model_validate(...)`)")


@rule("LL501", "service-returns-orm-model", "A service method returns a table model", __doc__,
      tags=("services", "dto"))
def check(project: Project) -> Iterator[Finding]:
    reported: set[tuple[str, str]] = set()  # `@overload`s and their implementation are one method
    for method in methods(project, "service"):
        key = (method.facts.module, method.function.qualname)
        if not method.public or key in reported:
            continue
        finding = _finding(project, method)
        if finding is not None:
            reported.add(key)
            yield finding
