"""## What it does
Reports a lower layer importing a higher one: a repository importing a service or router, a
service importing a router, a model or a DTO importing a repository, service or router (DTOs
are data, on the models' level: a `models` package that holds only pydantic classes is one).

## Why is this bad?
Dependencies point down (router -> service -> repository -> model). An upward import creates
cycles, makes the lower layer depend on HTTP or orchestration details, and makes it impossible
to reuse or test the lower layer alone.

## Example
```python
# app/domain/items/repository.py
from app.domain.items.service import ItemService
```

## Use instead
```python
# app/domain/items/service.py
from app.domain.items.repository import ItemRepository
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.imports import modules_reached
from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule

LAYER_RANK = {"model": 0, "dto": 0, "repository": 1, "service": 2, "router": 3}


@rule("LL103", "upward-import", "A lower layer imports a higher one", __doc__, tags=("layers",),
      scope=Scope.MODULE, analyses=("roles",))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked("model", "dto", "repository", "service"):
        own_role = project.role(facts.module)
        assert own_role is not None
        rank = LAYER_RANK[own_role]
        reported: set[tuple[int, int]] = set()
        for item in facts.imports:
            key = (item.span.line, item.span.column)
            if key in reported:
                continue
            for target in modules_reached(project.index, item):
                target_role = project.role(target)
                if target_role in LAYER_RANK and LAYER_RANK[target_role] > rank:
                    reported.add(key)
                    yield Finding(facts, item.span,
                                  f"{own_role} imports {target_role} `{target}`; dependencies go down "
                                  "(router -> service -> repository -> model): move the shared code down "
                                  "or invert the dependency")
                    break
