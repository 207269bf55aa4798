"""A light type resolver over the symbol index: what class an annotation or an expression has.

It knows what annotations say (through imports, aliases, string annotations, `Optional`,
`Union`, `X | None`, containers and project generics), what `self._repository` is (assigned in
`__init__` or annotated), what a generic base makes a method return (`BaseRepository[Item]`
turns `-> ModelT | None` into `-> Item | None`), and what an unannotated function returns when
it returns something it knows, including what SQLAlchemy hands back for a model's query
(`session.query(Item).filter(...).first()` is `Item | None`, `(await session.scalars(select(Item)))
.all()` is `list[Item]`). Anything else is None: unknown, and rules stay silent on it.
"""

from __future__ import annotations

from collections.abc import Iterator

from layerlint.core.records import record
from layerlint.project.index.annotated import ANNOTATED
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import (
    NOWHERE,
    Attribute,
    Await,
    BinOp,
    Call,
    Constant,
    Expr,
    Name,
    Subscript,
    Tuple,
    call_args,
    dotted,
    parse_expression,
    walk,
)
from layerlint.project.reading.facts import Event, FunctionFact

# How many steps a type is followed through: each expression, local, call and function it passes.
# `stmt = select(Item).where(...)`, `result = await session.execute(stmt)`, then `return
# result.scalars().first()` takes seven from the `return` to `select(Item)`, and each `.order_by`,
# `.limit` on the way one more (at six, such a method's return type was not known).
MAX_DEPTH = 10
UNION = Symbol("external", "typing.Union")
NONE = Symbol("external", "builtins.None")
_UNION_HEADS = frozenset({"typing.Union", "typing.Optional", "typing_extensions.Union", "typing_extensions.Optional"})
_TRANSPARENT = ANNOTATED | frozenset({"typing.Final", "typing.ClassVar", "typing.Awaitable", "typing.Coroutine",
                                      "collections.abc.Awaitable", "collections.abc.Coroutine", "typing.Required",
                                      "typing.NotRequired", "sqlalchemy.orm.Mapped"})
_TYPEVARS = frozenset({"typing.TypeVar", "typing_extensions.TypeVar"})
_BINDING_EVENTS = frozenset({"assign", "annassign", "augassign", "for", "with"})
_SELF = frozenset({"typing.Self", "typing_extensions.Self"})
_GENERIC_BASES = ("Generic", "Protocol")

# SQLAlchemy's results, typed by the model they select. The Query API (1.x) and the 2.0 style
# are read by the shape of the calls: a receiver whose type is unknown (`db_session` unannotated)
# or a SQLAlchemy/SQLModel class, given a project class (`query(Item)`, `get(Item, id)`) or a
# statement that selects one (`select(Item)`). A column or expression (`query(Item.id)`,
# `select(func.count())`) selects no model: unknown.
QUERY = Symbol("external", "sqlalchemy.orm.Query")
SELECT = Symbol("external", "sqlalchemy.sql.Select")
RESULT = Symbol("external", "sqlalchemy.engine.Result")
SCALARS = Symbol("external", "sqlalchemy.engine.ScalarResult")
LIST = Symbol("external", "builtins.list")
_SQL_MODULES = ("sqlalchemy.", "sqlmodel.")
# Methods that give back the same statement (or result) with more clauses.
_REFINING = frozenset({"filter", "filter_by", "where", "order_by", "join", "outerjoin", "join_from", "options",
                       "limit", "offset", "distinct", "group_by", "having", "execution_options", "with_for_update",
                       "populate_existing", "params", "select_from", "correlate", "enable_eagerloads", "autoflush",
                       "yield_per", "with_parent", "unique", "slice"})
_ONE = frozenset({"one", "scalar_one", "get_one"})
_ONE_OR_NONE = frozenset({"first", "one_or_none", "scalar", "scalar_one_or_none", "get"})


@record(frozen=True)
class TypeRef:
    """A class (project or external) with its type arguments; `typing.Union` holds alternatives."""

    symbol: Symbol
    args: tuple[TypeRef, ...] = ()

    def classes(self) -> Iterator[Symbol]:
        """This class and every class in its arguments, outermost first."""
        if self.symbol != UNION:
            yield self.symbol
        for arg in self.args:
            yield from arg.classes()


Bindings = dict[str, TypeRef]


def _items(expr: Expr | None) -> list[Expr]:
    return list(expr.elts) if isinstance(expr, Tuple) else [expr] if expr is not None else []


