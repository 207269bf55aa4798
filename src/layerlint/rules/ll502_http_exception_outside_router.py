"""## What it does
Reports a service, repository or model module that imports or raises `HTTPException`
(FastAPI's or Starlette's, under any alias, and project subclasses of it). Each import
statement and each `raise` is one finding. A `raise` of what a project helper returns counts
too (`raise http_error(404, ...)`, `raise not_found()`), in whatever module the helper lives:
the helper is followed when it is annotated to return an `HTTPException` (or a subclass), or
returns one it builds, directly, through a local or through another such helper.

## Why is this bad?
HTTP status codes belong to the router. A service that raises `HTTPException` cannot be
reused from a background job, a CLI or another service without speaking HTTP, and the error
contract of the API is scattered over the domain. Raise a domain exception (`NotFoundError`)
and map it to a status code in one exception handler.

## Example
```python
from fastapi import HTTPException

class ItemService:
    async def get_item(self, item_id: str) -> ItemResponse:
        item = await self._repository.get_by_id(item_id)
        if item is None:
            raise HTTPException(status_code=404, detail="Item not found")
        return ItemResponse.model_validate(item)
```

## Use instead
```python
from app.core.errors import NotFoundError

class ItemService:
    async def get_item(self, item_id: str) -> ItemResponse:
        item = await self._repository.get_by_id(item_id)
        if item is None:
            raise NotFoundError(f"Item {item_id} not found")
        return ItemResponse.model_validate(item)
```

## Severity
Warning: the request still gets an error response; the layering is what is wrong
(a service that raises HTTP errors cannot be reused outside a request).
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import last_assignment
from layerlint.project.project import Project
from layerlint.project.reading.expr import Call, Expr, Name, unawait
from layerlint.project.reading.facts import Event, ModuleFacts
from layerlint.rules.base import Finding, Scope, rule

HTTP_EXCEPTIONS = frozenset({"fastapi.HTTPException", "fastapi.exceptions.HTTPException",
                             "starlette.exceptions.HTTPException", "starlette.HTTPException"})


def _is_http_exception(project: Project, symbol: Symbol) -> bool:
    return project.index.inherits_from(symbol, HTTP_EXCEPTIONS)  # the symbol itself first


def _exception_class(project: Project, module: str, value: Expr | None, events: list[Event], line: int) -> Symbol:
    """What `raise value` raises: a class, an instance built from one, or a name bound to such an
    instance (`NotFound = HTTPException(404)` at module level, or a local)."""
    value = unawait(value)
    if isinstance(value, Name):
        local = last_assignment(events, value.id, line)
        if local is not None:
            value = local.value
    if isinstance(value, Call):
        value = value.func
    symbol = project.index.resolve_expr(module, value)
    event = project.index.assignment(symbol)
    if event is not None and isinstance(event.value, Call):
        symbol = project.index.resolve_expr(symbol.module, event.value.func)
    return symbol


def _built_by(project: Project, symbol: Symbol, depth: int = 0) -> Symbol | None:
    """The `HTTPException` class a project helper returns (`def not_found() -> HTTPException`, or
    `return HTTPException(404, ...)`, also through another helper), in any module."""
    function = project.index.function_fact(symbol) if symbol.kind == "function" and depth < 4 else None
    if function is None:
        return None
    if function.returns is not None:
        annotated = project.index.resolve_expr(symbol.module, function.returns)
        if annotated.kind in ("class", "external") and _is_http_exception(project, annotated):
            return annotated
    for event in function.events:
        if event.kind != "return" or event.value is None:
            continue
        built = _exception_class(project, symbol.module, event.value, function.events, event.span.line)
        if _is_http_exception(project, built):
            return built
        inner = _built_by(project, built, depth + 1)
        if inner is not None:
            return inner
    return None


def _raises(facts: ModuleFacts) -> Iterator[tuple[Event, list[Event]]]:
    for events in (facts.events, *(f.events for f in facts.functions)):
        yield from ((e, events) for e in events if e.kind == "raise")


@rule("LL502", "http-exception-outside-router", "A service, repository or model uses HTTPException", __doc__,
      severity=Severity.WARNING, tags=("services", "layers"),
      scope=Scope.MODULE, analyses=("roles",))
def check(project: Project) -> Iterator[Finding]:
    for facts in project.checked("service", "repository", "model"):
        role = project.role(facts.module)
        seen: set[tuple[int, ...]] = set()
        for item in facts.imports:
            if item.name is None or tuple(item.span) in seen:
                continue
            symbol = project.index.resolve_import(item)
            if _is_http_exception(project, symbol):
                seen.add(tuple(item.span))
                what = "" if symbol.dotted in HTTP_EXCEPTIONS else " (an `HTTPException`)"
                yield Finding(facts, item.span, f"{role} module imports `{item.name}`{what}; raise a domain "
                                                "exception and map it to a status code in the router")
        for event, events in _raises(facts):
            symbol = _exception_class(project, facts.module, event.value, events, event.span.line)
            built = None if _is_http_exception(project, symbol) else _built_by(project, symbol)
            if built is not None:
                name = built.dotted.rsplit(".", 1)[-1]
                helper = symbol.name.rsplit(".", 1)[-1]
                yield Finding(facts, event.span, f"{role} raises `{name}` built by `{helper}` ({symbol.module}); "
                                                 "raise a domain exception (e.g. `NotFoundError`) and map it to a "
                                                 "status code in the router")
            elif _is_http_exception(project, symbol):
                name = symbol.dotted.rsplit(".", 1)[-1]
                yield Finding(facts, event.span, f"{role} raises `{name}`; raise a domain exception (e.g. "
                                                 "`NotFoundError`) and map it to a status code in the router")
