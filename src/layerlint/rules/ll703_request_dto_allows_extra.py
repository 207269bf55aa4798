"""## What it does
Reports a request DTO that does not forbid extra fields. A request DTO is a Pydantic model
(not a table model) used as the body parameter of a route (also inside `list[...]`,
`Optional[...]` or an `Annotated` alias), or of a function the route depends on (`Depends(...)`,
whose parameters FastAPI reads from the request as it reads the handler's), or named `*Request`. Extra fields
are forbidden by `model_config = {"extra": "forbid"}`, `model_config = ConfigDict(extra="forbid")`,
a class keyword `extra="forbid"` or (Pydantic v1) `class Config: extra = "forbid"`; a shared
module-level `STRICT = ConfigDict(extra="forbid")` named by `model_config = STRICT` counts, and a base
class that forbids them counts. A model extending a library's pydantic schema is one too:
fastapi-users' `schemas.BaseUserCreate`/`BaseUserUpdate` (which allow extra fields) and kin.

## Why is this bad?
By default Pydantic ignores unknown fields: a client that sends `{"nmae": "x"}` gets a 201
with the default name, and a client that sends `{"is_admin": true}` learns nothing about the
field being ignored. Forbidding extras turns typos and stale clients into a clear 422.

## Example
```python
class ItemCreateRequest(BaseModel):
    name: str = Field(..., min_length=1, max_length=255)
```

## Use instead
```python
class ItemCreateRequest(BaseModel):
    name: str = Field(..., min_length=1, max_length=255)
    model_config = {"extra": "forbid"}
```

## Fix safety
`--fix --unsafe-fixes` adds `extra="forbid"` to the class's `model_config = ConfigDict(...)` or
`model_config = {...}`, or `extra = "forbid"` to its Pydantic v1 `class Config:`; a class with
neither gets `model_config = ConfigDict(extra="forbid")` (and the import). The fix is unsafe:
clients that send fields the model does not declare start getting 422 responses. A model that
says `extra="allow"` or `"ignore"` on purpose, or names a shared config (`model_config = BASE`),
gets no fix. A Pydantic v1 project without `class Config` needs the v1 form by hand.

## Severity
Warning: extra fields are dropped, not stored; forbidding them catches clients' typos,
which is the style guide's choice rather than a defect.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.diagnostic import Severity
from layerlint.project.index.pydantic_models import is_dto, is_pydantic_v1
from layerlint.project.index.symbols import Symbol
from layerlint.project.project import Project
from layerlint.project.reading.expr import (
    Attribute,
    Constant,
    Dict,
    Expr,
    Name,
    call_kwargs,
    constant,
    dotted,
    is_call,
)
from layerlint.rules.base import Finding, Scope, rule


def _extra_value(expr: Expr | None) -> str | None:
    """"forbid", another policy, or None when `expr` says nothing about extra fields."""
    if expr is None:
        return None
    text = str(constant(expr)) if isinstance(expr, Constant) else (dotted(expr) or "")
    return "forbid" if text.rsplit(".", 1)[-1].lower() == "forbid" else text or "other"


def _shared_config(project: Project, module: str, value: Expr) -> Expr:
    """`model_config = STRICT`: the module-level `STRICT = ConfigDict(...)` it names."""
    if not isinstance(value, (Name, Attribute)):
        return value
    symbol = project.index.resolve_expr(module, value)
    event = project.index.assignment(symbol)
    return event.value if event is not None and event.value is not None else value


def _said_extra(project: Project, cls: Symbol) -> str | None:
    fact = project.index.class_fact(cls)
    if fact is None:
        return None
    if "extra" in fact.keywords:
        return _extra_value(fact.keywords["extra"])
    for field_fact in fact.fields:
        value = field_fact.value
        if field_fact.name != "model_config" or value is None:
            continue
        value = _shared_config(project, cls.module, value)
        if is_call(value) and "extra" in call_kwargs(value):
            return _extra_value(call_kwargs(value)["extra"])
        if isinstance(value, Dict):
            return next((_extra_value(v) for k, v in zip(value.keys, value.values) if constant(k) == "extra"), None)
    config = project.index.class_fact(Symbol("class", cls.module, f"{cls.name}.Config"))
    for field_fact in config.fields if config else []:
        if field_fact.name == "extra":
            return _extra_value(field_fact.value)
    return None


def forbids_extra(project: Project, cls: Symbol) -> bool:
    for owner in project.index.mro(cls):
        said = _said_extra(project, owner)
        if said is not None:
            return said == "forbid"
    return False


@rule("LL703", "request-dto-allows-extra", "A request DTO does not forbid extra fields", __doc__, tags=("dto",),
      severity=Severity.WARNING, scope=Scope.MODULE, analyses=("request_bodies",))
def check(project: Project) -> Iterator[Finding]:
    bodies = project.request_bodies
    for facts in project.checked():
        for cls in facts.classes:
            symbol = Symbol("class", facts.module, cls.qualname)
            if not (cls.name.endswith("Request") or symbol in bodies) or not is_dto(project.index, symbol):
                continue
            if not forbids_extra(project, symbol):
                fix = "an inner `class Config: extra = \"forbid\"`" if is_pydantic_v1(project.index, symbol) \
                    else "`model_config = ConfigDict(extra=\"forbid\")`"
                yield Finding(facts, cls.span, f"request DTO `{cls.name}` accepts unknown fields; add {fix}")
