'''## What it does
Reports `session.delete(obj)` when `obj` is an instance of a soft-delete model (one with a
`deleted_at` column, inherited ones included), and `delete(Model)` statements on such a model.
The object's model is known from a local assignment (`session.get(Item, ...)`, `Item(...)`, a
`select(Item)` result, a method of the class annotated to return `Item`) or a parameter
annotated `Item`; when it cannot be known, nothing is reported.

## Why is this bad?
A model with `deleted_at` promises that rows are never destroyed. A hard delete breaks that
promise: audit history and rows that refer to it disappear, and the delete cannot be undone.

## Example
```python
async def delete(self, item: Item) -> None:
    await self.session.delete(item)
```

## Use instead
```python
async def delete(self, item: Item) -> None:
    item.deleted_at = datetime.now(tz=timezone.utc)
    self.session.add(item)
```
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.expr import calls_in, dotted, render
from layerlint.project.project import Project
from layerlint.project.sessions import statement_builder
from layerlint.project.soft_delete import FunctionQueries, soft_delete_models
from layerlint.rules._models import model_name
from layerlint.rules.base import Finding, rule


@rule("LL401", "hard-delete", "A soft-delete model is hard-deleted", __doc__, tags=("repositories",))
def check(project: Project) -> Iterator[Finding]:
    soft = soft_delete_models(project)
    if not soft:
        return
    column = project.config.soft_delete_column
    for facts in project.modules.values():
        for function in facts.functions:
            queries = FunctionQueries(project, facts, function)
            for event in function.events:
                for call in calls_in(event.value):
                    if statement_builder(project.index, facts.module, call[1]) == "delete" and call[2]:
                        model = queries.model_of(call[2][0])
                        if model in soft:
                            assert model is not None
                            name = model_name(project, model)
                            yield Finding(facts, call[4], f"`delete({name})` hard-deletes rows of `{name}`, which has "
                                                          f"`{column}`; use `update({name}).values({column}=...)`")
            for call, method, first in queries.session_calls():
                model = queries.instance_model(first) if method == "delete" else None
                if model in soft:
                    assert model is not None and first is not None
                    yield Finding(facts, call[4], f"`{dotted(call[1])}({render(first)})` hard-deletes a `"
                                                  f"{model_name(project, model)}`, which has `{column}`; set "
                                                  f"`{render(first)}.{column}` to the current time instead")
