"""What `layerlint init` infers about a project's layout from the model built with the defaults:
role globs for packages the defaults miss (by their names and by what their modules define), the
session dependencies and their read/write split, the base repository and the soft-delete column."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from layerlint.core.globs import match_module
from layerlint.core.records import field, record
from layerlint.project.index.models import find_table_models
from layerlint.project.orm.repositories import base_is_defined
from layerlint.project.project import Project
from layerlint.project.routing.dependencies import session_providers

# Package names that say a layer where the default globs do not look.
NAME_HINTS: dict[str, frozenset[str]] = {
    "router": frozenset({"handlers", "controllers"}),
    "service": frozenset({"logic", "usecases", "use_cases", "interactors"}),
    "repository": frozenset({"store", "stores", "dal", "dao", "daos"}),
    "model": frozenset({"entities"}),
    "dto": frozenset({"serializers", "payloads", "requests", "responses"}),
}
# Left out, as they misled on public projects: `resources` (error messages), `tables` (query
# builders' tables), `storage` and `managers` (plugin bases), `queries` (raw SQL files).
_READ_WORDS = ("read", "replica", "readonly", "ro_")
SOFT_DELETE_COLUMNS = ("deleted_at", "removed_at", "archived_at", "deleted_on", "deleted_date")


@record
class Layout:
    packages: list[str]
    roles: dict[str, list[str]] = field(default_factory=dict)  # role -> globs added to the defaults
    reasons: dict[str, str] = field(default_factory=dict)  # package -> why its globs
    found: dict[str, str] = field(default_factory=dict)  # package -> a role its modules define (no glob needed)
    providers: list[str] = field(default_factory=list)  # every session dependency found
    read_sessions: list[str] = field(default_factory=list)
    write_sessions: list[str] = field(default_factory=list)
    base_repository: str | None = None
    soft_delete_column: str | None = None


def infer_layout(project: Project) -> Layout:
    layout = Layout(sorted({module.split(".")[0] for module in project.modules}))
    _infer_roles(project, layout)
    # The rest is read with the inferred roles: a base repository is found among repositories.
    extended = tuple(sorted((role, tuple(globs)) for role, globs in layout.roles.items()))
    project = Project.build(replace(project.config, extend_roles=extended), list(project.modules.values()))
    _infer_sessions(project, layout)
    if not base_is_defined(project) and project.unconfigured_base is not None:
        layout.base_repository = project.unconfigured_base[0]
    layout.soft_delete_column = _soft_delete_column(project)
    return layout


def _infer_roles(project: Project, layout: Layout) -> None:
    """A package glob for each package whose name is a layer's (NAME_HINTS) when no module below
    it has another role already; packages whose modules get a role from what they define (an
    APIRouter, a table model) need no glob, and are only listed (`layout.found`)."""
    named: dict[str, tuple[str, str]] = {}  # package -> (role, its name)
    for module, assigned in sorted(project.roles.items()):
        parts = module.split(".")
        for depth in range(1, len(parts) - (not project.modules[module].is_package)):
            # a package's name only: `utils/serializers.py` holds helpers as often as DTOs
            hint = next((role for role, names in NAME_HINTS.items() if parts[depth] in names), None)
            if hint is not None:
                named.setdefault(".".join(parts[:depth + 1]), (hint, parts[depth]))
        if assigned.role is not None and not assigned.reason.startswith(("default layout", "configured")):
            layout.found.setdefault(".".join(parts[:-1]) or module, f"{assigned.role}: {assigned.reason}")
    for package, (role, name) in sorted(named.items()):
        below = [r.role for m, r in project.roles.items() if m == package or m.startswith(package + ".")]
        covered = any(match_module(glob, package) for glob in layout.roles.get(role, []))
        if covered or any(found not in (None, role) for found in below) or all(found == role for found in below):
            continue  # a parent's glob has it, a glob would move a module of another role, or nothing to add
        layout.roles.setdefault(role, []).extend([package, f"{package}.**"])
        layout.reasons[package] = f"the package name `{name}`"


def _infer_sessions(project: Project, layout: Layout) -> None:
    """Read and write session dependencies by name: a split only when some provider reads
    (`get_db_read_session`); the others then write. One provider alone is no split."""
    layout.providers = [f"{module}.{name}" for module, name in session_providers(project)]
    names = sorted({name for _, name in session_providers(project)})
    reads = [name for name in names if any(word in name.lower() for word in _READ_WORDS)]
    if reads and len(reads) < len(names):
        layout.read_sessions = reads
        layout.write_sessions = [name for name in names if name not in reads]


def _soft_delete_column(project: Project) -> str | None:
    """The soft-delete column the table models use, when it is not the default `deleted_at`."""
    used: Counter[str] = Counter()
    for symbol in find_table_models(project):
        fact = project.index.class_fact(symbol)
        if fact is not None:
            used.update(f.name for f in fact.fields if f.name in SOFT_DELETE_COLUMNS)
    if not used or "deleted_at" in used:
        return None
    return used.most_common(1)[0][0]


def layout_toml(layout: Layout) -> str:
    """The `[tool.layerlint]` tables `init` writes, each inferred value with why, as comments."""
    lines = ["[tool.layerlint]",
             "# Written by `layerlint init` from what it found; every other setting keeps its default.",
             "# `layerlint check --show-settings` lists them all, with where each value comes from.",
             f"packages = {_strings(layout.packages)}"]
    if layout.roles:
        lines += ["", "[tool.layerlint.extend-roles]  # added to the default globs (roles.<role> would replace them)"]
        for role, globs in layout.roles.items():
            why = "; ".join(layout.reasons[glob] for glob in globs if glob in layout.reasons)
            lines.append(f"{role} = {_strings(globs)}  # {why}")
    if layout.found:
        lines += ["", "# Roles found from what the modules define (no glob needed; `layerlint roles` shows each):"]
        lines += [f"#   {package}: {why}" for package, why in sorted(layout.found.items())[:10]]
    lines += ["", *_sessions_lines(layout)]
    if layout.base_repository:
        lines += ["", "[tool.layerlint.repositories]", f'base-class = "{layout.base_repository}"  # the repositories '
                  "derive from it"]
    if layout.soft_delete_column:
        lines += ["", "[tool.layerlint.models]", f'soft-delete-column = "{layout.soft_delete_column}"  # the table '
                  "models' column"]
    return "\n".join(lines)


def _sessions_lines(layout: Layout) -> list[str]:
    found = ", ".join(layout.providers) or "none"
    if layout.read_sessions:
        return [f"[tool.layerlint.sessions]  # session dependencies found: {found}",
                f"read = {_strings(layout.read_sessions)}", f"write = {_strings(layout.write_sessions)}"]
    return [f"# Session dependencies found: {found}. No read/write split to check (a dependency whose name",
            "# says it reads, such as get_db_read_session, is none); with one, name them here:",
            "# [tool.layerlint.sessions]", '# read = ["get_read_session"]', '# write = ["get_write_session"]']


def _strings(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"
