"""LL301: display-only; the prefixed ULID primary key that replaces the model's own `id` field.

Never applied: changing a key's type and values needs a migration of the table and of every
foreign key to it, and the prefix (derived here from the class name) is for a person to choose.
An `id` on a mixin or base that is no table gets no fix: each table that inherits it needs a
prefix of its own, which no name here gives.
"""

from __future__ import annotations

import libcst as cst

from layerlint.core.diagnostic import Diagnostic
from layerlint.core.fix import Applicability, Fix
from layerlint.fixers.base import FixSite

_VOWELS = frozenset("aeiou")


def fix(site: FixSite, diagnostic: Diagnostic) -> Fix | None:
    statement = site.statement_at(diagnostic.line)
    if not _is_id_field(statement):
        return None
    model = _model_at(site, diagnostic.line)
    if model is None:
        return None
    name, kind, table = model
    if not table:
        return None
    prefix = id_prefix(name)
    if not site.config.id_prefix_matches(f"{prefix}_"):
        return None
    factory = f'lambda: f"{prefix}_{{ULID()}}"'
    imports = [("ulid", "ULID")]
    if kind == "sqlmodel":
        text = f"id: str = Field(default_factory={factory}, primary_key=True, max_length=30)"
        imports.append(("sqlmodel", "Field"))
    elif kind == "tortoise":
        text = f"id = fields.CharField(pk=True, max_length=30, default={factory})"
        imports.append(("tortoise", "fields"))
    elif isinstance(statement, cst.AnnAssign):
        text = f"id: Mapped[str] = mapped_column(String(30), primary_key=True, default={factory})"
        imports += [("sqlalchemy", "String"), ("sqlalchemy.orm", "Mapped"), ("sqlalchemy.orm", "mapped_column")]
    else:
        text = f"id = Column(String(30), primary_key=True, default={factory})"
        imports += [("sqlalchemy", "Column"), ("sqlalchemy", "String")]
    replacement = cst.parse_statement(f"{text}\n")
    assert isinstance(replacement, cst.SimpleStatementLine) and statement is not None
    return site.fix(f"Use a prefixed ULID key: `{prefix}_...` (then a migration)", Applicability.DISPLAY_ONLY,
                    statement, replacement.body[0], imports)


def _is_id_field(statement: cst.BaseSmallStatement | None) -> bool:
    if isinstance(statement, cst.AnnAssign):
        return isinstance(statement.target, cst.Name) and statement.target.value == "id"
    return isinstance(statement, cst.Assign) and len(statement.targets) == 1 and \
        isinstance(statement.targets[0].target, cst.Name) and statement.targets[0].target.value == "id"


def _model_at(site: FixSite, line: int) -> tuple[str, str, bool] | None:
    """The name of the model class whose field is on `line`, which ORM declares it (`model_kind`),
    and whether it is a table (not a mixin or base the tables inherit the field from)."""
    from layerlint.project.index.models import is_table_model, model_kind
    from layerlint.project.index.symbols import Symbol

    project = site.project()
    facts = next((f for f in project.modules.values() if f.path == site.path), None)
    owner = next((c for c in facts.classes if any(f.span.line == line for f in c.fields)), None) if facts else None
    if facts is None or owner is None:
        return None
    symbol = Symbol("class", facts.module, owner.qualname)
    return owner.name, model_kind(project.index, symbol), is_table_model(project.index, symbol)


def id_prefix(class_name: str) -> str:
    """Three letters from the class name: its first, then its consonants (`Item` -> `itm`,
    `Order` -> `ord`, a doubled one once); its first three letters when it has too few."""
    letters = [c for c in class_name.lower() if c.isalpha()]
    if not letters:
        return "id"
    picked = [letters[0]]
    for letter in letters[1:]:
        if letter not in _VOWELS and letter != picked[-1] and len(picked) < 3:
            picked.append(letter)
    return "".join(picked if len(picked) == 3 else letters[:3])
