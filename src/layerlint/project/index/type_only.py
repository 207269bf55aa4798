"""Which imports a module needs only as types: the one place that answers "is this import used
only as a type?".

An import is used only as a type when it never runs (under `if TYPE_CHECKING:`), or when the
name it binds is used, and every use is in an annotation (string annotations included), or is
of a type alias (`Row = tuple[str, int]`, `Row: TypeAlias = ...`, `type Row = ...`) in a place
where run-time code takes a type: `cast(Row, x)`, a subscript (`list[Row]`), a union (`Row |
None`). Such an import gives the module nothing to call. Everything else is a run-time use:
calls, attributes, arguments, decorators, bases, defaults, names listed in `__all__`, and an
import nothing uses (a re-export, or one imported for its side effects).

Some annotations run, or name what runs: any call in them; `Annotated[T, ...]`'s metadata
(`Depends(get_rows)`), also through an imported alias (`user: CurrentUser`, where
`CurrentUser = Annotated[User, Depends(get_current_user)]`); and the class of a parameter FastAPI
fills from a dependency (`server: Server = Depends(get_server)`, `Annotated[Server,
Depends(...)]`): the function gets that object and calls it, and a bare `Depends()` builds the
class itself; not when that annotation is an alias of library types alone (`send: SendTask =
Depends(get_sender)` with `SendTask = Callable[..., None]`): the object comes from the dependency,
and the alias's module holds none of its code. A module with an expression too deep to read keeps
all its imports.

The uses are read per top-level definition (`DefinitionUses`): the module's are their union, and
`name_reach.py` asks what one name of the module needs.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Mapping
from enum import Enum
from types import MappingProxyType
from typing import Any

from layerlint.project.index.annotated import annotated_metadata
from layerlint.project.index.kept import Kept
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import (
    Attribute,
    BinOp,
    Call,
    Constant,
    Expr,
    Name,
    Subscript,
    Tuple,
    Unknown,
    dotted,
    parse_expression,
    walk,
)
from layerlint.project.reading.facts import Event, ImportFact, ModuleFacts, ParamFact

# Written names, as the annotation spells them (the uses are read from a module's facts alone).
_DEPENDS = frozenset({"Depends", "Security"})


class Use(Enum):
    RUNTIME = "runtime"  # evaluated, and what it names may be called
    ANNOTATION = "annotation"  # read by type checkers (and by libraries that inspect annotations)
    TYPE = "type"  # evaluated where run-time code takes a type: a subscript, a union, `cast`'s first argument
    PROVIDED = "provided"  # the annotation of a parameter a dependency fills (`send: Sender = Depends(...)`)


Names = tuple[str, ...]
_NO_NAMES: Names = ()
_NO_HEADS: Mapping[str, Names] = MappingProxyType({})


class NameUses:
    """How a module uses each name, by the name's first part (`repo` for `repo.Row`); the uses
    as types keep the whole name written (`repo.Row`), which may be an alias that runs.

    Read once and kept (at 1M lines some 90,000 definitions), so held small: each name is the
    one interned string, a few names are a tuple (a head's written names are one or two, as a
    rule), and an empty mapping is one shared by all."""

    __slots__ = ("runtime", "annotation", "type", "provided", "complete", "attributes")

    def __init__(self, runtime: Collection[str] = _NO_NAMES, annotation: Mapping[str, Names] = _NO_HEADS,
                 type: Mapping[str, Names] = _NO_HEADS, provided: Mapping[str, Names] = _NO_HEADS,
                 complete: bool = True, attributes: Mapping[str, Names] = _NO_HEADS) -> None:
        self.runtime = runtime
        self.annotation = annotation
        self.type = type
        self.provided = provided
        self.complete = complete  # False: an expression was too deep to read, some uses are unknown
        # The whole names written at run time with a head an import binds (`utils.find_order`,
        # or `utils` passed along): what a module imported whole is used for.
        self.attributes = attributes

    def heads(self) -> set[str]:
        """Every name used, whatever the use."""
        return set(self.runtime).union(self.annotation, self.type, self.provided)

    def written(self, head: str) -> set[str]:
        """Every name written with this head, an import's, whatever the use."""
        found: set[str] = set()
        for kept in (self.attributes, self.annotation, self.type, self.provided):
            found.update(kept.get(head, _NO_NAMES))
        return found