class TypeResolver:
    def __init__(self, index: SymbolIndex) -> None:
        self.index = index
        self._returns: dict[tuple[Symbol, tuple[TypeRef, ...]], TypeRef | None] = {}
        self._active: set[tuple[Symbol, tuple[TypeRef, ...]]] = set()
        self._cut = False

    # ------------------------------------------------------------------ annotations

    def annotation(self, module: str, expr: Expr | None, bindings: Bindings | None = None,
                   depth: int = 0) -> TypeRef | None:
        """The type an annotation spells, with type variables replaced by `bindings`."""
        if expr is None or depth > MAX_DEPTH:
            return None
        bindings = bindings or {}
        match expr:
            case Constant(None):
                return TypeRef(NONE)
            case Constant(str(value)):
                return self.annotation(module, parse_expression(value), bindings, depth + 1)
            case Constant():
                return None
            case BinOp("|", left, right):  # `A | B | ... | H` nests to the left: its width is no depth
                return _union([self.annotation(module, side, bindings, depth) for side in (left, right)])
            case Subscript():
                return self._subscript(module, expr, bindings, depth)
            case Name(name) if name in bindings:
                return bindings[name]
        symbol = self.index.resolve_expr(module, expr)
        if symbol.dotted in _SELF:
            return bindings.get("Self")
        if symbol.kind == "assign":
            event = self.index.assignment(symbol)
            if event is None or event.value is None or self.is_typevar(symbol):
                return None
            return self.annotation(symbol.module, event.value, None, depth + 1)
        return TypeRef(symbol) if symbol.kind in ("class", "external") else None

    def _subscript(self, module: str, expr: Subscript, bindings: Bindings, depth: int) -> TypeRef | None:
        head = self.index.resolve_expr(module, expr.value)
        items = _items(expr.slice)
        if head.dotted in _TRANSPARENT:
            return self.annotation(module, items[0], bindings, depth + 1) if items else None
        args = [self.annotation(module, item, bindings, depth + 1) for item in items]
        if head.dotted in _UNION_HEADS:
            return _union(args + ([TypeRef(NONE)] if head.dotted.endswith("Optional") else []))
        if head.kind not in ("class", "external") or any(a is None for a in args):
            return TypeRef(head) if head.kind in ("class", "external") else None
        return TypeRef(head, tuple(a for a in args if a is not None))

    def is_typevar(self, symbol: Symbol) -> bool:
        return is_typevar(self.index, symbol)

    # ------------------------------------------------------------------ generics

    def type_parameters(self, cls: Symbol) -> list[str]:
        """`Generic[A, B]` / `Protocol[A]` (PEP 695 classes arrive lowered to `Generic[...]`), else
        the type variables of the subscripted bases, in order."""
        fact = self.index.class_fact(cls)
        if fact is None:
            return []
        found: list[str] = []
        for base in fact.bases:
            if not isinstance(base, Subscript):
                continue
            names = [dotted(item) for item in _items(base.slice)]
            if (dotted(base.value) or "").rsplit(".", 1)[-1] in _GENERIC_BASES:
                return [n for n in names if n]
            for name in names:
                if name and name not in found and self._names_typevar(cls.module, name):
                    found.append(name)
        return found

    def _names_typevar(self, module: str, name: str) -> bool:
        symbol = self.index.resolve_name(module, name)
        return self.is_typevar(symbol) or not symbol.known

    def bindings_for(self, receiver: TypeRef, owner: Symbol, depth: int = 0) -> Bindings | None:
        """What `owner`'s type variables are for a value of type `receiver` (owner in its MRO)."""
        if depth > MAX_DEPTH or receiver.symbol.kind != "class":
            return None
        own = dict(zip(self.type_parameters(receiver.symbol), receiver.args))
        if receiver.symbol == owner:
            return own
        fact = self.index.class_fact(receiver.symbol)
        for base in fact.bases if fact else []:
            base_type = self.annotation(receiver.symbol.module, base, own)
            if base_type is not None:
                found = self.bindings_for(base_type, owner, depth + 1)
                if found is not None:
                    return found
        return None

    # ------------------------------------------------------------------ members

    def method_return(self, receiver: TypeRef, name: str, depth: int = 0) -> TypeRef | None:
        """What calling `receiver.name(...)` gives, awaited if the method is async."""
        if receiver.symbol.kind != "class":
            return None
        found = self.index.method(receiver.symbol, name)
        if found is None:
            return None
        symbol, function = found
        owner = Symbol("class", symbol.module, function.class_name or "")
        bindings = {**(self.bindings_for(receiver, owner) or {}), "Self": receiver}
        if function.returns is not None:
            return self.annotation(symbol.module, function.returns, bindings)
        return self.inferred_return(symbol.module, function, receiver, depth + 1)

    def attribute(self, cls: TypeRef, name: str) -> TypeRef | None:
        """`self.name` in a class: a class-level annotation, or what `__init__` assigns."""
        for owner in self.index.mro(cls.symbol):
            fact = self.index.class_fact(owner)
            if fact is None:
                continue
            for field_fact in fact.fields:
                if field_fact.name == name and field_fact.annotation is not None:
                    return self.annotation(owner.module, field_fact.annotation, self.bindings_for(cls, owner))
            init = self.index.function_fact(Symbol("function", owner.module, f"{owner.name}.__init__"))
            if init is not None:
                found = self._assigned_in(owner.module, init, name, TypeRef(owner))
                if found is not None:
                    return found
            declared = self.index.function_fact(Symbol("function", owner.module, f"{owner.name}.{name}"))
            if declared is not None and any((dotted(d) or "").endswith("declared_attr") for d in declared.decorators):
                # `@declared_attr def items(cls) -> Mapped[list[Item]]`: the class attribute it declares
                return self.annotation(owner.module, declared.returns, self.bindings_for(cls, owner))
        return None

    def _assigned_in(self, module: str, init: FunctionFact, name: str, cls: TypeRef) -> TypeRef | None:
        for event in init.events:
            if event.kind in ("assign", "annassign") and event.target == Attribute(Name("self"), name):
                if event.annotation is not None:
                    return self.annotation(module, event.annotation)
                return self.expression(module, init, event.value, cls, event.span.line)
        return None

    # ------------------------------------------------------------------ expressions

    def expression(self, module: str, function: FunctionFact, expr: Expr | None, cls: TypeRef | None,
                   line: int, depth: int = 0) -> TypeRef | None:
        """The type of `expr` evaluated in `function` at `line` (awaits unwrapped)."""
        if depth > MAX_DEPTH:
            self._cut = True
        if expr is None or depth > MAX_DEPTH:
            return None
        match expr:
            case Await(value):
                return self.expression(module, function, value, cls, line, depth + 1)
            case Name(name):
                return self._name(module, function, name, cls, line, depth)
            case Attribute(value, attr):
                owner = self.expression(module, function, value, cls, line, depth + 1)
                if owner is not None:
                    return self.attribute(owner, attr) if owner.symbol.kind == "class" else None
                return self.global_value(self.index.resolve_expr(module, expr), depth)  # `crud.user`
            case Call():
                return self._call(module, function, expr, cls, line, depth)
        return None

    def _name(self, module: str, function: FunctionFact, name: str, cls: TypeRef | None, line: int,
              depth: int) -> TypeRef | None:
        if name == "self" and cls is not None and function.params and function.params[0].name == "self":
            return cls
        assigned = last_binding(function.events, name, line)
        if assigned is not None and assigned.kind == "with":
            entered = self.expression(module, function, assigned.value, cls, assigned.span.line, depth + 1)
            return yielded(entered)
        if assigned is not None:
            if assigned.annotation is not None:
                return self.annotation(module, assigned.annotation)
            return self.expression(module, function, assigned.value, cls, assigned.span.line, depth + 1)
        for param in function.params:
            if param.name == name:
                return self.annotation(module, param.annotation)
        if binds_locally(function, name) or self._enclosing_binds(module, function, name):
            return None  # a loop variable, a `with` target, a closure's variable...: unknown
        return self.global_value(self.index.resolve_name(module, name), depth)

    def _enclosing_binds(self, module: str, function: FunctionFact, name: str) -> bool:
        """Whether a function around a nested one binds `name` (its parameter or local)."""
        qualname = function.qualname
        while function.nested and ".<locals>." in qualname:
            qualname = qualname.rsplit(".<locals>.", 1)[0]
            outer = self.index.function_fact(Symbol("function", module, qualname))
            if outer is None:
                return False
            if any(p.name == name for p in outer.params) or binds_locally(outer, name):
                return True
            function = outer
        return False

    def global_value(self, symbol: Symbol, depth: int = 0) -> TypeRef | None:
        """A module-level object (`user_dao = CRUDUser(User)`): its annotation (wherever the module
        declares it), else its value."""
        event = self.index.declaration(symbol) or self.index.assignment(symbol)
        if event is None or depth > MAX_DEPTH:
            return None
        if event.annotation is not None:
            return self.annotation(symbol.module, event.annotation)
        return self.expression(symbol.module, MODULE_SCOPE, event.value, None, 0, depth + 1)

    def _call(self, module: str, function: FunctionFact, call: Call, cls: TypeRef | None, line: int,
              depth: int) -> TypeRef | None:
        func = call.func
        if isinstance(func, Attribute):
            receiver = self.expression(module, function, func.value, cls, line, depth + 1)
            owner = self.index.resolve_expr(module, func.value) if receiver is None else receiver.symbol
            if receiver is None and owner.kind == "class":  # `ItemRepository.from_session(...)`
                receiver = TypeRef(owner)
            if receiver is not None and not receiver.symbol.dotted.startswith(_SQL_MODULES):
                return self.method_return(receiver, func.attr, depth + 1)
            found = self._sql_call(module, function, call, func.attr, receiver, cls, line, depth)
            if found is not None or receiver is not None:
                return found
        symbol = self.index.resolve_expr(module, func)
        if symbol.kind == "external" and symbol.dotted.startswith(_SQL_MODULES) and symbol.dotted.endswith(".select"):
            selected = self._model_argument(module, call, entities=True)  # `select(Item)`
            return TypeRef(SELECT, (selected,)) if selected is not None else None
        if symbol.kind == "class" or (symbol.kind == "external" and symbol.dotted.rsplit(".", 1)[-1][:1].isupper()):
            return TypeRef(symbol)  # a library's class by its (PEP 8) name: `httpx.Client()`
        target = self.index.function_fact(symbol)
        if target is None or target.class_name is not None:
            return None
        if target.returns is not None:
            return self.annotation(symbol.module, target.returns)
        return self.inferred_return(symbol.module, target, None, depth + 1)

    # ------------------------------------------------------------------ SQLAlchemy results

    def _model_argument(self, module: str, call: Call, entities: bool) -> TypeRef | None:
        """`Item` in `query(Item)`, `select(Item)`, `get(Item, id)`: a project class; a query or
        select of several `entities` gives rows, not models."""
        args = call_args(call)
        if not args or (entities and len(args) > 1):
            return None
        symbol = self.index.resolve_expr(module, args[0])
        return TypeRef(symbol) if symbol.kind == "class" else None

    def _sql_call(self, module: str, function: FunctionFact, call: Call, method: str, receiver: TypeRef | None,
                  cls: TypeRef | None, line: int, depth: int) -> TypeRef | None:
        """A call on a session, a statement or a result (`receiver` None: a session of unknown type)."""
        kind = receiver.symbol if receiver is not None else None
        if kind in (QUERY, SELECT, RESULT, SCALARS):
            assert receiver is not None
            if not receiver.args:
                return None  # annotated `q: Query`: of what, unknown
            model = receiver.args[0]
            if method in _REFINING:
                return receiver
            if kind == RESULT and method in ("scalars", "unique"):
                return TypeRef(SCALARS, (model,)) if method == "scalars" else receiver
            if kind == RESULT and not method.startswith("scalar"):
                return None  # rows, not models
            if kind == SELECT:
                return None
            return self._taken(model, method)
        if method in ("query", "get", "get_one"):
            entity = self._model_argument(module, call, entities=method == "query")
            if entity is None:
                return None
            return TypeRef(QUERY, (entity,)) if method == "query" else self._taken(entity, method)
        if method not in ("execute", "exec", "scalars", "scalar") or not call_args(call):
            return None
        statement = self.expression(module, function, call_args(call)[0], cls, line, depth + 1)
        if statement is None or statement.symbol != SELECT:
            return None
        selected = statement.args[0]
        if method == "execute":
            return TypeRef(RESULT, (selected,))
        return TypeRef(SCALARS, (selected,)) if method in ("exec", "scalars") else _optional(selected)

    @staticmethod
    def _taken(model: TypeRef, method: str) -> TypeRef | None:
        """What a query or result's `first()`, `one()`, `all()`... gives."""
        if method == "all":
            return TypeRef(LIST, (model,))
        if method in _ONE:
            return model
        return _optional(model) if method in _ONE_OR_NONE else None

    def inferred_return(self, module: str, function: FunctionFact, cls: TypeRef | None,
                        depth: int = 0) -> TypeRef | None:
        """An unannotated function's return type, when every `return` has a known type."""
        key = (Symbol("function", module, function.qualname), cls.args if cls else ())
        if key in self._returns:
            return self._returns[key]
        if key in self._active or depth > MAX_DEPTH:
            self._cut = True  # a cycle, or too deep: unknown here, and nothing above it is cached
            return None
        self._active.add(key)
        outer_cut, self._cut = self._cut, False
        returned = [e for e in function.events if e.kind == "return"]
        types = [self.expression(module, function, e.value, cls, e.span.line, depth) for e in returned]
        result = _union(types) if returned and all(types) else None
        if not self._cut:  # a result that depends on where the walk started is not kept
            self._returns[key] = result
        self._cut = self._cut or outer_cut
        self._active.discard(key)
        return result


