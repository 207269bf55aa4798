"""CRUD helper libraries (FastCRUD, sqlalchemy-crud-plus, advanced-alchemy): which of their calls
delete rows, and the table model a call works on.

A library object is recognised by its class: a project class that extends the library's class
(`class CRUDUser(FastCRUD[User, ...])`, `class UserDao(CRUDPlus[User])`), or the library's class
itself (`crud_users = FastCRUD(User)`). The model is the first type argument of the library base,
a `model_type = User` class attribute, or the first argument of the constructor call that built
the object. What cannot be known stays unknown.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from layerlint.project.index.models import is_table_model
from layerlint.project.index.symbols import Symbol
from layerlint.project.index.types import TypeRef, last_assignment
from layerlint.project.reading.expr import (
    Attribute,
    Call,
    Constant,
    Expr,
    Name,
    Subscript,
    Tuple,
    call_args,
    call_kwargs,
    calls_in,
)
from layerlint.project.reading.facts import FunctionFact, ModuleFacts

if TYPE_CHECKING:  # only the model's type is needed here
    from layerlint.project.project import Project

Built = tuple[str, Call]  # the module a constructor call is written in, and the call


@dataclass(frozen=True)
class CrudLibrary:
    name: str  # as its users know it
    package: str  # the top-level import name
    classes: frozenset[str]  # the library's CRUD classes, by name
    deletes: frozenset[str]  # methods that always delete rows
    # methods that delete rows unless the model has a flag column: method -> (the constructor keyword
    # that names the column, its default)
    soft_with_column: dict[str, tuple[str, str]] = field(default_factory=dict)
    soft_with_keyword: dict[str, str] = field(default_factory=dict)  # method -> keyword that makes it logical
    reads: frozenset[str] = frozenset()  # methods that return rows (or count them), filtered by keywords
    flag: tuple[str, str] | None = None  # the constructor keyword naming its deleted flag, and its default
    # how a read asks for live rows, as the message suggests it ({model}, {column} filled in)
    live_filter: str = "{column}__is=None"

    def methods(self) -> frozenset[str]:
        return self.deletes | self.soft_with_column.keys() | self.soft_with_keyword.keys() | self.reads


LIBRARIES = (
    CrudLibrary("FastCRUD", "fastcrud", frozenset({"FastCRUD"}), frozenset({"db_delete"}),
                soft_with_column={"delete": ("is_deleted_column", "is_deleted")},
                reads=frozenset({"get", "get_multi", "get_joined", "get_multi_joined", "get_multi_by_cursor",
                                 "count", "select"}),
                flag=("is_deleted_column", "is_deleted")),
    CrudLibrary("sqlalchemy-crud-plus", "sqlalchemy_crud_plus", frozenset({"CRUDPlus"}), frozenset({"delete_model"}),
                soft_with_keyword={"delete_model_by_column": "logical_deletion"},
                reads=frozenset({"select_model", "select_model_by_column", "select_models", "select_models_order",
                                 "count", "select", "select_order"})),
    CrudLibrary("advanced-alchemy", "advanced_alchemy",
                frozenset({"SQLAlchemyAsyncRepository", "SQLAlchemySyncRepository", "SQLAlchemyAsyncRepositoryService",
                           "SQLAlchemySyncRepositoryService"}),
                frozenset({"delete", "delete_many", "delete_where"}),
                # `exists` is left out, as for the others: a uniqueness check must see deleted rows
                reads=frozenset({"get", "get_one", "get_one_or_none", "list", "list_and_count", "count"}),
                live_filter="{model}.{column}.is_(None)"),
)


_PACKAGES = frozenset(library.package for library in LIBRARIES)
_METHODS = frozenset().union(*(library.methods() for library in LIBRARIES))


@dataclass(frozen=True)
class CrudCall:
    """A call of a CRUD library method on an object of the library."""

    call: Call
    library: CrudLibrary
    method: str
    model: Symbol | None  # the table model, when known
    hard: bool  # it deletes rows (a delete method, and nothing makes it logical)
    flag: str | None = None  # the library's deleted-flag column for this object, if it has one

    @property
    def reads(self) -> bool:
        return self.method in self.library.reads


def library_of(project: Project, symbol: Symbol) -> tuple[CrudLibrary, Symbol] | None:
    """The CRUD library whose class `symbol` is or extends, with that library class."""
    for owner in project.index.mro(symbol) if symbol.kind == "class" else (symbol,):
        package, _, name = owner.dotted.rpartition(".")
        for library in LIBRARIES:
            if owner.kind == "external" and name in library.classes and package.split(".")[0] == library.package:
                return library, owner
    return None


def crud_calls(project: Project, facts: ModuleFacts, function: FunctionFact) -> Iterator[CrudCall]:
    """Each call of a CRUD library's delete or read methods in `function`."""
    if not project.index.imported_packages & _PACKAGES:  # most projects: no call is a library's
        return
    cls = TypeRef(Symbol("class", facts.module, function.class_name)) if function.class_name else None
    for event in function.events:
        for node in calls_in(event.value):
            func = node.func
            if not isinstance(func, Attribute) or func.attr not in _METHODS:
                continue
            built = _constructor(project, facts.module, function, func.value, event.span.line)
            receiver = project.types.expression(facts.module, function, func.value, cls, event.span.line)
            alias = _alias(project, built)  # `CRUDUser = FastCRUD[User, ...]`, then `CRUDUser(User)`
            symbol = receiver.symbol if receiver is not None else alias[0] if alias else None
            found = library_of(project, symbol) if symbol is not None else None
            if found is None or symbol is None or _overridden(project, symbol, func.attr):
                continue
            library = found[0]
            if func.attr not in library.methods():
                continue
            model = _model(project, symbol, built) or (alias[1] if alias else None)
            flag = _configured(built, *library.flag) if library.flag else None
            yield CrudCall(node, library, func.attr, model, _hard(project, library, func.attr, node, model, built),
                           flag)