class _Gathered:
    """Name uses while they are read: sets, sealed into a `NameUses` when done."""

    def __init__(self, imported: frozenset[str]) -> None:
        self.imported = imported  # the names the module's imports bind
        self.runtime: set[str] = set()
        self.annotation: dict[str, set[str]] = {}
        self.type: dict[str, set[str]] = {}
        self.provided: dict[str, set[str]] = {}
        self.attributes: dict[str, set[str]] = {}
        self.complete = True

    def add(self, written: str, use: Use) -> None:
        head = written.split(".", 1)[0]
        if use is Use.RUNTIME:
            self.runtime.add(head)
            if head in self.imported:
                self.attributes.setdefault(head, set()).add(written)
            return
        kept = self.annotation if use is Use.ANNOTATION else self.type if use is Use.TYPE else self.provided
        kept.setdefault(head, set()).add(written)

    def sealed(self) -> NameUses:
        return NameUses(_heads(self.runtime), _by_head(self.annotation), _by_head(self.type),
                        _by_head(self.provided), self.complete, _by_head(self.attributes))


def _heads(names: Iterable[str]) -> Collection[str]:
    """A few names as a tuple (a set of one to four holds 216 bytes, a tuple 48-72), many as a set."""
    found = tuple(sorted(map(sys.intern, set(names))))
    return found if len(found) <= _FEW else frozenset(found)


_FEW = 16


def _by_head(kept: Mapping[str, Iterable[str]]) -> Mapping[str, Names]:
    if not kept:
        return _NO_HEADS
    return {sys.intern(head): tuple(sorted(map(sys.intern, written))) for head, written in kept.items()}


def used_only_as_type(index: SymbolIndex, module: str, item: ImportFact, parts: Collection[NameUses]) -> bool:
    """Whether `item`, an import of `module` whose uses these are (by definition, or some
    definitions' together: they are not merged, which at 1M lines held 40 MB more), is used only
    as a type."""
    if item.type_checking:
        return True
    bound = item.bound
    if item.name == "*" or any(not part.complete or bound in part.runtime for part in parts):
        return False
    annotations = {written for part in parts for written in part.annotation.get(bound, _NO_NAMES)}
    types = {written for part in parts for written in part.type.get(bound, _NO_NAMES)}
    provided = {written for part in parts for written in part.provided.get(bound, _NO_NAMES)}
    if types and not is_type_alias(index, item):
        return False
    if provided and not all(_library_alias(index, module, written) for written in provided):
        return False  # the function gets an object of that class and calls it
    written_types = annotations | types | provided
    return bool(written_types) and not any(_runs(index, module, written) for written in written_types)


def is_type_alias(index: SymbolIndex, item: ImportFact) -> bool:
    """`from m import Row` where m defines `Row = tuple[...]`, `Row = A | B` or `Row: TypeAlias = ...`
    (and `type Row = ...`, which the reading lowers to an assignment) at module level."""
    if item.kind != "from":
        return False
    event = index.assignment(index.resolve_import(item))
    return event is not None and _defines_alias(event)


def _defines_alias(event: Event) -> bool:
    """A module-level assignment of a type alias: `Row: TypeAlias = ...`, `Row = tuple[...]`, `A | B`."""
    if event.kind == "annassign":
        return _last_name(event.annotation) == "TypeAlias"
    value = event.value
    return isinstance(value, Subscript) or isinstance(value, BinOp) and value.op == "|"


def _library_alias(index: SymbolIndex, module: str, written: str) -> bool:
    """`written` names a type alias built from library types alone (`SendTask = Callable[..., None]`):
    a parameter a dependency fills with such a type gets an object whose code the alias's module
    does not hold, so the import gives the function nothing to call."""
    symbol = _written_symbol(index, module, written)
    event = index.assignment(symbol)
    if event is None or event.value is None or not _defines_alias(event):
        return False
    return all(index.resolve_expr(symbol.module, node).kind == "external"
               for node in walk(event.value) if isinstance(node, (Name, Attribute)))


def _written_symbol(index: SymbolIndex, module: str, written: str) -> Symbol:
    head, *attributes = written.split(".")
    symbol = index.resolve_name(module, head)
    for attribute in attributes:
        symbol = index.member(symbol, attribute)
    return symbol


