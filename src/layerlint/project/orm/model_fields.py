"""A table model's columns: annotation, column type, primary key, nullability, defaults and factory.

Fields come from the model and every project base and mixin (`SymbolIndex.fields` walks the MRO);
each is read in the module that defines it, so `Field(...)`, `Column(...)`, `mapped_column(...)`,
`sa_column=`, `sa_type=` and `sa_column_kwargs=` resolve where they were written. Tortoise ORM
fields (`fields.CharField(pk=True, max_length=30)`, `fields.DatetimeField(null=True)`) carry no
annotation: their Python type comes from the field class (`value_type`), and a Tortoise model that
declares no primary key gets the `id = fields.IntField(pk=True)` Tortoise adds (`implicit`).
"""

from __future__ import annotations

from layerlint.core.records import record
from layerlint.project.index.annotated import annotated_parts
from layerlint.project.index.models import is_sqlmodel, is_tortoise
from layerlint.project.index.symbols import Symbol, SymbolIndex
from layerlint.project.reading.expr import (
    Attribute,
    BinOp,
    Call,
    Constant,
    Dict,
    Expr,
    IfExp,
    Lambda,
    Name,
    Subscript,
    Tuple,
    call_args,
    call_kwargs,
    constant,
    dotted,
)
from layerlint.project.reading.facts import FieldFact, Span

FIELD_CALLS = frozenset({"sqlmodel.Field", "sqlmodel.main.Field"})
COLUMN_CALLS = frozenset({"Column", "mapped_column"})
DATETIME_TYPES = frozenset({"DateTime", "DATETIME", "TIMESTAMP"})
DEFAULT_KEYS = ("default", "default_factory", "insert_default", "onupdate", "server_default", "server_onupdate")
_SA_MODULES = ("sqlalchemy", "sqlmodel")
_NOT_TYPES = frozenset({"ForeignKey", "Identity", "Sequence", "Computed"})
TORTOISE_FIELDS = "tortoise.fields"
# The Python value of each Tortoise field class (by its last name; subclasses in the project keep
# their base's): what an annotation says for the other ORMs.
_TORTOISE_VALUES = {
    "IntField": "builtins.int", "BigIntField": "builtins.int", "SmallIntField": "builtins.int",
    "CharField": "builtins.str", "TextField": "builtins.str", "UUIDField": "uuid.UUID",
    "DatetimeField": "datetime.datetime", "BooleanField": "builtins.bool",
}
_TORTOISE_RELATIONS = frozenset({"ForeignKeyField", "OneToOneField"})


@record(frozen=True)
class ModelField:
    name: str
    owner: Symbol  # the class that defines it: the model, a project base or a mixin
    fact: FieldFact
    annotation: Expr | None  # Mapped[...] and Optional[...] unwrapped
    optional: bool  # the annotation allows None
    column_type: Expr | None  # as written: DateTime(timezone=True), String(30), ...
    primary_key: bool
    nullable: bool
    defaults: tuple[tuple[str, Expr, str], ...]  # (keyword, value, module written in): defaults, onupdate
    factory: Expr | None  # what makes the default: default_factory, or a callable SQLAlchemy default
    readable: bool  # False: the column comes from a helper call this analysis does not follow
    annotation_module: str  # where `annotation` is written (an `Annotated` alias may live elsewhere)
    column_module: str  # where `column_type` is written
    foreign_key: bool = False  # `foreign_key=...` or `ForeignKey(...)`: the value comes from another table
    value_type: str | None = None  # the Python type an unannotated ORM field holds (Tortoise), dotted
    implicit: bool = False  # not written: the primary key Tortoise adds to a model that declares none

    @property
    def module(self) -> str:
        return self.owner.module

    @property
    def span(self) -> Span:
        return self.fact.span


def sa_name(index: SymbolIndex, module: str, expr: Expr | None) -> str | None:
    """The last name of what `expr` resolves to inside SQLAlchemy or SQLModel, else None."""
    symbol = index.resolve_expr(module, expr)
    if symbol.kind == "external" and symbol.dotted.startswith(_SA_MODULES):
        return symbol.dotted.rsplit(".", 1)[-1]
    return None


