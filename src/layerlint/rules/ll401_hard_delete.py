'''## What it does
Reports every hard delete of a table model: `session.delete(obj)`, `delete(Model)` statements
(and SQLAlchemy Core's `Model.__table__.delete()`, `delete(Model.__table__)`),
legacy `session.query(Model)...delete()`, and the delete methods of CRUD helper libraries
(FastCRUD's `db_delete`, and its `delete` on a model without its `is_deleted` flag column;
sqlalchemy-crud-plus's `delete_model`, and `delete_model_by_column` without
`logical_deletion=True`; advanced-alchemy's `delete`, `delete_many` and `delete_where`).
The object's model is known from a local assignment (`session.get(Item, ...)`, `Item(...)`, a
`select(Item)` or `query(Item)` result, a method of the class or a project function annotated to
return `Item`, another object's method by that object's type: `await repository.find(...)`), a
parameter annotated `Item` (or an abstract base of table models: `secret: StoredSecret` with
`__abstract__ = True` deletes a row of whichever table it is), or a loop over such results (`for
item in result.scalars():`, `for item in list(result.scalars().all()):`, `for item in await
repository.list_for_user(...)` with `-> list[Item] | None`), or a relationship of an object whose model is known (`order.invoice`, `for
line in order.lines:`), by the attribute's annotation (`Mapped["Invoice"]`, `Mapped[list["OrderLine"]]`,
SQLModel's `list["OrderLine"]`, a `@declared_attr` returning one); a CRUD library object's model from its generic base (`CRUDPlus[Item]`), a
`model_type = Item` attribute or its constructor (`FastCRUD(Item)`). When the model cannot be
known, nothing is reported. SQLAlchemy's arguments count by position or by name
(`delete(table=Item)`, `session.delete(instance=item)`, `session.execute(statement=...)`).

Tortoise ORM deletes without a session: `await Item.filter(...).delete()` (a queryset delete,
always hard), `await item.delete()` and `await Item.get(...).delete()` (a row deletes itself). A
row's model comes from its type or from the query that made it (`item = await Item.get(...)`,
`for item in await Item.filter(...)`). A model (or a project base) that defines its own `delete`
is not reported for a row's `delete()`: that method is usually the soft delete, and its body is
checked instead.

A generic base repository (`delete(self, obj: ModelT)` in a `BaseRepository[ModelT]`, or
`delete(self.model)` with `model: type[ModelT]`, also in a mixin whose `self` is annotated with
a protocol that declares it: `self: RepositoryProtocol[ModelT]`) is reported once, in the base: that is the line
to change, whatever models extend it. So is an active-record base, a row deleting itself
(`session.delete(self)` in a method of the declarative base or of a class deriving from it);
a table model's own such method is reported as any delete of that model. When the model has no soft-delete column, the message says
so: add the column first (LL302 reports the model).

## Why is this bad?
A model with `deleted_at` promises that rows are never destroyed, and the guide asks every table
for one. A hard delete breaks that promise: audit history and rows that refer to it disappear,
and the delete cannot be undone.

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
- `sessions.factories`, `sessions.read` and `sessions.write`: a local opened from a session
  factory or from a function that hands out the session dependency is a session too.
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.models import is_table_model
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import is_typevar
from layerlint.project.orm.crud_libraries import CrudCall, crud_calls
from layerlint.project.orm.soft_delete import SessionCall, first_argument, table_delete, table_owner
from layerlint.project.project import Project
from layerlint.project.reading.expr import dotted, render
from layerlint.project.reading.facts import ModuleFacts
from layerlint.rules._models import model_name
from layerlint.rules.base import Finding, Scope, rule


def _about(project: Project, model: Symbol) -> tuple[str, str]:
    """What the message says about the model's soft-delete column, and what to do first."""
    column = project.config.soft_delete_column
    if model in project.soft_delete_models:
        return f"which has `{column}`", ""
    if is_typevar(project.index, model):
        return "the model of every repository built on this generic base", \
            f"give the models `{column}` (LL302) and "
    if not is_table_model(project.index, model):  # `session.delete(self)` in a declarative base
        return "the base of every table model deriving from it", f"with `{column}` on each of them (LL302), "
    return f"which has no `{column}` column", "add it (LL302), then "


def _session_finding(project: Project, facts: ModuleFacts, item: SessionCall, model: Symbol) -> Finding:
    column = project.config.soft_delete_column
    call = item.call
    name = model_name(project, model)
    about, first = _about(project, model)
    if item.method == "query.delete":
        return Finding(facts, call.span, f"`query({name}).delete()` hard-deletes rows of `{name}`, {about}; {first}"
                                         f"use `.update({{{name}.{column}: ...}})`")
    if item.method == "delete()":
        deleted = first_argument(call, "delete()")
        as_written = is_typevar(project.index, model) or table_owner(deleted) is not None
        table = render(deleted) if as_written else name
        written = f"{render(call.func)}()" if table_delete(call) is not None else f"delete({table})"
        return Finding(facts, call.span, f"`{written}` hard-deletes rows of `{name}`, {about}; {first}use "
                                         f"`update({table}).values({column}=...)`")
    target = render(first_argument(call, item.method))
    return Finding(facts, call.span, f"`{dotted(call.func)}({target})` hard-deletes `{target}` (`{name}`, {about}); "
                                     f"{first}set `{target}.{column}` to the current time instead")


def _crud_finding(project: Project, facts: ModuleFacts, item: CrudCall, model: Symbol) -> Finding:
    name = model_name(project, model)
    about, first = _about(project, model)
    called = render(item.call.func) if item.chain else dotted(item.call.func) or item.method  # a query chain as written
    return Finding(facts, item.call.span, f"`{called}(...)` ({item.library.name}) "
                                          f"hard-deletes rows of `{name}`, {about}; {first}set "
                                          f"`{project.config.soft_delete_column}` with an update instead")


@rule("LL401", "hard-delete", "A table model is hard-deleted", __doc__, tags=("repositories",),
      scope=Scope.MODULE, analyses=("soft_delete_models", "session_calls", "types", "model_fields"),
      options=("models.soft-delete-column", "repositories.soft-delete-helpers", "sessions.factories",
               "sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked():
        for function in facts.functions:
            for item in project.session_calls.of(facts, function):
                if item.method in ("delete", "delete()", "query.delete") and item.model is not None:
                    yield _session_finding(project, facts, item, item.model)
            for crud in crud_calls(project, facts, function):
                if crud.hard and crud.model is not None:
                    yield _crud_finding(project, facts, crud, crud.model)
