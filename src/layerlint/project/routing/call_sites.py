"""Where a project function is called, and what each call passes for one of its parameters.

Used to follow a value into a helper: `def add_routers(app: FastAPI, api: APIRouter) ->
None: app.include_router(api)` includes whatever its callers pass as `api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from layerlint.project.index.symbols import Symbol
from layerlint.project.reading.expr import (
    Call,
    Expr,
    Starred,
    call_args,
    call_kwargs,
    calls_in,
    dotted,
)
from layerlint.project.reading.facts import FunctionFact, ModuleFacts

if TYPE_CHECKING:  # the model builds this analysis; the analysis needs only its type
    from layerlint.project.project import Project

CallSite = tuple[str, Call]  # (calling module, the call expression)
POSITIONAL = ("posonly", "arg")


def _caller_names(facts: ModuleFacts, symbol: Symbol, name: str) -> set[str]:
    """The names under which `facts` can call the function: none when it cannot reach it at all
    (no import of it, its module or its package), so most modules are never walked."""
    names = {name} if facts.module == symbol.module else set()
    package = symbol.module.rsplit(".", 1)[-1]
    for item in facts.imports:
        if item.name == name:
            names.add(item.bound)
        elif item.name in ("*", package) or (item.kind == "import" and
                                             (symbol.module + ".").startswith(item.target + ".")):
            names.add(name)
    return names


class CallSites:
    """Project.call_sites: every call that resolves to a function, found once per function."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._found: dict[Symbol, list[CallSite]] = {}

    def of(self, symbol: Symbol, name: str) -> list[CallSite]:
        """The calls of the function `symbol`, whose name is `name`."""
        found = self._found.get(symbol)
        if found is None:
            found = self._found[symbol] = self._find(symbol, name)
        return found

    def _find(self, symbol: Symbol, name: str) -> list[CallSite]:
        project = self.project
        found: list[CallSite] = []
        for facts in project.modules.values():
            names = _caller_names(facts, symbol, name)
            if not names:
                continue
            for events in (facts.events, *(f.events for f in facts.functions)):
                for event in events:
                    for call in calls_in(event.value):
                        called = dotted(call.func)
                        if called and called.rsplit(".", 1)[-1] in names and \
                                project.index.resolve_expr(facts.module, call.func) == symbol:
                            found.append((facts.module, call))
        return found


def passed_argument(function: FunctionFact, parameter: str, call: Call) -> Expr | None:
    kwargs = call_kwargs(call)
    if parameter in kwargs:
        return kwargs[parameter]
    positional = [p.name for p in function.params if p.kind in POSITIONAL]
    args = call_args(call)
    position = positional.index(parameter) if parameter in positional else len(args)
    if position >= len(args) or any(isinstance(arg, Starred) for arg in args[:position + 1]):
        return None  # not passed (a default), or behind *args: unknown
    return args[position]


def argument_values(project: Project, symbol: Symbol, function: FunctionFact,
                    parameter: str) -> list[tuple[str, Expr, Call]] | None:
    """What the callers of a module-level function pass for `parameter`: (module to resolve it in,
    the value, the call); None when some call passes nothing we can read (a default, `*args`)."""
    if function.class_name is not None or function.nested:
        return None  # methods and closures are called through objects we do not track
    values: list[tuple[str, Expr, Call]] = []
    for module, call in project.call_sites.of(symbol, function.name):
        value = passed_argument(function, parameter, call)
        if value is None:
            return None
        values.append((module, value, call))
    return values