def unwrap_annotation(index: SymbolIndex, module: str, annotation: Expr | None) -> tuple[Expr | None, bool]:
    """`Mapped[Optional[datetime]]` -> (`datetime`, True)."""
    optional = False
    while annotation is not None:
        if isinstance(annotation, Constant) and isinstance(annotation.value, str):
            annotation = _forward_reference(annotation.value)
            if annotation is None:
                break
        if isinstance(annotation, BinOp) and annotation.op == "|":
            left, right = annotation.left, annotation.right
            if constant(right) is None and isinstance(right, Constant):
                annotation, optional = left, True
                continue
            if constant(left) is None and isinstance(left, Constant):
                annotation, optional = right, True
                continue
            return annotation, optional
        if not isinstance(annotation, Subscript):
            return annotation, optional
        head = index.resolve_expr(module, annotation.value).dotted.rsplit(".", 1)[-1]
        inner = annotation.slice
        if head == "Mapped":
            annotation = inner
        elif head == "Optional":
            annotation, optional = inner, True
        elif head == "Union" and isinstance(inner, Tuple):
            rest = [e for e in inner.elts if not (isinstance(e, Constant) and e.value is None)]
            optional = optional or len(rest) < len(inner.elts)
            annotation = rest[0] if len(rest) == 1 else annotation
            if len(rest) != 1:
                return annotation, optional
        else:
            return annotation, optional
    return annotation, optional


def _forward_reference(text: str) -> Expr | None:
    """`Mapped["datetime"]`: a quoted dotted name reads as the name (anything else stays unknown)."""
    parts = text.strip().split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    expr: Expr = Name(parts[0])
    for part in parts[1:]:
        expr = Attribute(expr, part)
    return expr


class _Reader:
    """Reads one field definition in the module that wrote it."""

    def __init__(self, index: SymbolIndex, module: str) -> None:
        self.index = index
        self.module = module
        self.kwargs: dict[str, Expr] = {}
        self.column_type: Expr | None = None
        self.defaults: list[tuple[str, Expr]] = []
        self.column_defaults: list[Expr] = []
        self.readable = True
        self.foreign_key = False
        self.value_type: str | None = None

    def read(self, value: Expr | None) -> bool:
        """Whether `value` is a column definition at all (Field/Column/mapped_column)."""
        if not isinstance(value, Call):
            return False
        symbol = self.index.resolve_expr(self.module, value.func)
        if symbol.dotted in FIELD_CALLS:
            self._field(value)
            return True
        if sa_name(self.index, self.module, value.func) in COLUMN_CALLS:
            self._column(value)
            return True
        field_class = tortoise_field(self.index, self.module, value.func)
        if field_class is not None:
            self._tortoise(value, field_class)
            return True
        return False

    def _tortoise(self, call: Call, field_class: str) -> None:
        """`fields.CharField(pk=True, max_length=30)`: Tortoise fields are NOT NULL unless `null=True`."""
        kwargs = call_kwargs(call)
        self.column_type = call
        self.value_type = _TORTOISE_VALUES.get(field_class)
        self.foreign_key = field_class in _TORTOISE_RELATIONS
        primary = kwargs.get("pk", kwargs.get("primary_key"))
        if primary is not None:
            self.kwargs["primary_key"] = primary
        self.kwargs["nullable"] = kwargs.get("null", Constant(False))
        if kwargs.get("default") is not None:
            self.defaults.append(("default", kwargs["default"]))
            self.column_defaults.append(kwargs["default"])  # Tortoise calls a callable default per row

    def _field(self, call: Call) -> None:
        kwargs = call_kwargs(call)
        args = call_args(call)
        if args and not (isinstance(args[0], Constant) and args[0].value in (None, "...")):
            self.defaults.append(("default", args[0]))
        self._keywords(kwargs, column=False)
        if "sa_type" in kwargs:
            self.column_type = kwargs["sa_type"]
        extra = kwargs.get("sa_column_kwargs")
        if isinstance(extra, Dict):
            self._keywords({str(constant(k)): v for k, v in zip(extra.keys, extra.values) if k is not None},
                           column=True)
        column = kwargs.get("sa_column")
        if isinstance(column, Call) and sa_name(self.index, self.module, column.func) in COLUMN_CALLS:
            self.kwargs.pop("nullable", None)  # SQLModel takes everything from the Column
            self._column(column)
        elif column is not None and not isinstance(column, Constant):
            self.readable = False  # sa_column=some_helper(): not followed

    def _column(self, call: Call) -> None:
        kwargs = call_kwargs(call)
        self._keywords(kwargs, column=True)
        if "type_" in kwargs:
            self.column_type = kwargs["type_"]
        for arg in call_args(call):
            if isinstance(arg, Constant):
                continue  # the column's name
            called = sa_name(self.index, self.module, arg.func if isinstance(arg, Call) else arg)
            self.foreign_key = self.foreign_key or called == "ForeignKey"
            if called not in _NOT_TYPES:
                self.column_type = self.column_type or arg  # the first other argument is the type

    def _keywords(self, kwargs: dict[str, Expr], column: bool) -> None:
        self.foreign_key = self.foreign_key or kwargs.get("foreign_key") is not None
        for key in ("primary_key", "nullable"):
            if key in kwargs:
                self.kwargs[key] = kwargs[key]
        for key in DEFAULT_KEYS:
            if kwargs.get(key) is not None:
                self.defaults.append((key, kwargs[key]))
        for key in ("default", "insert_default") if column else ():  # SQLAlchemy calls a callable per row
            if kwargs.get(key) is not None:
                self.column_defaults.append(kwargs[key])

    def factory(self) -> Expr | None:
        for key, value in self.defaults:
            if key == "default_factory":
                return value
        for value in self.column_defaults:
            if isinstance(value, Lambda):
                return value
            if isinstance(value, (Name, Attribute)) and self.index.resolve_expr(self.module, value).kind in ("function", "external"):
                return value
        return None


