"""## What it does
Reports a public service method, or a public module-level function of a service module (a
function-style service layer: `def get(*, db_session, item_id) -> Item` in a `service.py`),
that returns a table model: by its return annotation (also
inside `list[...]`, `Optional[...]`, `X | None`, `Sequence[...]` or a project generic such as
`Page[Item]`), or, when the method has no return annotation, by returning a value whose type
resolves to one, such as `await self._repository.get_by_id(item_id)` where the repository's
method is annotated to return the model (directly, or through a generic base repository), or
what SQLAlchemy hands back for a query of the model: `db_session.query(Item).filter(...)
.one_or_none()` (also `.first()`, `.one()`, `.scalar()`, `.all()`, `.get(id)`, or the query
itself), `session.execute(select(Item)).scalars().first()`, `session.scalar(select(Item))`,
`session.get(Item, item_id)`. A query of columns or expressions (`query(Item.id)`,
`select(func.count())`) returns no model.

An annotated method is reported at its return annotation; an unannotated one at the `return` that
hands out the model. A method with `@overload` signatures is reported once, at the first
signature that returns a model. A service class that inherits public methods from a generic
base (`class ItemService(BaseService[Item])`, `get -> ModelT`) is reported once, at the class,
naming the inherited methods that return the model. Values whose type cannot be resolved are not reported.

## Why is this bad?
The service is the boundary between the database and the API. A table model that leaves it
carries every column, lazy relationships that load (or fail) outside the session, and a
schema that changes with every migration. Routers then depend on the database layout.

## Example
```python
class ItemService:
    async def get_item(self, item_id: str) -> Item:
        return await self._repository.get_by_id(item_id)
```

## Use instead
```python
class ItemService:
    async def get_item(self, item_id: str) -> ItemResponse:
        item = await self._repository.get_by_id(item_id)
        if item is None:
            raise NotFoundError(f"Item {item_id} not found")
        return ItemResponse.model_validate(item)
```
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.project.index.models import table_model_in, table_model_in_type
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import TypeRef
from layerlint.project.project import Project
from layerlint.project.reading.facts import ClassFact, FunctionFact, ModuleFacts, Span
from layerlint.rules._layers import methods, module_functions, types
from layerlint.rules._models import model_name
from layerlint.rules.base import Finding, Scope, rule


def _returned_model(project: Project, facts: ModuleFacts, function: FunctionFact,
                    cls: TypeRef | None) -> tuple[Symbol, Span] | None:
    """The table model an unannotated method or function returns, and the `return` statement's span."""
    resolver = types(project)
    for event in function.events:
        if event.kind != "return":
            continue
        found = resolver.expression(facts.module, function, event.value, cls, event.span.line)
        model = table_model_in_type(project.index, found)
        if model is not None:
            return model, event.span
    return None


def _finding(project: Project, facts: ModuleFacts, function: FunctionFact, cls: TypeRef | None) -> Finding | None:
    """A method of a service class (`cls`), or a public function of a service module (no `cls`)."""
    what = "method" if cls is not None else "function"
    if function.returns is not None:
        model = table_model_in(project.index, facts.module, function.returns)
        if model is None:
            return None
        name = model_name(project, model)
        return Finding(facts, function.returns_span or function.span,
                       f"service {what} `{function.qualname}` is annotated to return table model `{name}`; "
                       f"return a DTO (e.g. `{name}Response.model_validate(...)`)")
    found = _returned_model(project, facts, function, cls)
    if found is None:
        return None
    name = model_name(project, found[0])
    return Finding(facts, found[1], f"service {what} `{function.qualname}` returns table model `{name}`; "
                                    f"return a DTO (e.g. `{name}Response.model_validate(...)`)")


def _inherited(project: Project, facts: ModuleFacts, cls: ClassFact) -> Finding | None:
    """Public methods a service class inherits from a generic base (`BaseService[Item]`) whose
    return type is a type parameter the class binds to a table model: one finding, at the class."""
    resolver = types(project)
    own = TypeRef(Symbol("class", facts.module, cls.qualname))
    names: dict[str, Symbol] = {}
    for owner in project.index.mro(own.symbol)[1:]:
        fact = project.index.class_fact(owner)
        for qualname in fact.methods if fact else []:
            function = project.index.function_fact(Symbol("function", owner.module, qualname))
            name = qualname.rsplit(".", 1)[-1]
            if function is None or function.returns is None or name.startswith("_") or name in names:
                continue
            if f"{cls.qualname}.{name}" in cls.methods or table_model_in_type(project.index, resolver.annotation(
                    owner.module, function.returns)) is not None:
                continue  # overridden here, or a concrete model the base's own check reports
            model = table_model_in_type(project.index, resolver.method_return(own, name))
            if model is not None:
                names[name] = model
    if not names:
        return None
    model_named = model_name(project, next(iter(names.values())))
    listed = ", ".join(f"`{n}`" for n in names)
    return Finding(facts, cls.span, f"service `{cls.name}` inherits {listed} from a generic base, which return table "
                                    f"model `{model_named}` here; return DTOs (e.g. `{model_named}Response.model_validate(...)`)")


@rule("LL501", "service-returns-orm-model", "A service method returns a table model", __doc__,
      tags=("services", "dto"),
      scope=Scope.MODULE, analyses=("roles", "types"))
def check(project: Project) -> Iterator[Finding]:
    reported: set[tuple[str, str]] = set()  # `@overload`s and their implementation are one method
    for method in methods(project, "service"):
        key = (method.facts.module, method.function.qualname)
        if not method.public or key in reported:
            continue
        finding = _finding(project, method.facts, method.function, method.cls)
        if finding is not None:
            reported.add(key)
            yield finding
    for facts, function in module_functions(project, "service"):
        key = (facts.module, function.qualname)
        finding = None if key in reported else _finding(project, facts, function, None)
        if finding is not None:
            reported.add(key)
            yield finding
    for facts in project.checked("service"):
        for cls in facts.classes:
            inherited = _inherited(project, facts, cls)
            if inherited is not None:
                yield inherited
