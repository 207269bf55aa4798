'''## What it does
Reports a table model without a nullable `deleted_at` column (the name is configurable). A
column inherited from a project base class or mixin, in any module, counts; the message names
the project's mixin that provides the column when there is one. A `deleted_at` that is not
timezone-aware is LL303's finding, so it is not reported twice. A boolean flag configured as the
soft-delete column (`soft-delete-column = "is_deleted"`) is not asked to be nullable. Subclasses
that share their parent's table (single-table inheritance) are not checked again; the same holds
for LL301, LL303 and LL304.

## Why is this bad?
Without the column, deleting a row destroys it: history, audit trails and foreign keys that
point at it go with it, and a mistaken delete cannot be undone. A `NOT NULL` `deleted_at`
cannot express "not deleted" at all.

## Example
```python
class Item(SQLModel, table=True):
    id: str = Field(default_factory=new_item_id, primary_key=True)
    name: str
```

## Use instead
```python
class Item(SQLModel, table=True):
    id: str = Field(default_factory=new_item_id, primary_key=True)
    name: str
    deleted_at: Optional[datetime] = Field(
        sa_column=Column(DateTime(timezone=True), nullable=True), default=None
    )
```

## Fix safety
Display-only: the fix shows the nullable column to add at the end of the model's class
(`Optional[datetime]` with a timezone-aware `sa_column` for SQLModel, `Mapped[datetime | None]`
for SQLAlchemy), and `--fix` never applies it: the table needs a migration, and a project with a
soft-delete mixin should inherit the column instead. A column that exists but is not nullable
gets no fix.

## Severity
Warning: a model without the column works; it is the style guide's soft-delete policy that
it breaks (LL401 and LL402, which lose data or show deleted rows, are errors).

## Options
- `models.soft-delete-column`: the column's name (default `deleted_at`).
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.index.models import model_kind
from layerlint.project.project import Project
from layerlint.rules._models import (
    column_example,
    inherited_note,
    is_flag,
    model_name,
    model_site,
    where_to_get,
)
from layerlint.rules.base import Finding, Scope, rule

_FLAGS = ("is_deleted", "deleted", "is_removed", "removed", "is_archived")


@rule("LL302", "model-missing-soft-delete", "A table model has no nullable soft-delete column", __doc__,
      severity=Severity.WARNING, tags=("models",),
      scope=Scope.MODULE, analyses=("roles", "tables", "model_fields", "ColumnProviders"),
      options=("models.soft-delete-column",))
def check(project: Project) -> Iterator[Finding]:
    column = project.config.soft_delete_column
    for model in project.tables:
        name = model_name(project, model)
        fields = project.model_fields.of(model)
        field = fields.get(column)
        if field is None:
            facts, span = model_site(project, model)
            fix = where_to_get(project, model, (column,), column_example(project, model, column, True))
            flag = next((f for f in _FLAGS if f in fields), None)
            instead = f" (`{flag}` says whether, not when: keep a timestamp)" if flag else ""
            yield Finding(facts, span, f"table model `{name}` has no `{column}` column for soft delete{instead}; "
                                       f"{fix}")
        elif field.readable and not field.nullable and not is_flag(project, field):  # a flag is never NULL
            facts, span = model_site(project, model, field)
            how = "`null=True`" if model_kind(project.index, model) == "tortoise" else \
                "an `Optional[datetime]` annotation, `nullable=True`, default `None`"
            yield Finding(facts, span, f"`{name}.{column}`{inherited_note(project, model, field)} is not nullable, "
                                       f"so a row cannot be \"not deleted\"; make it nullable ({how})")