@record
class _Typing:
    """What the annotation says, after `Mapped[...]`, `Optional[...]` and `Annotated` aliases."""

    annotation: Expr | None
    optional: bool
    annotation_module: str
    column_module: str
    alias_defaults: list[tuple[str, Expr, str]]


def _typing(index: SymbolIndex, owner: Symbol, fact: FieldFact, reader: _Reader) -> _Typing:
    annotation, optional = unwrap_annotation(index, owner.module, fact.annotation)
    found = _Typing(annotation, optional, owner.module, owner.module, [])
    alias = _annotated(index, owner.module, annotation)
    if alias is None:
        return found
    # `Mapped[str_pk]` with `str_pk = Annotated[str, mapped_column(primary_key=True)]` in any module:
    # the alias's column settings apply unless the field's own call overrides them.
    found.annotation_module, inner, extras = alias
    found.annotation, more = unwrap_annotation(index, found.annotation_module, inner)
    found.optional = optional or more
    base = _Reader(index, found.annotation_module)
    for extra in extras:
        _read_branches(base, extra)
    for key, value in base.kwargs.items():
        reader.kwargs.setdefault(key, value)
    found.alias_defaults = [(key, value, found.annotation_module) for key, value in base.defaults]
    if reader.column_type is None and base.column_type is not None:
        reader.column_type, found.column_module = base.column_type, found.annotation_module
    return found


def _read_branches(reader: _Reader, extra: Expr) -> None:
    """`mapped_column(...) if setting else mapped_column(...)`: keep what both branches say alike."""
    if not isinstance(extra, IfExp):
        reader.read(extra)
        return
    left, right = _Reader(reader.index, reader.module), _Reader(reader.index, reader.module)
    if not (left.read(extra.body) and right.read(extra.orelse)):
        return
    for key, value in left.kwargs.items():
        if right.kwargs.get(key) == value:
            reader.kwargs.setdefault(key, value)
    if left.column_type == right.column_type:
        reader.column_type = reader.column_type or left.column_type


