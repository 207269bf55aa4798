"""## What it does
Reports a service that builds or executes queries itself (`select`/`insert`/`update`/`delete`
statements, or `execute`, `exec`, `scalars`, `scalar`, `get`, `stream` or SQLAlchemy 1.x's
`query` on the session) instead of calling a repository. Sessions are recognised as LL104 says
(parameters, locals opened from a session factory, `self.repository.session`, typed
attributes); module-level functions of a service module are checked like methods. Holding the
session to hand it to repositories is allowed, and so are the unit-of-work calls a service
that coordinates several repositories legitimately makes: `add`, `flush`, `refresh`, `commit`,
`rollback` (a hard `delete` is LL401's concern). A statement built in a local and then run is
one finding, where it is built; statements that another builds on and that are not run
themselves (a subquery, a CTE, the two halves of a `union`) are part of that query: one
finding, where the whole is built or run. A statement made into a fragment
(`select(...).exists()`, `.scalar_subquery()`, `.subquery()`, `.cte()`) that a helper returns is a
part of its caller's query, also when the statement was kept in a local (`stmt = select(...)`,
then `return stmt.subquery("newest")`): the helper builds no query of its own, unless it runs it. Added to a statement the
function did not build (`repository_statement.where(select(...).exists())`), it is reported.

## Why is this bad?
Repositories are where the soft-delete filter and every query live; a query in a service is
one the repository tests never see and one the next service will copy.

## Example
```python
class ItemService:
    async def count(self) -> int:
        return await self.session.scalar(select(func.count()).select_from(Item))
```

## Use instead
```python
class ItemService:
    async def count(self) -> int:
        return await self._repository.count()
```

## Options
- `sessions.factories`, `sessions.read` and `sessions.write`: a local opened from a session
  factory or from a function that hands out the session dependency is a session too.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.orm.sessions import QUERY_METHODS, database_work
from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule


@rule("LL105", "service-accesses-database", "A service queries the database itself", __doc__, tags=("layers",),
      scope=Scope.MODULE, analyses=("roles", "types", "session_providers"),
      options=("sessions.factories", "sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked("service"):
        for function in facts.functions:
            for work in database_work(project, facts, function, QUERY_METHODS):
                yield Finding(facts, work.span, f"service `{function.qualname}` runs {work.what} itself; "
                                                "put the query in a repository method and call that")
