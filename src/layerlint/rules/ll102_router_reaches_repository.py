"""## What it does
Reports a router that reaches a repository through a chain of imports with at least one
intermediate module, none of which is a service. The message shows the whole chain with the
line of each import. A direct import is LL101's finding; when the router also reaches the same
repository through another module, that chain is reported too, since removing the direct import
leaves it. A chain through a service, or
through a dependency-wiring module (`dependencies.py`/`deps.py`: the composition root that
builds services from repositories for `Depends`), is the architecture working. So is a chain
through a worker module (one that defines background tasks: `@shared_task` or `@app.task` of
celery, `@dramatiq.actor`, rq's `@job`, or a project decorator that calls one of them): tasks
are entry points, peers of routers, so importing them (to enqueue a job, or a registry of
every task) is not the router using data access, and the task's own database use is judged by
the rules of its layer. Nor is a chain through the app module (a module-level `FastAPI()`, or
a function that builds it: `def create_app()`), the composition root that imports every router
and whatever they are wired with. A chain through a plain helper module is still reported. Chains follow
what is imported: `from app.core import BaseSchema` depends on the module that defines
`BaseSchema`, not on everything `app/core/__init__.py` happens to import. And they follow it
name by name: a router that imports `format_price` from a helper module reaches what
`format_price` uses (the helper's other definitions it calls included, and the helper's
statements that run on import), not the repository another function of the same helper calls.
Importing the module itself (`from app import helpers`, `import app.helpers`) takes all of it.

Chains follow only imports that run and give the importer something to call. An import used
only as a type is no step: one under `if TYPE_CHECKING:`, a name used only in annotations
(string annotations included), and a type alias (`Row = tuple[str, int]`, `Row: TypeAlias =
...`, `type Row = ...`) used only where a type goes (annotations, `cast(Row, x)`, `list[Row]`,
`Row | None`). A helper that computes over a repository's row type reaches no data access.
Nor does an import of a DTO (a pydantic model that is not a table model) from a module that
also holds a repository (`from app.models.chats import ChatResponse`, where `models/chats.py`
defines `ChatTable` too); a table model does count, since an active-record model
(`Trade.get_open_trades()`) is itself the way to the database.
Annotations that run, or name what runs, still count: `Annotated` metadata (`Depends(get_rows)`),
also through an imported alias (`order: OrderGuard`, where `OrderGuard = Annotated[Order,
Depends(get_order)]`), and the class of a parameter FastAPI fills from a dependency (`server:
Server = Depends(get_server)`): the route calls that object, and the provider that builds it is
wiring, which chains do not pass; not an alias of library types alone there (`send: SendTask =
Depends(get_sender)`, `SendTask = Callable[..., None]`), whose module holds none of the code the
route calls. So does a name that is called, instantiated, passed or listed
in `__all__`, and an import nothing uses (a re-export): a helper that calls a repository
function is reported even if it also uses a type from the same module.

## Why is this bad?
An indirect import is still a dependency: a helper or DTO module that imports a repository lets
routers use data access while every single import looks innocent. Import-based layer checks
that look at direct imports only miss it.

## Example
```python
# app/api/v1/routers/orders.py
from app.utils.lookup import find_order      # app/utils/lookup.py imports the orders repository
```

## Use instead
```python
# app/api/v1/routers/orders.py
from app.domain.orders.service import OrderService
```

Not reported: a helper that takes only a type from a repository module.
```python
# app/reports/revenue.py (imported by a router)
from app.domain.orders.repository import OrderRow   # `type OrderRow = tuple[str, int]`

def revenue(rows: Sequence[OrderRow]) -> int: ...
```

Nor a router that imports, from a helper module, a function that does not reach the repository
another function of the helper calls.
```python
# app/api/v1/routers/prices.py
from app.utils.formatting import format_price   # formatting.load_order calls OrderRepository
```

## Options
- `chains.follow`: `"names"` (the default) follows what each module uses of the modules it
  imports, as above; `"modules"` follows every import of every module on the chain, as
  import-linter's layers contract does: a helper module that imports a repository for any of
  its functions then puts every router importing the helper in the repository's reach.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import ImportStep
from layerlint.project.project import Project
from layerlint.rules.base import Finding, Scope, rule


@rule("LL102", "router-reaches-repository", "A router reaches a repository through other imports", __doc__,
      tags=("layers",),
      scope=Scope.MODULE, analyses=("roles", "dependency_graph", "name_reach"), options=("chains.follow",))
def check(project: Project) -> Iterator[Finding]:
    def is_repository(module: str) -> bool:
        return project.role(module) == "repository"

    def can_pass(module: str) -> bool:
        return project.role(module) not in ("service", "router", "dependency", "worker", "app")

    graph = project.dependency_graph
    reach = project.name_reach if project.config.chains_follow == "names" else None
    for facts in project.checked("router"):
        # A repository the router also imports itself (LL101) still gets its chain: removing the
        # direct import leaves the chain, so both are reported.
        chains = graph.shortest_chains(facts.module, is_repository, can_pass, direct=False,
                                       reach=reach)
        for chain in sorted(chains, key=lambda c: (len(c.edges), c.modules)):
            if len(chain.edges) < 2:
                continue
            yield Finding(facts, chain.edges[0].span,
                          f"router reaches repository `{chain.modules[-1]}` through {chain.render()}; "
                          "import a service instead, or move the repository use into one",
                          tuple(ImportStep(edge.importer, edge.imported, edge.line) for edge in chain.edges))
