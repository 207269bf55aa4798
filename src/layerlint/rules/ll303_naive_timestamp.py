'''## What it does
Reports `created_at`, `updated_at` and `deleted_at` (the configured soft-delete column), and any
other column whose default is the current time (a timestamp by another name: `create_date =
mapped_column(DateTime, server_default=func.now())`, `default=datetime.utcnow`, `onupdate=...`,
`text("CURRENT_TIMESTAMP")`, a function returning `datetime.now(...)`), when the
column is not `DateTime(timezone=True)` or its default is naive: `datetime.utcnow`,
`datetime.now()` without a timezone, also inside a lambda or a factory function in any module.
SQLModel stores a plain `datetime` field without a timezone, so it needs a timezone-aware
`sa_column` or `sa_type`; SQLAlchemy 2.0 `Mapped[datetime]` needs `DateTime(timezone=True)` in
`mapped_column(...)` or in the base's `type_annotation_map`. Fields inherited from mixins are
reported once, at the mixin, with the table models that inherit them (a `# noqa: LL303` there
silences it for all of them). A `synonym("update_at")` named `updated_at` is checked as the
column it stands for. A column type the project defines (`class UtcDateTime(TypeDecorator)`)
is followed to the type its `impl` names: `impl = DateTime` is naive, `impl = DateTime(timezone=True)`
aware, in `Column(...)`, `mapped_column(...)` and SQLModel's `sa_column`/`sa_type` alike. A
decorator that converts values in `process_bind_param` does not change what the column stores:
`impl` decides. Called with arguments (`UtcTimestamp(timezone=True)`), a type whose `impl` is a
class builds it with them, as `TypeDecorator.__init__` does, unless the type defines `__init__`.

A column whose default is a time computed from now (`datetime.now() + timedelta(days=30)`, an
expiry) or that has no default is not taken for a timestamp unless it has one of the three names:
what it holds is the application's choice, and the rule does not guess. A column that stores no
datetime is not reported: epoch seconds in an integer column (`created_at = Column(BigInteger,
default=epoch_now)`) count from UTC by definition, so no timezone is lost, which is what this rule
is about. Whether a project should store datetimes at all is a choice the guide does not make (LL304
still asks for the columns).

A Tortoise ORM `DatetimeField` is not reported for its column type: on PostgreSQL its column is
`TIMESTAMPTZ` whatever the settings, and whether Python sees aware values is the `use_tz` setting
passed to `Tortoise.init` when the application starts, which the model does not say (a
`TORTOISE_ORM` dict may say it, but nothing ties that dict to the models). Its `default=` is
still checked like any other default.

## Why is this bad?
Naive timestamps mean "UTC, probably": comparisons with aware datetimes raise, servers in
another timezone write other values, and `datetime.utcnow()` is deprecated for this reason.

## Example
```python
created_at: datetime = Field(default_factory=datetime.utcnow)
```

## Use instead
```python
created_at: datetime = Field(
    sa_column=Column(DateTime(timezone=True), nullable=False),
    default_factory=lambda: datetime.now(tz=timezone.utc),
)
```

## Fix safety
`--fix --unsafe-fixes` rewrites what the field's own statement says: `datetime.utcnow` and
`datetime.now` (called without a timezone, or passed as the factory) become
`datetime.now(timezone.utc)` (a lambda where a factory is expected; `timezone` is imported), and
`DateTime` or `DateTime()` becomes `DateTime(timezone=True)`. Both are unsafe: the column type
needs a database migration, and aware values break code that compares them with naive ones. A
default made in a factory function elsewhere, a `.replace(tzinfo=None)`, a field with no column
type to change (SQLModel's plain `datetime`) or an `Annotated` alias get no fix.

## Options
- `models.soft-delete-column`: checked with `created_at` and `updated_at` (default `deleted_at`).
'''

from __future__ import annotations

from collections.abc import Iterator, Mapping

from layerlint.project.index.symbols import Symbol
from layerlint.project.orm.factories import makes_current_time, naive_datetime
from layerlint.project.orm.model_fields import ModelField
from layerlint.project.orm.timestamps import field_timezone
from layerlint.project.project import Project
from layerlint.project.reading.expr import Call, Expr
from layerlint.rules._models import heirs, heirs_note, model_name
from layerlint.rules.base import Finding, Scope, rule


def _project_type(project: Project, field: ModelField) -> str | None:
    """The name of the project's own column type (a `TypeDecorator`) the field uses, if it does."""
    written = field.column_type.func if isinstance(field.column_type, Call) else field.column_type
    symbol = project.index.resolve_expr(field.column_module, written)
    return symbol.name if symbol.kind == "class" else None


def _problems(project: Project, model: Symbol, field: ModelField) -> list[str]:
    problems: list[str] = []
    if field_timezone(project, model, field) == "naive":
        decorator = _project_type(project, field)
        problems.append(f"its type `{decorator}` stores a `DateTime` without a timezone (its `impl`); make that "
                        "`DateTime(timezone=True)`" if decorator else
                        "the column is not `DateTime(timezone=True)`; declare it so")
    for key, value, module in field.defaults:
        how = naive_datetime(project.index, module, value)
        if how:
            problems.append(f"its `{key}` makes a naive datetime with {how}; use "
                            "`datetime.now(tz=timezone.utc)`")
            break
    return problems


@rule("LL303", "naive-timestamp", "A timestamp column or its default is not timezone-aware", __doc__,
      tags=("models",),
      scope=Scope.PROJECT, analyses=("tables", "model_fields", "FieldHeirs"), options=("models.soft-delete-column",))
def check(project: Project) -> Iterator[Finding]:
    reported: set[tuple[str, int]] = set()
    for model in project.tables:
        for column, field, default in _timestamp_columns(project, project.model_fields.of(model)):
            if (field.module, field.span.line) in reported:
                continue
            problems = _problems(project, model, field)
            if problems:
                reported.add((field.module, field.span.line))
                owner = model_name(project, field.owner)
                note = heirs_note(project, field.owner, heirs(project, field.owner, column))
                alias = f" (`{column}` is its synonym)" if field.name != column else ""
                # Named by its default when a problem with that default does not already name it.
                why = f" (a timestamp by its `{default[0]}`, the current time)" \
                    if default and not any(f"`{default[0]}`" in problem for problem in problems) else ""
                yield Finding(project.modules[field.module], field.span,
                              f"`{owner}.{field.name}`{alias}{note} is not timezone-aware: "
                              f"{'; and '.join(problems)}{why}")


def _timestamp_columns(project: Project, fields: Mapping[str, ModelField]
                       ) -> Iterator[tuple[str, ModelField, tuple[str, Expr] | None]]:
    """The timestamp columns, with the default that makes one a timestamp when its name does not:
    `created_at`, `updated_at` and the soft-delete column, then any column defaulting to the
    current time (`create_date = mapped_column(DateTime, server_default=func.now())`)."""
    named = ("created_at", "updated_at", project.config.soft_delete_column)
    for column in named:
        if (field := fields.get(column)) is not None:
            yield column, field, None
    for column, field in fields.items():
        if column in named:
            continue
        default = next(((key, value) for key, value, module in field.defaults
                        if makes_current_time(project.index, module, value)), None)
        if default is not None:
            yield column, field, default
