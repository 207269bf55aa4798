'''## What it does
Reports a table model whose ID prefix is already used by another table model of the project
(compared across every module, in path order; the later one is reported).

## Why is this bad?
The prefix is how a person or a log search tells what an ID identifies. Two tables sharing
`itm_` make `itm_01J...` ambiguous, and code that routes on the prefix picks the wrong table.

## Example
```python
class Item(SQLModel, table=True):
    id: str = Field(default_factory=lambda: f"itm_{ULID()}", primary_key=True)


class ItemImage(SQLModel, table=True):
    id: str = Field(default_factory=lambda: f"itm_{ULID()}", primary_key=True)
```

## Use instead
```python
class ItemImage(SQLModel, table=True):
    id: str = Field(default_factory=lambda: f"img_{ULID()}", primary_key=True)
```

## Options
- `models.id-prefix`: what counts as a prefix, as for LL301 (default `^[a-z]{2,5}_$`).
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.symbols import Symbol
from layerlint.project.project import Project
from layerlint.rules._models import id_check, model_name, model_site
from layerlint.rules.base import Finding, Scope, rule


@rule("LL305", "duplicate-id-prefix", "Two table models use the same ID prefix", __doc__, tags=("models",),
      scope=Scope.PROJECT, analyses=("tables", "model_fields", "IdChecks"), options=("models.id-prefix",))
def check(project: Project) -> Iterator[Finding]:
    first: dict[str, Symbol] = {}
    for model in project.tables:
        result = id_check(project, model)
        if result.prefix is None:
            continue
        other = first.setdefault(result.prefix, model)
        if other == model:
            continue
        facts, span = model_site(project, model, result.field)
        yield Finding(facts, span, f"`{model_name(project, model)}` uses the ID prefix `{result.prefix}`, "
                                   f"already used by `{model_name(project, other)}` in `{other.module}`; "
                                   "give each table its own prefix")
