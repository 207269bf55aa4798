"""Shared by LL301-LL305 and LL4xx: where a model finding goes, ID analysis, mixin suggestions."""

from __future__ import annotations

from layerlint.core.records import record
from layerlint.project.index.models import is_table_model, model_kind
from layerlint.project.index.symbols import Symbol
from layerlint.project.orm.factories import id_shape
from layerlint.project.orm.model_fields import (
    COLUMN_CALLS,
    FIELD_CALLS,
    ModelField,
    sa_name,
    tortoise_field,
)
from layerlint.project.project import Project
from layerlint.project.reading.expr import Call, Lambda, render
from layerlint.project.reading.facts import ClassFact, ModuleFacts, Span


def live_filter(project: Project, model: Symbol) -> str:
    """The filter that keeps a model's live rows: `Item.deleted_at.is_(None)`, or `.is_(False)` for a
    boolean flag configured as the soft-delete column."""
    column = project.config.soft_delete_column
    field = project.model_fields.of(model).get(column)
    flag = field is not None and is_flag(project, field)
    return f"{model_name(project, model)}.{column}.is_({'False' if flag else 'None'})"


def is_flag(project: Project, field: ModelField) -> bool:
    """A field annotated `bool` (or a Tortoise `BooleanField`): a soft-delete flag rather than a timestamp."""
    if field.value_type is not None:
        return field.value_type == "builtins.bool"
    return project.index.resolve_expr(field.annotation_module, field.annotation).dotted == "builtins.bool"


def model_site(project: Project, model: Symbol, field: ModelField | None = None) -> tuple[ModuleFacts, Span]:
    """The field's line when the model declares it itself, else the model's `class` line."""
    if field is not None and field.owner == model:
        return project.modules[model.module], field.span
    fact = project.index.class_fact(model)
    assert fact is not None
    return project.modules[model.module], fact.span


def model_name(project: Project, model: Symbol) -> str:
    fact: ClassFact | None = project.index.class_fact(model)
    return fact.name if fact else model.name


class FieldHeirs:
    """For each column: the table models grouped by the class that defines their column, once per run."""

    def __init__(self, project: Project) -> None:
        self.found: dict[str, dict[Symbol, list[Symbol]]] = {}


def heirs(project: Project, owner: Symbol, column: str) -> list[Symbol]:
    """The table models whose `column` is the one `owner` defines (`owner` too, when it is one)."""
    known = project.derived(FieldHeirs).found
    if column not in known:
        by_owner: dict[Symbol, list[Symbol]] = {}
        for model in project.tables:
            field = project.model_fields.of(model).get(column)
            if field is not None:
                by_owner.setdefault(field.owner, []).append(model)
        known[column] = by_owner
    return known[column].get(owner, [])


def heirs_note(project: Project, owner: Symbol, models: list[Symbol]) -> str:
    """` (inherited by 3 table models: `A`, `B`, `C`)`: how far a fix in `owner` reaches; empty
    when the owner is the only model concerned."""
    others = [model for model in models if model != owner]
    if not others:
        return ""
    return f" ({'also ' if owner in models else ''}inherited by {count_models(project, others)})"


def count_models(project: Project, models: list[Symbol]) -> str:
    """`2 table models: `A`, `B``; past three, the count alone."""
    count = f"{len(models)} table model{'s' if len(models) > 1 else ''}"
    if len(models) > 3:
        return count
    return f"{count}: {', '.join(f'`{model_name(project, m)}`' for m in models)}"


def _defines_column(project: Project, owner: Symbol, column: str) -> bool:
    fact = project.index.class_fact(owner)
    if fact is None:
        return False
    for field_fact in fact.fields:
        if field_fact.name != column:
            continue
        value = field_fact.value
        if fact.name.endswith("Mixin") or (isinstance(value, Call) and (
                project.index.resolve_expr(owner.module, value.func).dotted in FIELD_CALLS
                or sa_name(project.index, owner.module, value.func) in COLUMN_CALLS
                or tortoise_field(project.index, owner.module, value.func) is not None)):
            return True
    return False


class ColumnProviders:
    """The mixin or base found for each (columns, model kind) question, once per run."""

    def __init__(self, project: Project) -> None:
        self.found: dict[tuple[tuple[str, ...], str], Symbol | None] = {}


def provider_of(project: Project, model: Symbol, columns: tuple[str, ...]) -> Symbol | None:
    """A project mixin or base class (not a table model) of the model's kind that defines `columns`."""
    kind = model_kind(project.index, model)
    # One scan of the project per question, not per finding: it depends on the model's kind only.
    known = project.derived(ColumnProviders).found
    if (columns, kind) not in known:
        known[(columns, kind)] = _scan_for_provider(project, columns, kind)
    return known[(columns, kind)]


def _scan_for_provider(project: Project, columns: tuple[str, ...], kind: str) -> Symbol | None:
    ordered = sorted(project.modules.values(), key=lambda facts: facts.path)
    for facts in ordered:
        if project.role(facts.module) == "dto":
            continue
        for cls in facts.classes:
            symbol = Symbol("class", facts.module, cls.qualname)
            if all(_defines_column(project, symbol, c) for c in columns) and model_kind(
                    project.index, symbol) == kind and not is_table_model(project.index, symbol):
                return symbol
    return None


