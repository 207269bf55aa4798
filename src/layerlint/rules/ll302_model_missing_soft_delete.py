'''## What it does
Reports a table model without a nullable `deleted_at` column (the name is configurable). A
column inherited from a project base class or mixin, in any module, counts; the message names
the project's mixin that provides the column when there is one. A `deleted_at` that is not
timezone-aware is LL303's finding, so it is not reported twice. A boolean flag configured as the
soft-delete column (`soft-delete-column = "is_deleted"`) is not asked to be nullable. Subclasses
that share their parent's table (single-table inheritance) are not checked again; the same holds
for LL301, LL303 and LL304. A column that is not nullable is one fix where it is defined: one
defined once in a base class or mixin is reported once, at its definition, with how many table
models inherit it (`` `SoftDeleteMixin.deleted_at` (inherited by 3 table models) ``), as LL301 and
LL303 report an id or a timestamp.

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
from layerlint.project.index.symbols import Symbol
from layerlint.project.orm.model_fields import ModelField
from layerlint.project.project import Project
from layerlint.rules._models import (
    column_example,
    heirs,
    heirs_note,
    is_flag,
    model_name,
    model_site,
    where_to_get,
)
from layerlint.rules.base import Finding, Scope, rule

_FLAGS = ("is_deleted", "deleted", "is_removed", "removed", "is_archived")


@rule("LL302", "model-missing-soft-delete", "A table model has no nullable soft-delete column", __doc__,
      severity=Severity.WARNING, tags=("models",),
      scope=Scope.PROJECT, analyses=("roles", "tables", "model_fields", "ColumnProviders", "FieldHeirs"),
      options=("models.soft-delete-column",))
def check(project: Project) -> Iterator[Finding]:
    column = project.config.soft_delete_column
    reported: set[tuple[str, int]] = set()  # a column of a base, once for all the models inheriting it
    for model in project.tables:
        field = project.model_fields.of(model).get(column)
        if field is None:
            if project.in_focus(model.module):  # reported on the model's class line (model_site)
                yield _missing(project, model, column)
        elif field.readable and not field.nullable and not is_flag(project, field) \
                and (field.module, field.span.line) not in reported:  # a flag is never NULL
            reported.add((field.module, field.span.line))
            yield _not_nullable(project, model, field, column)


def _missing(project: Project, model: Symbol, column: str) -> Finding:
    fields = project.model_fields.of(model)
    facts, span = model_site(project, model)
    fix = where_to_get(project, model, (column,), column_example(project, model, column, True))
    flag = next((f for f in _FLAGS if f in fields), None)
    instead = f" (`{flag}` says whether, not when: keep a timestamp)" if flag else ""
    return Finding(facts, span, f"table model `{model_name(project, model)}` has no `{column}` column for soft "
                                f"delete{instead}; {fix}")


def _not_nullable(project: Project, model: Symbol, field: ModelField, column: str) -> Finding:
    how = "`null=True`" if model_kind(project.index, model) == "tortoise" else \
        "an `Optional[datetime]` annotation, `nullable=True`, default `None`"
    note = heirs_note(project, field.owner, heirs(project, field.owner, column))
    return Finding(project.modules[field.module], field.span,
                   f"`{model_name(project, field.owner)}.{column}`{note} is not nullable, so a row cannot be "
                   f"\"not deleted\"; make it nullable ({how})")
