"""CRUD helper libraries (FastCRUD, sqlalchemy-crud-plus, advanced-alchemy) and Tortoise ORM's
active-record calls: which of their calls delete rows or read them, and the table model a call
works on.

A library object is recognised by its class: a project class that extends the library's class
(`class CRUDUser(FastCRUD[User, ...])`, `class UserDao(CRUDPlus[User])`), or the library's class
itself (`crud_users = FastCRUD(User)`). The model is the first type argument of the library base,
a `model_type = User` class attribute, or the first argument of the constructor call that built
the object. What cannot be known stays unknown.

Tortoise ORM has no session: a query starts at the model class (`Item.filter(...)`, `Item.get(...)`,
`Item.all()`) and a row deletes itself (`await item.delete()`). A chain that reaches `.delete()`
deletes rows; a chain of query methods is a read, with its filters in any link. An instance's model
comes from its type, or from the query that made it (`item = await Item.get(id=...)`, `for item in
await Item.filter(...)`). A model that defines its own `delete` (a soft delete) is not hard-deleted
by `item.delete()`, and the reads of a model with its own `Meta.manager` are not judged (the
manager's queryset may filter deleted rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from layerlint.core.records import field, record
from layerlint.project.index.libraries import CRUD_CLASSES, crud_base
from layerlint.project.index.models import is_table_model, is_tortoise
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
    unawait,
)
from layerlint.project.reading.facts import FunctionFact, ModuleFacts

if TYPE_CHECKING:  # only the model's type is needed here
    from layerlint.project.project import Project

Built = tuple[str, Call]  # the module a constructor call is written in, and the call


@record(frozen=True)
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
    CrudLibrary("FastCRUD", "fastcrud", CRUD_CLASSES["fastcrud"], frozenset({"db_delete"}),
                soft_with_column={"delete": ("is_deleted_column", "is_deleted")},
                reads=frozenset({"get", "get_multi", "get_joined", "get_multi_joined", "get_multi_by_cursor",
                                 "count", "select"}),
                flag=("is_deleted_column", "is_deleted")),
    CrudLibrary("sqlalchemy-crud-plus", "sqlalchemy_crud_plus", CRUD_CLASSES["sqlalchemy_crud_plus"],
                frozenset({"delete_model"}),
                soft_with_keyword={"delete_model_by_column": "logical_deletion"},
                reads=frozenset({"select_model", "select_model_by_column", "select_models", "select_models_order",
                                 "count", "select", "select_order"})),
    CrudLibrary("advanced-alchemy", "advanced_alchemy", CRUD_CLASSES["advanced_alchemy"],
                frozenset({"delete", "delete_many", "delete_where"}),
                # `exists` is left out, as for the others: a uniqueness check must see deleted rows
                reads=frozenset({"get", "get_one", "get_one_or_none", "list", "list_and_count", "count"}),
                live_filter="{model}.{column}.is_(None)"),
)


# Tortoise's query methods a read starts with, on the model class; a chain holding one of `_NOT_READS`
# writes, checks existence (a uniqueness check must see deleted rows) or deletes.
_TORTOISE_STARTS = frozenset({"filter", "exclude", "all", "get", "get_or_none", "first", "annotate", "order_by",
                              "only", "values", "values_list", "count", "limit", "offset", "prefetch_related",
                              "select_related", "select_for_update", "distinct"})
_NOT_READS = frozenset({"update", "exists", "create", "get_or_create", "update_or_create", "bulk_create",
                        "bulk_update", "delete", "raw", "in_bulk"})
_ONE_ROW = frozenset({"get", "get_or_none", "first", "create"})  # what they return is a row, not a queryset
TORTOISE = CrudLibrary("Tortoise ORM", "tortoise", frozenset(), frozenset({"delete"}), reads=_TORTOISE_STARTS,
                       live_filter="{column}__isnull=True")

_PACKAGES = frozenset(library.package for library in LIBRARIES)
_METHODS = frozenset().union(*(library.methods() for library in LIBRARIES))


@record(frozen=True)
class CrudCall:
    """A call of a CRUD library method on an object of the library."""

    call: Call
    library: CrudLibrary
    method: str
    model: Symbol | None  # the table model, when known
    hard: bool  # it deletes rows (a delete method, and nothing makes it logical)
    flag: str | None = None  # the library's deleted-flag column for this object, if it has one
    chain: tuple[Call, ...] = ()  # every call of a query chain, whose arguments filter its rows (Tortoise)

    @property
    def filters(self) -> tuple[Call, ...]:
        """The calls whose arguments choose the rows."""
        return self.chain or (self.call,)

    @property
    def reads(self) -> bool:
        return self.method in self.library.reads


def library_of(project: Project, symbol: Symbol) -> tuple[CrudLibrary, Symbol] | None:
    """The CRUD library whose class `symbol` is or extends, with that library class."""
    owner = crud_base(project.index, symbol)
    if owner is None:
        return None
    package = owner.dotted.split(".", 1)[0]
    return next(library for library in LIBRARIES if library.package == package), owner


def crud_calls(project: Project, facts: ModuleFacts, function: FunctionFact) -> Iterator[CrudCall]:
    """Each call of a CRUD library's delete or read methods in `function`, and each Tortoise delete or read."""
    imported = project.index.imported_packages
    if TORTOISE.package in imported:
        yield from _tortoise_calls(project, facts, function)
    if not imported & _PACKAGES:  # most projects: no call is a library's
        return
    for event in function.events:
        for node in calls_in(event.value):
            func = node.func
            if not isinstance(func, Attribute) or func.attr not in _METHODS:
                continue
            found = library_object(project, facts.module, function, func.value, event.span.line)
            if found is None or _overridden(project, found.cls, func.attr) or func.attr not in found.library.methods():
                continue
            library, model, built = found.library, found.model, found.built
            flag = _configured(built, *library.flag) if library.flag else None
            yield CrudCall(node, library, func.attr, model, _hard(project, library, func.attr, node, model, built),
                           flag)