MODULE_SCOPE = FunctionFact("<module>", "<module>", NOWHERE, 0, False, None, False)


def is_typevar(index: SymbolIndex, symbol: Symbol) -> bool:
    """`ModelT = TypeVar("ModelT", ...)` at module level."""
    event = index.assignment(symbol)
    if event is None or not isinstance(event.value, Call):
        return False
    return index.resolve_expr(symbol.module, event.value.func).dotted in _TYPEVARS


def binds_locally(function: FunctionFact, name: str) -> bool:
    """Whether `name` is a local of `function` (so a module-level object of that name is hidden)."""
    target = Name(name)
    return any(e.target is not None and e.kind in _BINDING_EVENTS and target in walk(e.target)
               for e in function.events)


def last_assignment(events: list[Event], name: str, line: int) -> Event | None:
    """The assignment that bound `name` last before `line`; None when a `with` did (its result unknown here)."""
    found = last_binding(events, name, line)
    return None if found is None or found.kind == "with" else found


def last_binding(events: list[Event], name: str, line: int) -> Event | None:
    """`last_assignment`, or the `with` statement that bound `name` last (its value the context
    manager's expression)."""
    found = None
    for event in events:
        if event.span.line >= line:
            break
        if event.kind in ("assign", "annassign", "with") and event.target == Name(name):
            found = event
    return found


