'''## What it does
Reports a table model that has no `created_at` or no `updated_at` column. Columns inherited from
a project base class or mixin, in any module, count; the message names the project's mixin that
provides them when there is one.

## Why is this bad?
Without creation and update times nobody can tell when a row appeared or last changed: no
"recently updated" lists, no incremental syncs, no answer when a customer asks what happened.

## Example
```python
class Item(SQLModel, table=True):
    id: str = Field(default_factory=new_item_id, primary_key=True)
    name: str
```

## Use instead
```python
class Item(TimestampMixin, SQLModel, table=True):
    id: str = Field(default_factory=new_item_id, primary_key=True)
    name: str
```

## Severity
Warning: the model works without them; audit columns are the style guide's policy.
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.project import Project
from layerlint.rules._models import column_example, model_name, model_site, where_to_get
from layerlint.rules.base import Finding, Scope, rule

TIMESTAMPS = ("created_at", "updated_at")


@rule("LL304", "model-missing-timestamps", "A table model has no created_at or updated_at", __doc__,
      severity=Severity.WARNING, tags=("models",),
      scope=Scope.MODULE, analyses=("roles", "tables", "model_fields", "ColumnProviders"))
def check(project: Project) -> Iterator[Finding]:
    for model in project.tables:
        fields = project.model_fields.of(model)
        missing = tuple(c for c in TIMESTAMPS if c not in fields)
        if not missing:
            continue
        facts, span = model_site(project, model)
        example = (column_example(project, model, missing[0], False) if len(missing) == 1 else
                   "both as `DateTime(timezone=True)` columns defaulting to `datetime.now(tz=timezone.utc)`, "
                   "best in a timestamp mixin every table model inherits")
        fix = where_to_get(project, model, missing, example)
        names = " nor ".join(f"`{c}`" for c in missing)
        what = f"neither {names}" if len(missing) > 1 else f"no {names}"
        yield Finding(facts, span, f"table model `{model_name(project, model)}` has {what}; {fix}")
