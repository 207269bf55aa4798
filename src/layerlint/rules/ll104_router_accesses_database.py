"""## What it does
Reports a router that runs database work itself: builds `select`/`insert`/`update`/`delete`
statements, or calls `execute`, `exec`, `scalars`, `scalar`, `get`, `add`, `delete`, `commit`,
`flush`, `refresh` or SQLAlchemy 1.x's `query` on a session. A session is a session parameter,
a local opened from a session factory or from a function that hands out the session
(`async with get_session_context() as s`), an attribute named like one on any object
(`service.session`, `request.state.db`; not Starlette's `request.session`), or `self.<attr>`
typed as one; not a variable named like one that holds another library's object
(`async with aiohttp.ClientSession() as session`, `session: requests.Session`, or what a function
annotated to return or yield one gives, wrapped or not: `async with web_session() as session`,
`asynccontextmanager(get_http_client)()`). Passing the
session to a service constructor is fine. One finding per query: a statement built in a local
and then run (`stmt = select(...)`, `session.execute(stmt)`) is reported where it is built, and
statements another builds on without being run themselves (a subquery, a CTE, the halves of a
`union`) are part of that query, reported where the whole is built or run; so is a fragment a
helper returns to its caller (`return select(...).exists()`, `return stmt.subquery()`).

## Why is this bad?
Queries in a handler skip the service and repository layers: the soft-delete filter, the
business rules and the transaction handling those layers own are bypassed, and the query cannot
be reused or tested without HTTP.

## Example
```python
@router.get("/{item_id}")
async def get_item(item_id: str, session: ReadSession) -> ItemResponse:
    item = await session.get(Item, item_id)
    return ItemResponse.model_validate(item)
```

## Use instead
```python
@router.get("/{item_id}")
async def get_item(item_id: str, session: ReadSession) -> ItemResponse:
    return await ItemService(session).get_item(item_id)
```

## Options
- `sessions.factories`, `sessions.read` and `sessions.write`: a local opened from a session
  factory or from a function that hands out the session dependency is a session too.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.orm.sessions import DATABASE_METHODS, database_work
from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule


@rule("LL104", "router-accesses-database", "A router runs database work itself", __doc__, tags=("layers",),
      scope=Scope.MODULE, analyses=("roles", "types", "session_providers"),
      options=("sessions.factories", "sessions.read", "sessions.write"))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked("router"):
        for function in facts.functions:
            for work in database_work(project, facts, function, DATABASE_METHODS):
                yield Finding(facts, work.span, f"router function `{function.name}` runs {work.what} itself; "
                                                "move the query into a repository and call it through a service")