def tortoise_field(index: SymbolIndex, module: str, func: Expr) -> str | None:
    """The Tortoise field class a call makes (`fields.IntField`, or a project subclass of one), by name."""
    symbol = index.resolve_expr(module, func)
    for found in index.mro(symbol) if symbol.kind == "class" else (symbol,):
        if found.kind == "external" and found.dotted.startswith(TORTOISE_FIELDS + "."):
            return found.dotted.rsplit(".", 1)[-1]
    return None


def read_field(index: SymbolIndex, model: Symbol, name: str, fact: FieldFact, owner: Symbol) -> ModelField:
    reader = _Reader(index, owner.module)
    if not reader.read(fact.value) and fact.value is not None:
        if isinstance(fact.value, Call):
            reader.readable = False  # a helper that builds the column, or something else entirely
        else:
            reader.defaults.append(("default", fact.value))
    typing = _typing(index, owner, fact, reader)
    primary_key = constant(reader.kwargs.get("primary_key")) is True
    nullable_expr = reader.kwargs.get("nullable")
    if nullable_expr is not None:
        nullable = constant(nullable_expr) is True
    elif isinstance(fact.value, Call) and _is_plain_column(
            index, owner.module, fact.value, is_sqlmodel(index, model), fact.annotation is not None):
        nullable = not primary_key  # Column(...) is nullable unless said otherwise
    else:
        nullable = typing.optional and not primary_key
    defaults = tuple([(k, v, owner.module) for k, v in reader.defaults] + typing.alias_defaults)
    return ModelField(name, owner, fact, typing.annotation, typing.optional, reader.column_type, primary_key,
                      nullable, defaults, reader.factory(), reader.readable, typing.annotation_module,
                      typing.column_module, reader.foreign_key, reader.value_type)


def _annotated(index: SymbolIndex, module: str,
               annotation: Expr | None) -> tuple[str, Expr | None, list[Expr]] | None:
    """`Annotated[T, extras...]`, inline or through a module-level alias in any module."""
    if annotation is None:
        return None
    if isinstance(annotation, (Name, Attribute)):
        symbol = index.resolve_expr(module, annotation)
        event = index.assignment(symbol)
        if event is None or event.value is None:
            return None
        module, annotation = symbol.module, event.value
    parts = annotated_parts(index, module, annotation)
    return (module, *parts) if parts else None


def _is_plain_column(index: SymbolIndex, module: str, value: Call, sqlmodel: bool, annotated: bool) -> bool:
    """`Column(...)`, an unannotated `mapped_column(...)` or SQLModel's `sa_column=Column(...)`: these
    are nullable unless said otherwise (an annotated `mapped_column` follows `Optional[...]`)."""
    called = sa_name(index, module, value.func)
    if called == "Column" or called == "mapped_column" and not annotated:
        return True
    column = call_kwargs(value).get("sa_column")
    return sqlmodel and isinstance(column, Call) and sa_name(index, module, column.func) == "Column"


def class_fields(index: SymbolIndex, model: Symbol) -> dict[str, tuple[FieldFact, Symbol]]:
    """`SymbolIndex.fields`, plus the columns of `declarative_base(cls=Mixin)`'s class, which every
    model of that base inherits although no `class` statement names it."""
    fields = index.fields(model)
    for ancestor in index.mro(model):
        for name, found in _declared_attributes(index, ancestor):
            fields.setdefault(name, found)
        event = index.assignment(ancestor)
        if event is None or not isinstance(event.value, Call):
            continue
        mixin = call_kwargs(event.value).get("cls")
        symbol = index.resolve_expr(ancestor.module, mixin) if mixin is not None else None
        if symbol is not None and symbol.kind == "class":
            for name, found in index.fields(symbol).items():
                fields.setdefault(name, found)
    return fields