def _runs(index: SymbolIndex, module: str, written: str) -> bool:
    """`written` (a name as `module` writes it in a type) is an alias of `Annotated[T, ...]`, whose
    metadata runs where the alias is used (FastAPI calls its `Depends(...)`)."""
    symbol = _written_symbol(index, module, written)
    event = index.assignment(symbol)
    return event is not None and bool(annotated_metadata(index, symbol.module, event.value))


class DefinitionUses:
    """How a module uses names, per top-level definition (a function, a class with its methods, a
    name a module-level assignment binds) and, under `ALWAYS`, in the statements that run when
    the module is imported: what importing one name of a module brings along (`name_reach.py`)."""

    __slots__ = ("owners",)

    def __init__(self, owners: dict[str, NameUses]) -> None:
        self.owners = owners


ALWAYS = ""  # the owner of the module-level statements that bind no one name


def _read_definitions(facts: ModuleFacts) -> DefinitionUses:
    """Every name the module's facts use, by the top-level definition that uses it."""
    return _DefinitionsReader(facts).read()


class _DefinitionsReader:
    """One module's uses, read into one `_Reader` per top-level definition."""

    def __init__(self, facts: ModuleFacts) -> None:
        self.facts = facts
        self.imported = frozenset(item.bound for item in facts.imports)
        self.readers: dict[str, _Reader] = {}

    def reader(self, owner: str) -> _Reader:
        found = self.readers.get(owner)
        if found is None:
            found = self.readers[owner] = _Reader(self.imported)
        return found

    def read(self) -> DefinitionUses:
        facts = self.facts
        for event in facts.events:
            module_level = self.reader(_bound_name(event))
            module_level.event(event)
            module_level.exported(event)
        for function in facts.functions:
            in_function = self.reader(function.qualname.split(".", 1)[0])
            in_function.all(function.decorators, Use.RUNTIME)
            for param in function.params:
                in_function.param(param)
            in_function.read(function.returns, Use.ANNOTATION)
            for event in function.events:
                in_function.event(event)
        for cls in facts.classes:
            in_class = self.reader(cls.qualname.split(".", 1)[0])
            in_class.all([*cls.bases, *cls.keywords.values(), *cls.decorators], Use.RUNTIME)
            for class_field in cls.fields:
                in_class.read(class_field.annotation, Use.ANNOTATION)
                in_class.read(class_field.value, Use.RUNTIME)
        return DefinitionUses({sys.intern(owner): read.uses.sealed() for owner, read in self.readers.items()})


def _bound_name(event: Event) -> str:
    """The one name a module-level assignment binds (`service = Service(Repository())`), whose
    definition its value is; `__all__` for any statement that builds it (what it lists matters to
    `import *` and to whoever takes the whole module); `ALWAYS` for any other statement, which
    runs on import."""
    target = event.target
    if isinstance(target, Name):
        if target.id == "__all__":
            return "__all__"
        return target.id if event.kind in ("assign", "annassign") else ALWAYS
    if event.kind == "expr" and isinstance(event.value, Call) and (dotted(event.value.func) or "").startswith("__all__."):
        return "__all__"  # `__all__.extend([...])`
    return ALWAYS


def _encode_uses(uses: NameUses) -> list[Any]:
    return [sorted(uses.runtime), dict(uses.annotation), dict(uses.type), dict(uses.provided), uses.complete,
            dict(uses.attributes)]


def _decode_uses(stored: Any) -> NameUses:
    if type(stored) is not list or len(stored) != 6:
        raise ValueError("not stored name uses")
    runtime, annotation, type_uses, provided, complete, attributes = stored
    if not (_strings(runtime) and _names_to_strings(annotation) and _names_to_strings(type_uses)
            and _names_to_strings(provided) and type(complete) is bool and _names_to_strings(attributes)):
        raise ValueError("not stored name uses")
    return NameUses(_heads(runtime), _by_head(annotation), _by_head(type_uses),
                    _by_head(provided), complete, _by_head(attributes))


def _encode_definitions(uses: DefinitionUses) -> dict[str, list[Any]]:
    return {owner: _encode_uses(owner_uses) for owner, owner_uses in uses.owners.items()}


