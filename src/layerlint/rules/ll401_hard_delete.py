'''## What it does
Reports `session.delete(obj)` when `obj` is an instance of a soft-delete model (one with a
`deleted_at` column, inherited ones included), and `delete(Model)` statements and legacy
`session.query(Model)...delete()` on such a model.
The object's model is known from a local assignment (`session.get(Item, ...)`, `Item(...)`, a
`select(Item)` result, a method of the class annotated to return `Item`), a parameter annotated
`Item`, or a loop over such results (`for item in result.scalars():`); when it cannot be known,
nothing is reported.

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

## Options
- `models.soft-delete-column`: the column that makes a model soft-deleted (default `deleted_at`).
- `repositories.soft-delete-helpers`: read with the session calls, which LL402 shares; it does not
  change what LL401 reports.
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.project import Project
from layerlint.project.reading.expr import call_args, dotted, render
from layerlint.rules._models import model_name
from layerlint.rules.base import Finding, Scope, rule


@rule("LL401", "hard-delete", "A soft-delete model is hard-deleted", __doc__, tags=("repositories",),
      scope=Scope.MODULE, analyses=("soft_delete_models", "session_calls"),
      options=("models.soft-delete-column", "repositories.soft-delete-helpers"))
def check(project: Project) -> Iterator[Finding]:
    soft = project.soft_delete_models
    if not soft:
        return
    column = project.config.soft_delete_column
    for facts in project.modules.values():
        for function in facts.functions:
            for item in project.session_calls.of(facts, function):
                if item.method not in ("delete", "delete()", "query.delete") or item.model not in soft:
                    continue
                call = item.call
                name = model_name(project, item.model)
                if item.method == "query.delete":
                    yield Finding(facts, call.span, f"`query({name}).delete()` hard-deletes rows of `{name}`, which has "
                                                  f"`{column}`; use `.update({{{name}.{column}: ...}})`")
                elif item.method == "delete()":
                    yield Finding(facts, call.span, f"`delete({name})` hard-deletes rows of `{name}`, which has "
                                                  f"`{column}`; use `update({name}).values({column}=...)`")
                else:
                    target = render(call_args(call)[0])
                    yield Finding(facts, call.span, f"`{dotted(call.func)}({target})` hard-deletes `{target}` (`{name}`, "
                                                  f"which has `{column}`); set `{target}.{column}` to the current "
                                                  "time instead")
