"""Programs: modules that run themselves (`if __name__ == "__main__":`), the test the roles ask.

A backfill, a repair, a data transfer or a seed kept under `scripts/` is run by an operator,
not by a request or a worker: an entry point of its own, outside the application's package,
which no module imports. One that runs itself and that another module imports (a service with a
demo under its guard), that lives in the package holding the routers (a daemon the deployment
starts), or that is the app, a router or a worker (`main.py` starting uvicorn), is application
code like any other: the roles decide which (`RolesByUse.programs`).
"""

from __future__ import annotations

from layerlint.project.reading.expr import Compare, Constant, Expr, Name
from layerlint.project.reading.facts import ModuleFacts


def _names_main(sides: list[Expr]) -> bool:
    """`__name__` compared with `"__main__"`, either way round."""
    names = {side.id for side in sides if isinstance(side, Name)}
    constants = {side.value for side in sides if isinstance(side, Constant)}
    return "__name__" in names and "__main__" in constants


def runs_itself(facts: ModuleFacts) -> bool:
    """Whether the module tests `__name__ == "__main__"` at its top level."""
    return any(event.kind == "test" and isinstance(event.value, Compare) and event.value.ops == ["=="]
               and _names_main([event.value.left, *event.value.comparators]) for event in facts.events)
