'''## What it does
Reports a table model whose primary key is not `id: str` with a default factory that returns a
ULID behind an entity prefix (`f"itm_{ULID()}"`), directly in a lambda or in a function defined
in any module. The message says which part is missing: the type, the primary key, the factory,
the ULID, or the prefix (which must match `models.id-prefix`). An `id` defined in a base class
or mixin is one fix, so it is reported once, at its definition, with the table models that
inherit it (a `# noqa: LL301` there silences it for all of them; one on a model's `class` line
does not, since nothing is reported there). A table whose primary key spans several columns and
has no `id` (an association table) is skipped, and an `id` that is a foreign key (a one-to-one
extension of another table) needs no factory. Table models are SQLModel `table=True` classes,
SQLAlchemy mapped classes and Tortoise ORM models that are not `abstract` in their `class Meta`
(these rules read a Tortoise field's type from its class: `fields.CharField` holds a `str`,
`fields.IntField` an `int`); a Tortoise model that declares no primary key has the integer `id`
Tortoise adds, reported at its `class` line.

## Why is this bad?
Prefixed ULIDs sort by creation time, are safe to expose in URLs, and say what they identify
(`itm_01J...` is an item) in logs, support tickets and foreign keys. Integer or UUID keys, or a
bare ULID, lose one of those properties, and mixing schemes makes every join a guess.

## Example
```python
class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
```

## Use instead
```python
def new_item_id() -> str:
    return f"itm_{ULID()}"


class Item(SQLModel, table=True):
    id: str = Field(default_factory=new_item_id, primary_key=True, max_length=30)
```

## Fix safety
Display-only: the fix shows the model's own `id` field rewritten as a prefixed ULID key (SQLModel
`Field(default_factory=...)`, SQLAlchemy `mapped_column(String(30), ..., default=...)` or
`Column(...)`), with the imports it needs and a prefix made from the class name (`Item` ->
`itm_`), and `--fix` never applies it: the key's type and values change, which needs a migration
of the table and of every foreign key to it, and the prefix is for a person to choose (LL305
keeps them unique). An `id` inherited from a base or mixin, or missing, gets no fix, and so does
the `id` a mixin or base that is no table defines: each table inheriting it needs a prefix of its
own, which no name there gives.

## Severity
Warning: another id scheme works; the style guide wants prefixed ULIDs for sortable,
self-describing ids.

## Options
- `models.id-prefix`: the regular expression the prefix must match (default `^[a-z]{2,5}_$`).
  A pattern that could backtrack for ever is refused when the configuration is loaded (a
  repetition inside another or over alternatives, a backreference, more than 4 repetitions),
  and a prefix longer than 64 characters never matches: no pattern can hang the run.
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.project import Project
from layerlint.rules._models import heirs, heirs_note, id_check, model_name, model_site
from layerlint.rules.base import Finding, Scope, rule


@rule("LL301", "model-id-not-ulid", "A table model's id is not a prefixed ULID string", __doc__,
      severity=Severity.WARNING, tags=("models",),
      scope=Scope.PROJECT, analyses=("tables", "model_fields", "IdChecks", "FieldHeirs"),
      options=("models.id-prefix",))
def check(project: Project) -> Iterator[Finding]:
    reported: set[tuple[str, int]] = set()
    for model in project.tables:
        result = id_check(project, model)
        if not result.problems:
            continue
        problems = "; ".join(result.problems)
        field = result.field
        if field is None:
            facts, span = model_site(project, model)
            yield Finding(facts, span, f"`{model_name(project, model)}.id` is not a prefixed ULID: {problems}")
            continue
        # Every model inheriting this definition has the same problems: one fix, one finding, at the field.
        if (field.module, field.span.line) in reported:
            continue
        reported.add((field.module, field.span.line))
        note = heirs_note(project, field.owner, heirs(project, field.owner, "id"))
        yield Finding(project.modules[field.module], field.span,
                      f"`{model_name(project, field.owner)}.id`{note} is not a prefixed ULID: {problems}")
