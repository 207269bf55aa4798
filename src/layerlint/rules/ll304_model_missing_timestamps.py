'''## What it does
Reports a table model that has no `created_at` or no `updated_at` column. Columns inherited from
a project base class or mixin, in any module, count; the message names the project's mixin that
provides them when there is one. When a project base or mixin gives its models `created_at` but
no `updated_at` (or the reverse), the fix is one line in that class: it is reported once, at its
`class` line, with the table models that inherit it (a `# noqa: LL304` there silences it for all).
Columns a library base or mixin defines, which layerlint cannot read, count by a table of them:
advanced-alchemy's `AuditColumns` and audit bases (`created_at`, `updated_at`), fastapi-users'
access-token tables (`created_at`).

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
from layerlint.project.index.models import model_kind
from layerlint.project.index.symbols import Symbol
from layerlint.project.orm.model_fields import library_columns
from layerlint.project.project import Project
from layerlint.rules._models import column_example, count_models, model_name, model_site, where_to_get
from layerlint.rules.base import Finding, Scope, rule

TIMESTAMPS = ("created_at", "updated_at")


def _groups(project: Project) -> dict[tuple[Symbol, tuple[str, ...]], list[Symbol]]:
    """Models missing the same timestamps, keyed by the class where the fix goes: the project base
    that gives them their other timestamp, else the model itself."""
    groups: dict[tuple[Symbol, tuple[str, ...]], list[Symbol]] = {}
    for model in project.tables:
        fields = project.model_fields.of(model)
        inherited = library_columns(project.index, model)  # a library base's `created_at`
        missing = tuple(c for c in TIMESTAMPS if c not in fields and c not in inherited)
        if not missing:
            continue
        present = [fields[c].owner for c in TIMESTAMPS if c in fields]  # a library's: the model is the place
        groups.setdefault((present[0] if present else model, missing), []).append(model)
    return groups


@rule("LL304", "model-missing-timestamps", "A table model has no created_at or updated_at", __doc__,
      severity=Severity.WARNING, tags=("models",),
      scope=Scope.PROJECT, analyses=("roles", "tables", "model_fields", "ColumnProviders"))
def check(project: Project) -> Iterator[Finding]:
    for (owner, missing), models in _groups(project).items():
        facts, span = model_site(project, owner)
        example = (column_example(project, owner, missing[0], False) if len(missing) == 1 else
                   " and ".join(column_example(project, owner, c, False) for c in missing) +
                   ", best in an abstract model every table model inherits"
                   if model_kind(project.index, owner) == "tortoise" else
                   "both as `DateTime(timezone=True)` columns defaulting to `datetime.now(tz=timezone.utc)`, "
                   "best in a timestamp mixin every table model inherits")
        # A library base gives the other timestamp: the project's mixin would define it twice.
        inherited = library_columns(project.index, owner).intersection(TIMESTAMPS)
        fix = f"add {example}" if inherited else where_to_get(project, owner, missing, example)
        names = " nor ".join(f"`{c}`" for c in missing)
        if owner in models:
            what = f"neither {names}" if len(missing) > 1 else f"no {names}"
            others = [model for model in models if model != owner]
            reach = f" (this also fixes {count_models(project, others)})" if others else ""
            yield Finding(facts, span, f"table model `{model_name(project, owner)}` has {what}; {fix}{reach}")
            continue
        # A base that gives its models `created_at` but no `updated_at` is one fix for all of them.
        given = next(c for c in TIMESTAMPS if c not in missing)
        yield Finding(facts, span, f"`{model_name(project, owner)}` gives `{given}` but no {names} to "
                                   f"{count_models(project, models)}; {fix} there")
