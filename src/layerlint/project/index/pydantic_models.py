"""Pydantic-model recognition, the one place every rule asks: which classes are pydantic models,
and which of those are DTOs (pydantic models that are not table models)."""

from __future__ import annotations

from layerlint.project.index.models import is_table_model
from layerlint.project.index.symbols import Symbol, SymbolIndex

# pydantic v2, v1 (`pydantic.v1` inside v2 too), and SQLModel (a pydantic model; one without
# `table=True` is a DTO). Project shims that star-import pydantic resolve to these names. Then
# the schemas libraries that FastAPI projects extend ship, which layerlint cannot read:
# fastapi-users' user schemas (`class UserUpdate(schemas.BaseUserUpdate)` is a request body).
PYDANTIC_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel", "pydantic.v1.main.BaseModel",
    "pydantic.generics.GenericModel", "pydantic.v1.generics.GenericModel",
    "sqlmodel.SQLModel", "sqlmodel.main.SQLModel",
    *(f"fastapi_users.schemas.{name}" for name in (
        "BaseUser", "BaseUserCreate", "BaseUserUpdate", "BaseOAuthAccount", "BaseOAuthAccountMixin",
        "CreateUpdateDictModel")),
})


def is_pydantic_model(index: SymbolIndex, cls: Symbol) -> bool:
    """A class deriving from pydantic's `BaseModel` (SQLModel's `SQLModel` is one)."""
    return cls.kind == "class" and index.inherits_from(cls, PYDANTIC_BASES)


def is_data_model(index: SymbolIndex, cls: Symbol) -> bool:
    """A table model or a pydantic model: a class of data, not one that reaches the database for
    others (an active-record table model may do both)."""
    return cls.kind == "class" and (is_pydantic_model(index, cls) or is_table_model(index, cls))


def is_pydantic_v1(index: SymbolIndex, cls: Symbol) -> bool:
    """A pydantic v1 model (`pydantic.v1`): configured by an inner `class Config`, not `model_config`."""
    return any(s.dotted.startswith("pydantic.v1.") for s in index.mro(cls))


def is_dto(index: SymbolIndex, cls: Symbol) -> bool:
    """A pydantic model that is not a table model: data in and out of the API or a service."""
    return is_pydantic_model(index, cls) and not is_table_model(index, cls)