@record(frozen=True)
class LibraryObject:
    """An object of a CRUD library class (`crud_users = FastCRUD(User)`)."""

    library: CrudLibrary
    cls: Symbol  # its class: the library's or a project class extending it
    model: Symbol | None  # the table model, when known
    built: Built | None  # the constructor call that made it, when found


def library_object(project: Project, module: str, function: FunctionFact, receiver: Expr,
                   line: int) -> LibraryObject | None:
    """What `receiver` is, at `line` of `function`, when it is an object of a CRUD library."""
    cls = TypeRef(Symbol("class", module, function.class_name)) if function.class_name else None
    built = _constructor(project, module, function, receiver, line)
    found = project.types.expression(module, function, receiver, cls, line)
    alias = _alias(project, built)  # `CRUDUser = FastCRUD[User, ...]`, then `CRUDUser(User)`
    symbol = found.symbol if found is not None else alias[0] if alias else None
    library = library_of(project, symbol) if symbol is not None else None
    if library is None or symbol is None:
        return None
    return LibraryObject(library[0], symbol, _model(project, symbol, built) or (alias[1] if alias else None), built)


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


# ------------------------------------------------------------------ Tortoise ORM


def _links(call: Call) -> list[Call]:
    """`Item.filter(...).first().delete()` as its calls, the model's first (awaits between links skipped)."""
    links = [call]
    while isinstance(links[-1].func, Attribute):
        inner = unawait(links[-1].func.value)
        if not isinstance(inner, Call):
            break
        links.append(inner)
    return links[::-1]


def _method(call: Call) -> str:
    return call.func.attr if isinstance(call.func, Attribute) else ""


