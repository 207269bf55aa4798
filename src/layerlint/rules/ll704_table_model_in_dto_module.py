"""## What it does
Reports a table model (`table=True`, or a mapped SQLAlchemy class) defined in a DTO module
(`dtos`/`schemas` by default, see `[tool.layerlint.roles]`).

## Why is this bad?
DTO modules hold the API's contract; a table model there mixes the database schema into it,
and routers importing "a DTO" import a mapped class that can be returned unconverted.

## Example
```python
# app/dtos/item.py
class Item(SQLModel, table=True):
    id: str = Field(primary_key=True)
```

## Use instead
```python
# app/domain/item/model.py
class Item(SQLModel, table=True):
    id: str = Field(primary_key=True)

# app/dtos/item.py
class ItemResponse(BaseModel):
    id: str
```

## Severity
Warning: the code works; the layering is what is wrong (a DTO module that imports the
database layer).
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.index.models import is_table_model
from layerlint.project.index.symbols import Symbol
from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule


@rule("LL704", "table-model-in-dto-module", "A DTO module defines a table model", __doc__, tags=("dto", "models"),
      severity=Severity.WARNING, scope=Scope.MODULE, analyses=("roles",))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked("dto"):
        for cls in facts.classes:
            if is_table_model(project.index, Symbol("class", facts.module, cls.qualname)):
                yield Finding(facts, cls.span, f"table model `{cls.name}` is defined in DTO module "
                                               f"`{facts.module}`; move it to the domain's `model.py`")
