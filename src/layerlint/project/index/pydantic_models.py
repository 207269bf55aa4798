"""Pydantic-model recognition, the one place every rule asks: which classes are pydantic models,
and which of those are DTOs (pydantic models that are not table models)."""

from __future__ import annotations

from layerlint.project.index.models import is_table_model
from layerlint.project.index.symbols import Symbol, SymbolIndex

PYDANTIC_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel", "sqlmodel.SQLModel",
                            "sqlmodel.main.SQLModel"})


def is_pydantic_model(index: SymbolIndex, cls: Symbol) -> bool:
    """A class deriving from pydantic's `BaseModel` (SQLModel's `SQLModel` is one)."""
    return cls.kind == "class" and index.inherits_from(cls, PYDANTIC_BASES)


def is_dto(index: SymbolIndex, cls: Symbol) -> bool:
    """A pydantic model that is not a table model: data in and out of the API or a service."""
    return is_pydantic_model(index, cls) and not is_table_model(index, cls)