def _declared_attributes(index: SymbolIndex, owner: Symbol) -> list[tuple[str, tuple[FieldFact, Symbol]]]:
    """`@declared_attr def deleted_at(cls) -> Mapped[...]: return mapped_column(...)` is a column."""
    fact = index.class_fact(owner)
    found: list[tuple[str, tuple[FieldFact, Symbol]]] = []
    for qualname in fact.methods if fact else ():
        function = index.function_fact(Symbol("function", owner.module, qualname))
        if function is None or not any((dotted(d) or "").endswith("declared_attr") for d in function.decorators):
            continue
        value = next((e.value for e in function.events if e.kind == "return"), None)
        found.append((function.name, (FieldFact(function.name, function.returns, value, function.span), owner)))
    return found


class ModelFields:
    """Project.model_fields: each model's column-like fields, inherited ones included, read once per run."""

    def __init__(self, index: SymbolIndex) -> None:
        self.index = index
        self._found: dict[Symbol, dict[str, ModelField]] = {}

    def of(self, model: Symbol) -> dict[str, ModelField]:
        found = self._found.get(model)
        if found is None:
            found = {}
            for name, (fact, owner) in class_fields(self.index, model).items():
                if name.startswith("__") or name == "model_config":
                    continue
                found[name] = read_field(self.index, model, name, fact, owner)
            for name, field in list(found.items()):
                target = self._synonym_of(field)
                if target in found:  # `updated_at = synonym("update_at")`: the column is `update_at`
                    found[name] = found[target]
            if is_tortoise(self.index, model) and not any(f.primary_key for f in found.values()):
                found.setdefault("id", self._implicit_id(model))
            self._found[model] = found
        return found

    def _synonym_of(self, field: ModelField) -> str | None:
        """The column `synonym("name")` (SQLAlchemy) stands for, else None."""
        value = field.fact.value
        if not isinstance(value, Call) or sa_name(self.index, field.module, value.func) != "synonym":
            return None
        args = call_args(value)
        return args[0].value if args and isinstance(args[0], Constant) and isinstance(args[0].value, str) else None

    def _implicit_id(self, model: Symbol) -> ModelField:
        """Tortoise's `id = fields.IntField(pk=True)`, placed at the model's `class` line."""
        fact = self.index.class_fact(model)
        span = fact.span if fact is not None else Span(1, 0, 1, 0)
        return ModelField("id", model, FieldFact("id", None, None, span), None, False, None, True, False, (), None,
                          True, model.module, model.module, value_type="builtins.int", implicit=True)


# Columns the bases and mixins of model libraries define, which the project cannot read: by the
# library's package, then the class name.
LIBRARY_COLUMNS: dict[str, dict[str, tuple[str, ...]]] = {
    "advanced_alchemy": {
        "AuditColumns": ("created_at", "updated_at"),
        **{f"{key}AuditBase": ("id", "created_at", "updated_at")
           for key in ("UUID", "UUIDv6", "UUIDv7", "NanoID", "BigInt", "Identity")},
        **{f"{key}Base": ("id",) for key in ("UUID", "UUIDv6", "UUIDv7", "NanoID", "BigInt", "Identity")},
    },
    "fastapi_users_db_sqlalchemy": {
        "SQLAlchemyBaseAccessTokenTable": ("token", "created_at", "user_id"),
        "SQLAlchemyBaseAccessTokenTableUUID": ("token", "created_at", "user_id"),
        "SQLAlchemyBaseUserTable": ("email", "hashed_password", "is_active", "is_superuser", "is_verified"),
        "SQLAlchemyBaseUserTableUUID": ("id", "email", "hashed_password", "is_active", "is_superuser", "is_verified"),
    },
    "fastapi_users_db_sqlmodel": {
        "SQLModelBaseAccessToken": ("token", "created_at", "user_id"),
    },
}


def library_columns(index: SymbolIndex, model: Symbol) -> frozenset[str]:
    """The columns a model inherits from library bases and mixins (`LIBRARY_COLUMNS`)."""
    found: set[str] = set()
    for base in index.mro(model):
        if base.kind != "external":
            continue
        package, name = base.dotted.split(".", 1)[0], base.dotted.rsplit(".", 1)[-1]
        found.update(LIBRARY_COLUMNS.get(package, {}).get(name, ()))
    return frozenset(found)