def _tortoise_calls(project: Project, facts: ModuleFacts, function: FunctionFact) -> Iterator[CrudCall]:
    for event in function.events:
        calls = list(calls_in(event.value))
        inner = {id(unawait(c.func.value)) for c in calls if isinstance(c.func, Attribute)}
        for call in calls:
            if id(call) not in inner:  # the outermost call of each chain
                found = _tortoise_call(project, facts.module, function, _links(call), event.span.line)
                if found is not None:
                    yield found


def _tortoise_call(project: Project, module: str, function: FunctionFact, links: list[Call],
                   line: int) -> CrudCall | None:
    methods = [_method(link) for link in links]
    model = _tortoise_model(project, module, links[0].func.value) if isinstance(links[0].func, Attribute) else None
    if model is not None:
        if "delete" in methods:  # `Item.filter(...).delete()`, or a row's `Item.get(...).delete()`
            at = methods.index("delete")
            one_row = at == 0 or methods[at - 1] in _ONE_ROW
            return CrudCall(links[at], TORTOISE, "delete", model, not (one_row and _own_delete(project, model)),
                            chain=tuple(links))
        if methods[0] not in _TORTOISE_STARTS or _NOT_READS.intersection(methods) or _has_manager(project, model):
            return None
        return CrudCall(links[0], TORTOISE, methods[0], model, False, chain=tuple(links))
    if methods != ["delete"] or not isinstance(links[0].func, Attribute):
        return None
    model = _row_model(project, module, function, links[0].func.value, line)
    if model is None:
        return None
    return CrudCall(links[0], TORTOISE, "delete", model, not _own_delete(project, model))


def _tortoise_model(project: Project, module: str, expr: Expr) -> Symbol | None:
    symbol = project.index.resolve_expr(module, expr)
    index = project.index
    return symbol if symbol.kind == "class" and is_tortoise(index, symbol) and is_table_model(index, symbol) else None


def _row_model(project: Project, module: str, function: FunctionFact, expr: Expr, line: int) -> Symbol | None:
    """The Tortoise model of a row: by its type, else by the query that made it (`x = await Item.get(...)`,
    `for x in await Item.filter(...)`) or the constructor (`x = Item(...)`)."""
    cls = TypeRef(Symbol("class", module, function.class_name)) if function.class_name else None
    found = project.types.expression(module, function, expr, cls, line)
    index = project.index
    if found is not None and found.symbol.kind == "class" and is_tortoise(index, found.symbol):
        return found.symbol if is_table_model(index, found.symbol) else None
    if not isinstance(expr, Name):
        return None
    kind, value = _made(function, expr.id, line)
    if value is None:
        return None
    if kind != "for" and _tortoise_model(project, module, value.func) is not None:
        return _tortoise_model(project, module, value.func)  # `x = Item(...)`
    links = _links(value)
    methods = [_method(link) for link in links]
    root = links[0].func
    wanted = kind == "for" or methods[-1] in _ONE_ROW
    return _tortoise_model(project, module, root.value) if wanted and isinstance(root, Attribute) and \
        methods[0] in _TORTOISE_STARTS | _ONE_ROW else None


def _made(function: FunctionFact, name: str, line: int) -> tuple[str, Call | None]:
    """The last call before `line` that bound `name`: an assignment's value or a `for` loop's iterable."""
    found: tuple[str, Call | None] = ("", None)
    for event in function.events:
        if event.span.line >= line:
            break
        if event.target == Name(name) and event.kind in ("assign", "annassign", "for"):
            value = unawait(event.value)
            found = (event.kind, value if isinstance(value, Call) else None)
    return found


def _own_delete(project: Project, model: Symbol) -> bool:
    """The model (or a project base) defines `delete`: usually a soft delete; its body is checked instead."""
    return project.index.method(model, "delete") is not None


def _has_manager(project: Project, model: Symbol) -> bool:
    for owner in project.index.mro(model):
        meta = project.index.class_fact(Symbol("class", owner.module, f"{owner.name}.Meta"))
        if meta is not None and any(f.name == "manager" for f in meta.fields):
            return True
    return False