def where_to_get(project: Project, model: Symbol, columns: tuple[str, ...], example: str) -> str:
    provider = provider_of(project, model, columns)
    if provider is not None:
        return f"inherit `{model_name(project, provider)}` from `{provider.module}`"
    return f"add {example}"


_TORTOISE_DEFAULTS = {"created_at": "auto_now_add=True", "updated_at": "auto_now=True"}


def column_example(project: Project, model: Symbol, column: str, nullable: bool) -> str:
    kind = model_kind(project.index, model)
    if kind == "tortoise":
        how = "null=True" if nullable else _TORTOISE_DEFAULTS.get(column, "")
        return f"`{column} = fields.DatetimeField({how})`"
    if kind == "sqlmodel":
        annotation = "Optional[datetime]" if nullable else "datetime"
        extra = ", default=None" if nullable else ", default_factory=lambda: datetime.now(tz=timezone.utc)"
        return (f"`{column}: {annotation} = Field(sa_column=Column(DateTime(timezone=True), "
                f"nullable={nullable}){extra})`")
    annotation = "Mapped[datetime | None]" if nullable else "Mapped[datetime]"
    return f"`{column}: {annotation} = mapped_column(DateTime(timezone=True))`"


# ---------------------------------------------------------------------------------- ids


@record(frozen=True)
class IdCheck:
    model: Symbol
    field: ModelField | None
    problems: tuple[str, ...]
    prefix: str | None  # the literal prefix, when the factory makes a ULID with one


class IdChecks:
    """Each table model's id check, once per run (LL301 and LL305 both ask)."""

    def __init__(self, project: Project) -> None:
        self.found: dict[Symbol, IdCheck] = {}


def id_check(project: Project, model: Symbol) -> IdCheck:
    cache = project.derived(IdChecks).found
    found = cache.get(model)
    if found is None:
        found = cache[model] = _id_check(project, model)
    return found


def _id_check(project: Project, model: Symbol) -> IdCheck:
    fields = project.model_fields.of(model)
    field = fields.get("id")
    if field is None:
        keys = [f.name for f in fields.values() if f.primary_key]
        if len(keys) > 1:
            return IdCheck(model, None, (), None)  # a composite key: an association table, not an entity
        where = f" (the primary key is `{keys[0]}`)" if keys else ""
        return IdCheck(model, None, (f"there is no `id` field{where}",), None)
    if not field.readable:
        return IdCheck(model, field, (), None)
    problems: list[str] = []
    if field.implicit:
        problems.append("it is the integer key Tortoise adds to a model that declares none; declare a string "
                        "primary key (`id = fields.CharField(pk=True, max_length=30, default=new_<entity>_id)`)")
        return IdCheck(model, field, tuple(problems), None)
    if not _is_str(project, field) or field.optional:
        written = render(field.fact.annotation) or render(field.column_type) or "none"
        resolved = render(field.annotation)
        shown = f"`{written}`" if not resolved or resolved in written else f"`{resolved}` (`{written}`)"
        problems.append(f"its type is {shown}, not `str`")
    if not field.primary_key:
        problems.append("it is not the primary key (`primary_key=True`)")
    if field.foreign_key:  # a one-to-one extension table: the id is its parent's, made there
        return IdCheck(model, field, tuple(problems), None)
    prefix = _factory_problems(project, field, problems)
    return IdCheck(model, field, tuple(problems), prefix)


_STRING_TYPES = frozenset({"String", "Text", "Unicode", "UnicodeText", "VARCHAR", "CHAR", "TEXT", "NVARCHAR",
                           "AutoString"})


def _is_str(project: Project, field: ModelField) -> bool:
    """`id: str`, `Mapped[str]`, or an unannotated `Column(String(30), ...)`."""
    index = project.index
    if field.value_type is not None:
        return field.value_type == "builtins.str"
    if field.annotation is not None:
        return index.resolve_expr(field.annotation_module, field.annotation).dotted == "builtins.str"
    column = field.column_type
    if column is None:
        return False
    return sa_name(index, field.column_module, column.func if isinstance(column, Call) else column) in _STRING_TYPES


def _factory_problems(project: Project, field: ModelField, problems: list[str]) -> str | None:
    if field.factory is None:
        keyword = "default_factory" if model_kind(project.index, field.owner) == "sqlmodel" else "default"
        problems.append(f"it has no default factory (`{keyword}=new_<entity>_id`)")
        return None
    shape = id_shape(project.index, field.module, field.factory)
    what = "its lambda" if isinstance(field.factory, Lambda) else f"its factory `{render(field.factory)}`"
    if not shape.known:
        return None  # an external or unreadable factory: no guessing
    if not shape.ulid:
        problems.append(f"{what} does not make a ULID (`f\"<prefix>_{{ULID()}}\"`)")
        return None
    if shape.prefix is None:
        if not shape.written_prefix:
            problems.append(f"{what} makes a ULID without an entity prefix (`f\"itm_{{ULID()}}\"`)")
        return None
    if not project.config.id_prefix_matches(shape.prefix):
        problems.append(f"the prefix `{shape.prefix}` does not match `{project.config.id_prefix}` "
                        "(models.id-prefix)")
    return shape.prefix