def _decode_definitions(stored: Any) -> DefinitionUses:
    if type(stored) is not dict:
        raise ValueError("not stored definition uses")
    return DefinitionUses({str(owner): _decode_uses(owner_uses) for owner, owner_uses in stored.items()})


def _strings(value: Any) -> bool:
    return type(value) is list and all(type(item) is str for item in value)


def _names_to_strings(value: Any) -> bool:
    return type(value) is dict and all(_strings(item) for item in value.values())


# The names each top-level definition of a module uses; kept between runs by the check cache
# while the module's facts are the same.
definition_uses: Kept[DefinitionUses] = Kept("definition_uses", _read_definitions, _encode_definitions,
                                             _decode_definitions)


def _last_name(expr: Expr | None) -> str:
    return (dotted(expr) or "").rsplit(".", 1)[-1]


def _is_dependency(expr: Expr | None) -> bool:
    """`Depends(...)` or `Security(...)`: FastAPI fills the parameter with what it provides."""
    return isinstance(expr, Call) and _last_name(expr.func) in _DEPENDS


class _Reader:
    def __init__(self, imported: frozenset[str] = frozenset()) -> None:
        self.uses = _Gathered(imported)

    def add(self, written: str, use: Use) -> None:
        self.uses.add(written, use)

    def all(self, exprs: list[Expr], use: Use) -> None:
        for expr in exprs:
            self.read(expr, use)

    def event(self, event: Event) -> None:
        self.read(event.target, Use.RUNTIME)
        self.read(event.value, Use.RUNTIME)
        self.read(event.annotation, Use.ANNOTATION)

    def exported(self, event: Event) -> None:
        """The names a module-level `__all__ = [...]` (or `+=`, `.extend`) lists are re-exported."""
        if Name("__all__") in (*walk(event.target), *walk(event.value)):
            for node in walk(event.value):
                if isinstance(node, Constant) and isinstance(node.value, str):
                    self.add(node.value, Use.RUNTIME)

    def param(self, param: ParamFact) -> None:
        if not _is_dependency(param.default):
            self.read(param.annotation, Use.ANNOTATION)
        elif isinstance(param.annotation, (Name, Attribute)) and dotted(param.annotation) is not None:
            self.add(dotted(param.annotation) or "", Use.PROVIDED)  # a class, or an alias: decided with the index
        else:
            self.read(param.annotation, Use.RUNTIME)
        self.read(param.default, Use.RUNTIME)

    def read(self, expr: Expr | None, use: Use) -> None:
        match expr:
            case None:
                return
            case Name() | Attribute() if (written := dotted(expr)) is not None:
                self.add(written, use)
            case Attribute(value):
                self.read(value, use)
            case Constant(str() as text) if use is not Use.RUNTIME:
                reference = parse_expression(text)  # a forward reference
                if not isinstance(reference, Constant):  # `"..."` is itself again
                    self.read(reference, use)
            case Call():
                self.call(expr)
            case Subscript():
                self.subscript(expr, use)
            case BinOp("|", left, right):
                inner = Use.TYPE if use is Use.RUNTIME else use
                self.read(left, inner)
                self.read(right, inner)
            case Unknown():
                self.uses.complete = self.uses.complete and use is Use.ANNOTATION
            case _:
                self.all(expr.children(), use)

    def call(self, call: Call) -> None:
        self.read(call.func, Use.RUNTIME)
        arguments = call.arguments
        if _last_name(call.func) == "cast" and call.args:
            self.read(call.args[0], Use.TYPE)
            arguments = [*call.args[1:], *call.kwargs.values()]
        self.all(arguments, Use.RUNTIME)

    def subscript(self, expr: Subscript, use: Use) -> None:
        self.read(expr.value, use)
        inner = Use.TYPE if use is Use.RUNTIME else use
        head = _last_name(expr.value)
        if head == "Literal":
            return  # its strings are values, not forward references
        if head == "Annotated" and isinstance(expr.slice, Tuple) and expr.slice.elts:
            first, *metadata = expr.slice.elts
            self.all(metadata, Use.RUNTIME)
            self.read(first, Use.RUNTIME if any(_is_dependency(m) for m in metadata) else inner)
            return
        self.read(expr.slice, inner)