def _overridden(project: Project, symbol: Symbol, method: str) -> bool:
    """The project's own subclass defines the method: its body is checked instead."""
    return symbol.kind == "class" and project.index.method(symbol, method) is not None


def _hard(project: Project, library: CrudLibrary, method: str, call: Call, model: Symbol | None,
          built: Built | None) -> bool:
    if method in library.deletes:
        return True
    if method in library.soft_with_keyword:  # hard unless the keyword is given (`False` is written out)
        flag = call_kwargs(call).get(library.soft_with_keyword[method])
        return flag is None or (isinstance(flag, Constant) and flag.value is False)
    if method not in library.soft_with_column:
        return False  # a read
    column = _configured(built, *library.soft_with_column[method])
    return model is not None and column is not None and column not in project.model_fields.of(model)


def _configured(built: Built | None, keyword: str, default: str) -> str | None:
    """The column a constructor keyword names (`FastCRUD(Item, is_deleted_column="archived")`), its
    default when not given, None when a variable names it."""
    configured = call_kwargs(built[1]).get(keyword) if built is not None else None
    if configured is None:
        return default
    return configured.value if isinstance(configured, Constant) and isinstance(configured.value, str) else None


def _constructor(project: Project, module: str, function: FunctionFact, expr: Expr, line: int) -> Built | None:
    """The call that built the object `expr` names: a local or a module-level assignment."""
    if isinstance(expr, Name):
        local = last_assignment(function.events, expr.id, line)
        if local is not None:
            return (module, local.value) if isinstance(local.value, Call) else None
    if isinstance(expr, (Name, Attribute)) and not (isinstance(expr, Attribute) and expr.value == Name("self")):
        symbol = project.index.resolve_expr(module, expr)
        event = project.index.assignment(symbol)
        return (symbol.module, event.value) if event is not None and isinstance(event.value, Call) else None
    return None


def _alias(project: Project, built: Built | None) -> tuple[Symbol, Symbol | None] | None:
    """A constructor called through a module-level alias of a subscripted library class: the
    library class and the alias's first type argument when it is a table model."""
    if built is None:
        return None
    symbol = project.index.resolve_expr(built[0], built[1].func)
    event = project.index.assignment(symbol) if symbol.kind == "assign" else None
    value = event.value if event is not None else None
    if not isinstance(value, Subscript):
        return None
    head = project.index.resolve_expr(symbol.module, value.value)
    items = value.slice.elts if isinstance(value.slice, Tuple) else [value.slice]
    model = project.index.resolve_expr(symbol.module, items[0]) if items else None
    table = model if model is not None and model.kind == "class" and is_table_model(project.index, model) else None
    return head, table


def _model(project: Project, symbol: Symbol, built: Built | None) -> Symbol | None:
    candidates: list[tuple[str, Expr | None]] = []
    if built is not None:
        module, call = built
        arguments = call_args(call)
        candidates.append((module, call_kwargs(call).get("model", arguments[0] if arguments else None)))
    if symbol.kind == "class":
        for owner in project.index.mro(symbol):
            fact = project.index.class_fact(owner)
            for base in fact.bases if fact else []:
                if isinstance(base, Subscript) and library_of(project, project.index.resolve_expr(
                        owner.module, base.value)) is not None:
                    items = base.slice.elts if isinstance(base.slice, Tuple) else [base.slice]
                    candidates.append((owner.module, items[0] if items else None))
            candidates += [(owner.module, f.value) for f in fact.fields if f.name == "model_type"] if fact else []
    for module, expr in candidates:
        model = project.index.resolve_expr(module, expr) if expr is not None else None
        if model is not None and model.kind == "class" and is_table_model(project.index, model):
            return model
    return None