# What `@contextmanager`/`@asynccontextmanager` functions are annotated to return; `with f() as x`
# binds the type they yield.
_GENERATORS = frozenset(f"{module}.{name}" for module in ("typing", "collections.abc")
                        for name in ("Iterator", "AsyncIterator", "Generator", "AsyncGenerator", "Iterable",
                                     "AsyncIterable"))
# A context manager typed by what entering it gives (`-> AbstractAsyncContextManager[AsyncSession]`).
_CONTEXT_MANAGERS = frozenset({"contextlib.AbstractAsyncContextManager", "contextlib.AbstractContextManager",
                               "typing.AsyncContextManager", "typing.ContextManager"})


_HANDING_OUT = _GENERATORS | _CONTEXT_MANAGERS


def yielded(entered: TypeRef | None) -> TypeRef | None:
    """The type a `with` target gets from a context manager of type `entered`: what a generator
    context manager yields. Any other's `__enter__` may give anything: unknown."""
    if entered is not None and entered.symbol.dotted in _HANDING_OUT and entered.args:
        return entered.args[0]
    return None


def handed_out(index: SymbolIndex, module: str, returns: Expr | None) -> TypeRef | None:
    """What a function annotated to return `returns` hands out: what it yields or is entered for
    (`-> AsyncIterator[AsyncSession]`, `-> AbstractAsyncContextManager[AsyncSession]`), else what
    it returns."""
    if returns is None:
        return None
    found = TypeResolver(index).annotation(module, returns)
    return yielded(found) or found


def alternatives(found: TypeRef) -> tuple[TypeRef, ...]:
    """What a value of type `found` may be, None aside: a union's other members, or the type."""
    return tuple(t for t in (found.args if found.symbol == UNION else (found,)) if t.symbol != NONE)


def _optional(found: TypeRef) -> TypeRef:
    return TypeRef(UNION, (found, TypeRef(NONE)))


def _union(types: list[TypeRef | None]) -> TypeRef | None:
    if any(t is None for t in types):
        return None
    flat: list[TypeRef] = []
    for item in types:
        assert item is not None
        for alternative in item.args if item.symbol == UNION else (item,):
            if alternative not in flat:
                flat.append(alternative)
    return flat[0] if len(flat) == 1 else TypeRef(UNION, tuple(flat))
