'''## What it does
Reports a `select(Model)` of a soft-delete model (one with a `deleted_at` column, inherited ones
included) that reaches `session.execute/exec/scalars/scalar` without a `deleted_at IS NULL`
filter, and `session.get(Model, ...)` on such a model. The statement is followed through the
function: `stmt = select(Item)` then `stmt = stmt.where(...)`, chains of `.where`, `.filter`
and `.filter_by`, `and_(...)`, helpers of the repository base class (or any project function)
that add the filter, and helpers that take the statement and hand it back (followed into their
body). Accepted filters: `Item.deleted_at.is_(None)`, `col(Item.deleted_at).is_(None)`,
`Item.deleted_at == None`, `is_(null())`, `text("... deleted_at IS NULL")`, `~Item.is_deleted`
and hybrid properties whose SQL expression says so, and a per-query `with_loader_criteria`
option. `item = session.get(Item, id)` followed by a read of `item.deleted_at` is checked by
hand and not reported. A statement whose model is not known (`select(self.model)` in a generic base
repository) and column selects (`select(Item.id)`) are not reported. Legacy
`session.query(Model)` chains are followed the same way, up to `.all()`, `.first()`, `.one()`,
`.count()` or `.get()`. A statement that filters on the column either way (`is_not(None)`: a
query for deleted rows) chose its rows on purpose and is not reported.

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
'''

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.orm.soft_delete import SessionCall, Statement
from layerlint.project.project import Project
from layerlint.project.reading.expr import dotted
from layerlint.project.reading.facts import ModuleFacts
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


def _statement_finding(project: Project, facts: ModuleFacts, item: SessionCall, state: Statement) -> Finding:
    assert state.model is not None
    name = model_name(project, state.model)
    built = f"query({name})" if state.legacy else f"select({name})"
    sink = f".{item.method[6:]}()" if state.legacy else dotted(item.call.func)
    method = "filter" if state.legacy else "where"
    return Finding(facts, state.span, f"`{built}` reaches `{sink}` (line {item.call.span.line}) without the soft-delete "
                                      f"filter; add `.{method}({live_filter(project, state.model)})`"
                                      f"{_note(project)}")


@rule("LL402", "query-ignores-soft-delete", "A query can return soft-deleted rows", __doc__,
      tags=("repositories",),
      scope=Scope.MODULE, analyses=("soft_delete_models", "session_calls", "global_filters", "model_fields"),
      options=("models.soft-delete-column", "repositories.soft-delete-helpers"))
def check(project: Project) -> Iterator[Finding]:
    soft = project.soft_delete_models
    if not soft:
        return
    for facts in project.modules.values():
        for function in facts.functions:
            seen: set[int] = set()
            for item in project.session_calls.of(facts, function):
                if item.method in ("get", "query.get") and item.model in soft:
                    yield _get_finding(project, facts, item)
                state = item.statement
                if state is None or state.model not in soft or state.filtered or state.span.line in seen:
                    continue
                seen.add(state.span.line)
                yield _statement_finding(project, facts, item, state)
