'''## What it does
Reports a `select(Model)` of a soft-delete model (one with a `deleted_at` column, inherited ones
included) that reaches `session.execute/exec/scalars/scalar` without a `deleted_at IS NULL`
filter, and `session.get(Model, ...)` on such a model (arguments by position or by name:
`session.execute(statement=stmt)`). The statement is followed through the
function: `stmt = select(Item)` then `stmt = stmt.where(...)`, chains of `.where`, `.filter`
and `.filter_by`, `and_(...)`, helpers of the repository base class (or any project function)
that add the filter, and helpers that take the statement and hand it back (followed into their
body). Accepted filters: `Item.deleted_at.is_(None)`, `col(Item.deleted_at).is_(None)`,
`Item.deleted_at == None`, `is_(null())`, `text("... deleted_at IS NULL")`, `~Item.is_deleted`
and hybrid properties whose SQL expression says so, and a per-query `with_loader_criteria`
option. `item = session.get(Item, id)` followed by a read of `item.deleted_at` is checked by
hand and not reported, and so is `session.get(Item, item_id)` when `item_id` was read in the
function by a query that tests `Item`'s soft-delete column (`item_id = await
session.scalar(select(Item.id).where(..., Item.deleted_at.is_(None)))`): the key names a live
row. A statement whose model is not known (`select(self.model)` in a generic base repository)
and column selects (`select(Item.id)`) are not reported. Legacy
`session.query(Model)` chains are followed the same way, up to `.all()`, `.first()`, `.one()`,
`.count()` or `.get()`. A statement that filters on the column either way (`is_not(None)`: a
query for deleted rows, `deleted_at < cutoff`: a purge of tombstones) chose its rows on purpose
and is not reported, and neither are the queries of a model in a function that reads the
`deleted_at` of one of its rows (`if row.deleted_at: ...`, also a row a loop or a comprehension
takes from the result, the first of each tuple in `for comment, user in rows`) or restores one
(`row.deleted_at = None`): it handles that model's deleted rows itself. A function that names the
column where a value is read (`getattr(row, "deleted_at")`, `row["deleted_at"]`, a column an admin
page shows, `TableColumn("organization.deleted_at", ...)`) handles deleted rows of every model it
queries; naming it to write (`setattr(...)`, a dict of values for an update) does not count.

Also reported:
- joins: `select(Order).join(Customer)` where `Customer` is a soft-delete model needs
  `Customer`'s filter too (in the `WHERE` or the join's `ON` clause), whatever `Order` is; an
  outer join is not reported (its filter belongs in its `ON` clause, where a missing one only
  keeps the joined columns).
- generic base repositories: `select(self.model)` (with `model: type[ModelT]`) without the
  filter, in a base whose subclasses (`ItemRepository(BaseRepository[Item])`) or instances
  (`CRUDBase(Item)`) use it for a soft-delete model. Reported once, in the base.
- CRUD libraries: FastCRUD's `get`, `get_multi`, `get_joined`, `get_multi_joined`,
  `get_multi_by_cursor`, `count` and `select`, and sqlalchemy-crud-plus's `select_model*`,
  `select_models*`, `count` and `select*`, on a soft-delete model without a keyword filter on
  the column (`deleted_at__is=None`) or the library's flag (`is_deleted=False`); advanced-alchemy's
  repository and service reads (`get`, `get_one`, `get_one_or_none`, `list`, `list_and_count`,
  `count`) on a soft-delete model without a filter on the column: a condition
  (`Item.deleted_at.is_(None)`), a keyword (`deleted_at=...`), a filter object that names the
  column (`ComparisonFilter(field_name="deleted_at", ...)`) or a `statement=` that filters. `exists`
  is not reported: a uniqueness check must see deleted rows, which still hold the unique value.
- Tortoise ORM: a query that starts at a soft-delete model (`Item.filter(...)`, `Item.get(...)`,
  `Item.all()`, `Item.get_or_none(...)`, `Item.first()`, ...) without a keyword on the column in
  any link of the chain (`deleted_at__isnull=True`, `deleted_at=None`, or inside a `Q(...)`).
  Chains that update, create, delete or ask `exists()` are not reads. A model with its own
  `class Meta: manager = ...` is not judged: a custom manager's queryset may filter deleted rows
  for every query, as a global filter does for SQLAlchemy.

Queries that only ask whether a row exists are not reported: their result is only tested for
presence (`row is None`, `row is not None`, `not row`, `if row:`), never read, returned or handed
on. Which rows must count then depends on the question, and two shapes of code say it:
- an existence check before an insert: the branch taken when no row was found creates a row of
  the same model (`session.add(Item(...))`, `insert(Item)`, `insert(table)` of a `Table` named like
  the model's `__tablename__`, `create(...)` on the model, on a CRUD object of it or on a
  repository whose generic base is bound to it); also `if row is not None: raise ...` followed by
  the insert. A soft-deleted row still holds its unique values and the insert would fail on it, so
  the check must see it. An insert in the branch taken when a row was found (`if row is None:
  raise NotFound`, then the insert), an insert of another model, or a found row that is read
  (`if user is None: user = User(...)`, then `return user`: get-or-create hands back a deleted row)
  is still reported.
- an existence function: every `return` of the function is that presence test, or `True`/`False`
  after it (`return result.scalar_one_or_none() is not None`). A replay check (a used nonce) must
  count deleted rows; "is the e-mail taken" must count them too; "does this user exist" before
  acting on the user must not. The function cannot tell which, its callers can: it answers the
  question as asked and hands back no row, so no deleted row reaches a user. This was measured
  against a narrower rule (only the columns named as replay values, a nonce or a token id, as an
  option): on the eleven projects of `docs/accuracy.md` the wider one removes only polar's nonce
  check and no finding judged true, so no option was added. The price is a known false negative:
  an `exists_user(id) -> bool` used to authorise someone is not reported.
Which branch holds the insert is read from indentation: the statements after the `if` indented
deeper than it.

Ids of live rows are followed across functions too: `select(Item).where(Item.id.in_(item_ids))`
(or `Item.id == item_id`, `filter_by(id=item_id)`: the model's primary key) is not reported when
`item_ids` holds live ids by the test above (read in the function by a query that tests `Item`'s
soft-delete column), returned by a function or method whose every `return` holds such ids (a
repository method built on its soft-delete base statement: `self.get_base_statement()` in
`ItemRepository(SoftDeleteRepository[Item])` covers `Item`), or is a parameter of a private
function (a leading underscore) that every call in its module, through `self.`/`cls.` for a
method, gives such ids. A public function can be called from anywhere, with any ids, and is still
reported; so is a private one with no call in its module, with one call whose ids are not known
to be live, or named in its module otherwise (a subclass's `self._reassign(...)`, a callback): calls
from other modules are not looked for, as the underscore says there are none. The same holds for
`session.get(Item, item_id)`.

Moves are not reported either: a query whose rows are only re-pointed at another parent (a customer
merged into another, products handed to another organization). A soft-deleted row references the
old parent as much as a live one: a move that filtered it out would leave it pointing there, where
a restore brings it back under the wrong parent and the old parent's delete cascades to it, so a
move must take deleted rows along; and as it reads nothing of them, none reaches a user or a
decision. A query is a move when
- its conditions pick the rows by what they reference: they test columns of the selected model,
  and every one is a foreign key (`Order.customer_id == old.id`, `Checkout.product_id.in_(ids)`,
  `filter_by(customer_id=...)`). A condition on the primary key or another column names
  particular rows, and changing those is an edit, which must not reach a deleted row;
- every use of its rows is a write: iterating them, assigning a foreign key or a relationship of
  a row (`order.customer_id = new.id`, `order.customer = new`) from a value that reads no row,
  handing a row back to the session (`session.add(order)`, `session.add_all(orders)`),
  counting them (`len(orders)`, outside a condition), or listing their primary keys in the
  conditions of another move of the function (`Line.order_id.in_([o.id for o in orders])`, whose
  lines are re-pointed too: the lines of a deleted order move with it);
- at least one row is written: a foreign key or relationship assigned, or a row handed back to
  the session.
A row that is also read (`totals.append(order.total)`), returned, stored for later
(`self.orders = ...`), passed to a call or tested (`if not orders: raise ...`), or a write of
another column (`order.deleted_at = now()` would re-delete deleted rows and overwrite when they
were deleted) makes it a query like any other, reported. A bulk `update(Order).where(...)
.values(customer_id=...)` selects no rows to read and is never reported.

Programs are not checked: a module that runs itself (`if __name__ == "__main__":` at its top
level), that no module of the project imports and that lies outside the packages holding the
routers and the app, such as a backfill, a repair, a data transfer or a seed kept under `scripts/`
beside `app/` (`layerlint roles` says "a program"). An operator runs it on rows
they chose or on a whole table, as a data migration does (layerlint skips `migrations/` for the
same reason), and there the deleted rows are usually meant: a backfill re-encrypting every
client's secret must encrypt the deleted clients' too, a transfer must move them. Of the 42 such
findings on polar's scripts, read by two readers, 37 were of that kind and 2 to 4 were not (a
name copied from a possibly deleted user into a live row). A module that runs itself is checked
when another module imports it (its functions are a library then), when it is in the
application's package (a daemon the deployment starts, `app/jobs/warm_cache.py`), and when it is
the application's entry point: the app, a router or a worker module (`main.py` starting uvicorn).

## Why is this bad?
Soft-deleted rows are still in the table. A query that forgets the filter shows deleted items to
users, counts them in totals and lets them be edited again, and nothing fails to warn you.

## Example
```python
async def list_items(self) -> list[Item]:
    stmt = select(Item).order_by(Item.created_at)
    result = await self.session.exec(stmt)
    return list(result.all())
```

## Use instead
```python
async def list_items(self) -> list[Item]:
    stmt = select(Item).where(col(Item.deleted_at).is_(None)).order_by(Item.created_at)
    result = await self.session.exec(stmt)
    return list(result.all())
```

## Options
- `models.soft-delete-column`: the column the filter tests (default `deleted_at`).
- `repositories.soft-delete-helpers`: names of helpers that add the filter; helpers whose body
  visibly applies `deleted_at.is_(None)` are recognised under any name.
- A project that applies the filter globally (`with_loader_criteria` in a session event) can
  `ignore = ["LL402"]`; `layerlint roles` prints a note when it sees that pattern.
- `sessions.factories`, `sessions.read` and `sessions.write`: a local opened from a session
  factory or from a function that hands out the session dependency is a session too.
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import is_typevar
from layerlint.project.orm.crud_libraries import CrudCall, crud_calls
from layerlint.project.orm.existence_checks import answers_existence, checks_before_insert
from layerlint.project.orm.row_moves import only_moved
from layerlint.project.orm.soft_delete import (
    SessionCall,
    Statement,
    deleted_rows_handled,
    generic_users,
)
from layerlint.project.orm.soft_delete_filters import mentions_soft_delete
from layerlint.project.project import Project
from layerlint.project.reading.expr import Call, Constant, Expr, call_args, call_kwargs, dotted, render, walk
from layerlint.project.reading.facts import FunctionFact, ModuleFacts
from layerlint.rules._models import live_filter, model_name
from layerlint.rules.base import Finding, Scope, rule


def _note(project: Project) -> str:
    found = project.global_filters
    if not found:
        return ""
    return f" (`{found[0]}` applies `with_loader_criteria`: if that covers this model, ignore LL402)"


def _get_finding(project: Project, facts: ModuleFacts, item: SessionCall) -> Finding:
    call, model = item.call, item.model
    assert model is not None
    name = model_name(project, model)
    what = f"{dotted(call.func)}({name}, ...)" if item.method == "get" else f"query({name}).get(...)"
    return Finding(facts, call.span, f"`{what}` returns soft-deleted rows too; select with "
                                   f"`.where({live_filter(project, model)})` instead{_note(project)}")


def _sink(item: SessionCall, state: Statement) -> str | None:
    """`.all()` for a legacy query, else the session method that runs the statement."""
    return f".{item.method[6:]}()" if state.legacy else dotted(item.call.func)


def _statement_finding(project: Project, facts: ModuleFacts, item: SessionCall, state: Statement) -> Finding:
    assert state.model is not None
    name = model_name(project, state.model)
    built = f"query({name})" if state.legacy else f"select({name})"
    sink = _sink(item, state)
    method = "filter" if state.legacy else "where"
    return Finding(facts, state.span, f"`{built}` reaches `{sink}` (line {item.call.span.line}) without the soft-delete "
                                      f"filter; add `.{method}({live_filter(project, state.model)})`"
                                      f"{_note(project)}")


def _generic_finding(project: Project, facts: ModuleFacts, function: FunctionFact, item: SessionCall,
                     state: Statement) -> Finding | None:
    """`select(self.model)` in a generic base that repositories of soft-delete models extend."""
    assert state.model is not None and function.class_name is not None
    base = Symbol("class", facts.module, function.class_name)
    users = [m for m in generic_users(project, base, state.model) if m in project.soft_delete_models]
    if not users:
        return None
    names = ", ".join(f"`{model_name(project, m)}`" for m in users[:3]) + (", ..." if len(users) > 3 else "")
    column = project.config.soft_delete_column
    return Finding(facts, state.span, f"`select({render(state.selected)})` reaches `{dotted(item.call.func)}` (line "
                                      f"{item.call.span.line}) without the soft-delete filter, and this base serves "
                                      f"soft-delete models ({names}); add `.where({render(state.selected)}.{column}.is_(None))`"
                                      f" or extend the soft-delete base{_note(project)}")


def _join_findings(project: Project, facts: ModuleFacts, item: SessionCall, state: Statement,
                   soft: frozenset[Symbol]) -> Iterator[Finding]:
    if state.model not in project.soft_delete_models:
        return  # a join that only narrows a query of another kind of model (`select(func.count())`, ...)
    for joined in dict.fromkeys(state.joins):
        if joined in soft and joined not in state.covered and joined != state.model:
            name = model_name(project, joined)
            yield Finding(facts, state.span, f"the query joins `{name}` and reaches `{_sink(item, state)}` (line "
                                             f"{item.call.span.line}) without `{name}`'s soft-delete filter: rows "
                                             f"joined to deleted `{name}` rows come back; add `.where("
                                             f"{live_filter(project, joined)})`{_note(project)}")


def _names_column(node: Expr, columns: set[str]) -> bool:
    """A filter object that names the column as a string, either way
    (`ComparisonFilter(field_name="deleted_at", operator="eq", value=None)`): chosen on purpose."""
    return isinstance(node, Call) and any(
        isinstance(value, Constant) and value.value in columns for value in [*call_args(node), *call_kwargs(node).values()])


def _keyword_filter(node: Expr, columns: set[str]) -> bool:
    """A keyword on the column, either way: `deleted_at__is=None`, `Q(deleted_at__isnull=True)`."""
    return isinstance(node, Call) and any(key.split("__")[0] in columns for key in call_kwargs(node))


def _crud_finding(project: Project, facts: ModuleFacts, item: CrudCall) -> Finding | None:
    """A CRUD library read of a soft-delete model without a keyword filter on its deleted column."""
    model = item.model
    if model is None or model not in project.soft_delete_models:
        return None
    columns = {project.config.soft_delete_column, *([item.flag] if item.flag else [])}
    arguments = [a for call in item.filters for a in [*call_args(call), *call_kwargs(call).values()]]
    if any(_keyword_filter(call, columns) for call in item.filters) or any(
            _keyword_filter(node, columns) or mentions_soft_delete(project, facts.module, node)
            or _names_column(node, columns) for a in arguments for node in walk(a)):
        return None
    name = model_name(project, model)
    column = project.config.soft_delete_column
    hint = f"{item.flag}=False" if item.flag and item.flag in project.model_fields.of(model) else \
        item.library.live_filter.format(model=name, column=column)
    return Finding(facts, item.call.span, f"`{dotted(item.call.func) or item.method}(...)` ({item.library.name}) "
                                          f"returns soft-deleted `{name}` rows too; pass `{hint}`{_note(project)}")


def _asks_existence(project: Project, facts: ModuleFacts, function: FunctionFact, call: Call, model: Symbol) -> bool:
    """The query only asks whether a row exists: before inserting one, or as the function's answer."""
    return answers_existence(function, call) or checks_before_insert(
        project, facts, function, call, model, project.session_calls.queries(facts, function))


def _live_keys(project: Project, facts: ModuleFacts, function: FunctionFact, state: Statement) -> bool:
    """The statement matches its model's primary key against ids of live rows (`Item.id.in_(ids)`)."""
    model = state.model
    if not state.keys or model is None:
        return False
    queries = project.session_calls.queries(facts, function)
    return any(queries.live_key(model, key) for key in state.keys)


def _query_findings(project: Project, facts: ModuleFacts, function: FunctionFact, item: SessionCall,
                    state: Statement, soft: frozenset[Symbol]) -> list[Finding]:
    """The statement's findings: its joins, its own model, or the models a generic base serves."""
    model = state.model
    if model is not None and not state.filtered and is_typevar(project.index, model):
        generic = _generic_finding(project, facts, function, item, state) if function.class_name else None
        return [generic] if generic is not None else []
    found = list(_join_findings(project, facts, item, state, soft))
    if model in soft and not state.filtered and not _asks_existence(project, facts, function, item.call, model) \
            and not _live_keys(project, facts, function, state):
        found.append(_statement_finding(project, facts, item, state))
    # A move re-points every row that references the old parent, deleted ones included.
    return found if found and not only_moved(project, facts, function, item.call, state) else []


def _function_findings(project: Project, facts: ModuleFacts, function: FunctionFact) -> Iterator[Finding]:
    items = project.session_calls.of(facts, function)
    # Which models the function handles deleted rows of matters only for its session calls.
    soft = project.soft_delete_models - deleted_rows_handled(project, facts, function) if items else frozenset()
    seen: set[tuple[int, str]] = set()
    for item in items:
        if item.method in ("get", "query.get") and item.model in soft \
                and not _asks_existence(project, facts, function, item.call, item.model):
            yield _get_finding(project, facts, item)
        state = item.statement
        if state is None or (state.span.line, "") in seen:
            continue
        seen.add((state.span.line, ""))
        yield from _query_findings(project, facts, function, item, state, soft)
    for crud in crud_calls(project, facts, function):
        found = _crud_finding(project, facts, crud) if crud.reads else None
        if found is not None and not (crud.model and _asks_existence(project, facts, function, crud.call, crud.model)):
            yield found


@rule("LL402", "query-ignores-soft-delete", "A query can return soft-deleted rows", __doc__,
      tags=("repositories",),
      scope=Scope.MODULE, analyses=("roles", "soft_delete_models", "session_calls", "global_filters",
                                    "model_fields", "types", "generic_users"),
      options=("models.soft-delete-column", "repositories.soft-delete-helpers", "sessions.factories",
               "sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    if not project.soft_delete_models:
        return
    for facts in project.checked():
        if project.roles[facts.module].program:
            continue
        for function in facts.functions:
            yield from _function_findings(project, facts, function)
