"""`[tool.layerlint]` configuration: defaults that fit the style guide, strict validation.

Every key is optional. Unknown keys and wrong types are errors (exit code 2), reported with
the file and the dotted key, and a "did you mean" when a known key is close.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from layerlint.core.diagnostic import Severity
from layerlint.core.records import field, record
from layerlint.core.roots import fallback_root, user_path

# In the order globs are tried: "dependency" (modules that wire services for Depends) first,
# because `app/routers/dependencies.py` is wiring, not a router.
ROLE_NAMES = ("dependency", "router", "service", "repository", "model", "dto", "app", "worker")

DEFAULT_ROLE_GLOBS: dict[str, tuple[str, ...]] = {
    "dependency": ("**.dependencies", "**.dependencies.**", "**.deps", "**.deps.**", "**.dependency",
                   "**.providers", "**.container", "**.containers"),
    "router": (
        "**.routers.**", "**.routers", "**.router", "**.routes.**", "**.routes",
        "**.endpoints.**", "**.endpoints", "**.views.**", "**.views",
    ),
    "service": ("**.service", "**.services.**", "**.services", "**.*_service"),
    "repository": (
        "**.repository", "**.repositories.**", "**.repositories", "**.repos.**", "**.repos",
        "**.repo", "**.*_repository", "**.crud.**", "**.crud", "**.persistence.**",
    ),
    "model": ("**.model", "**.models.**", "**.models"),
    "dto": ("**.dtos.**", "**.dtos", "**.dto", "**.schemas.**", "**.schemas", "**.schema"),
    "app": ("*.main", "main"),
    # Background tasks (celery, dramatiq, ...) are found by their decorators, whatever the module's
    # name: `tasks` names a worker's module as often as a router's (`api/v1/tasks.py`).
    "worker": (),
}

DEFAULT_EXCLUDES: tuple[str, ...] = (
    "**/tests/**", "**/test/**", "**/test_*.py", "**/*_test.py", "**/conftest.py",
    "**/fixtures/**", "**/.venv*/**", "**/venv/**", "**/site-packages/**", "**/alembic/**",
    "**/migrations/**", "**/build/**", "**/dist/**", "**/node_modules/**", "**/.git/**",
    "**/__pycache__/**", "**/.tox/**", "**/.nox/**", "**/.layerlint_cache/**", "**/.eggs/**",
)

MAX_ID_PREFIX = 64

DEFAULT_READ_SESSIONS = ("get_read_session_dependency", "get_read_session", "get_db_read")
DEFAULT_WRITE_SESSIONS = ("get_write_session_dependency", "get_write_session", "get_db_write")
DEFAULT_SESSION_FACTORIES = (
    "async_session", "async_session_maker", "async_session_factory", "AsyncSessionLocal",
    "SessionLocal", "async_sessionmaker", "sessionmaker", "AsyncSession", "Session",
)


# The key of a problem with the file itself (unreadable, not TOML), not with one setting in it.
WHOLE_FILE = ""


class ConfigError(Exception):
    """A configuration problem; the CLI turns it into exit code 2."""

    def __init__(self, file: Path | None, key: str, message: str) -> None:
        self.file = file
        self.key = key
        self.message = message
        where = f"{file}: " if file else ""
        what = "" if key == WHOLE_FILE else f"[tool.layerlint] `{key}`: "
        super().__init__(f"{where}{what}{message}")

    def __reduce__(self) -> tuple[type[ConfigError], tuple[Path | None, str, str]]:
        # Pickled between processes (flake8 -j workers): the default would call __init__ with one argument.
        return (type(self), (self.file, self.key, self.message))


@record(frozen=True)
class Config:
    root: Path
    file: Path | None = None
    packages: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    select: tuple[str, ...] = ("LL",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    roles: tuple[tuple[str, tuple[str, ...]], ...] = ()  # configured roles only: replace the defaults
    extend_roles: tuple[tuple[str, tuple[str, ...]], ...] = ()  # added to the role's globs
    read_sessions: tuple[str, ...] = DEFAULT_READ_SESSIONS
    write_sessions: tuple[str, ...] = DEFAULT_WRITE_SESSIONS
    session_factories: tuple[str, ...] = DEFAULT_SESSION_FACTORIES
    id_prefix: str = "^[a-z]{2,5}_$"  # see id_prefix_matches
    soft_delete_column: str = "deleted_at"
    base_repository: str = "BaseRepository"
    soft_delete_helpers: tuple[str, ...] = ()
    chains_follow: str = "names"  # "names" (what a router uses of each module) or "modules" (import-linter's)
    severities: tuple[tuple[str, str], ...] = ()  # code or prefix -> "error", "warning" or "convention"
    # The dotted keys `file` sets (`sessions.read`); every other value is a default. Not part of
    # the cache key: where a value comes from changes no finding.
    configured: frozenset[str] = field(default=frozenset(), compare=False, repr=False)

    def id_prefix_matches(self, prefix: str) -> bool:
        """Whether an entity prefix matches `models.id-prefix`. A real prefix is a few characters
        (a ULID id fits in 30 with it): a longer one never matches, which bounds the regex's
        backtracking on a hostile source file (the pattern's shape is checked at load)."""
        return len(prefix) <= MAX_ID_PREFIX and re.search(self.id_prefix, prefix) is not None

    def role_globs(self, role: str) -> tuple[str, ...]:
        """What the role matches: `roles.<role>` or the defaults, and `extend-roles.<role>`."""
        return dict(self.roles).get(role, DEFAULT_ROLE_GLOBS[role]) + dict(self.extend_roles).get(role, ())

    def configured_role_globs(self, role: str) -> tuple[str, ...]:
        """The globs the user wrote for the role; they come before every default."""
        return dict(self.roles).get(role, ()) + dict(self.extend_roles).get(role, ())

    def replaces_role(self, role: str) -> bool:
        """Whether `roles.<role>` replaces the role's defaults (`extend-roles` keeps them)."""
        return role in dict(self.roles)

    def role_key(self, role: str, glob: str) -> str:
        """The key a configured glob is written under: `roles.service` or `extend-roles.service`."""
        return f"roles.{role}" if glob in dict(self.roles).get(role, ()) else f"extend-roles.{role}"

    def keyed_codes(self) -> list[tuple[str, tuple[str, ...]]]:
        """Every configured list of rule codes, with its key."""
        keyed = [("select", self.select), ("ignore", self.ignore), ("extend-select", self.extend_select)]
        keyed += [(f"per-file-ignores.{glob}", codes) for glob, codes in self.per_file_ignores]
        return keyed + [(f"severity.{code}", (code,)) for code, _ in self.severities]

    def all_excludes(self) -> tuple[str, ...]:
        return DEFAULT_EXCLUDES + self.exclude

    def extraction_key(self) -> str:
        """What, in the configuration, changes the per-module facts (for the cache key)."""
        return repr((self.soft_delete_column,))

    def with_selection(self, select: tuple[str, ...] | None, ignore: tuple[str, ...]) -> Config:
        return replace(self, select=select or self.select, ignore=self.ignore + ignore)


@record(frozen=True)
class _Key:
    kind: str  # "str", "list", "table", "map-list"
    attr: str
    children: dict[str, _Key] = field(default_factory=dict)


SCHEMA: dict[str, _Key] = {
    "packages": _Key("list", "packages"),
    "exclude": _Key("list", "exclude"),
    "select": _Key("list", "select"),
    "ignore": _Key("list", "ignore"),
    "extend-select": _Key("list", "extend_select"),
    "per-file-ignores": _Key("map-list", "per_file_ignores"),
    "severity": _Key("map-str", "severities"),
    "roles": _Key("table", "roles", {r: _Key("list", r) for r in ROLE_NAMES}),
    "extend-roles": _Key("table", "extend_roles", {r: _Key("list", r) for r in ROLE_NAMES}),
    "sessions": _Key("table", "sessions", {
        "read": _Key("list", "read_sessions"),
        "write": _Key("list", "write_sessions"),
        "factories": _Key("list", "session_factories"),
    }),
    "models": _Key("table", "models", {
        "id-prefix": _Key("str", "id_prefix"),
        "soft-delete-column": _Key("str", "soft_delete_column"),
    }),
    "repositories": _Key("table", "repositories", {
        "base-class": _Key("str", "base_repository"),
        "soft-delete-helpers": _Key("list", "soft_delete_helpers"),
    }),
    "chains": _Key("table", "chains", {
        "follow": _Key("str", "chains_follow"),
    }),
}
CHAIN_READINGS = ("names", "modules")

_TYPE_NAMES = {"str": "a string", "list": "a list of strings", "map-list": "a table of lists of strings",
               "map-str": "a table of strings", "table": "a table"}


def find_pyproject(start: Path) -> Path | None:
    """The closest pyproject.toml that configures layerlint or defines a project ([project]).

    A pyproject.toml with neither (a tool-only file) does not bound the project; the closest
    one of any kind is the fallback.
    """
    return _closest_pyproject(start)[0]


def _closest_pyproject(start: Path) -> tuple[Path | None, dict[str, Any] | None]:
    """`find_pyproject`, with the document when it was parsed on the way (None: parse it again,
    for the fallback or to report why it cannot be read)."""
    start = user_path(start)
    directory = start if start.is_dir() else start.parent
    first_seen: Path | None = None
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if not candidate.is_file():
            continue
        first_seen = first_seen or candidate
        try:
            document = _read_pyproject(candidate)
        except ConfigError:
            return candidate, None  # load_config reports it
        if _configures(document):
            return candidate, document
    return first_seen, None


def _configures(document: dict[str, Any]) -> bool:
    """Whether a pyproject.toml configures layerlint or defines a project (and so bounds one)."""
    return "layerlint" in document.get("tool", {}) or "project" in document


def _read_pyproject(path: Path) -> dict[str, Any]:
    """The TOML document, or a ConfigError naming the file. As ruff does, a closest pyproject.toml
    that is not valid (broken TOML, nesting deeper than the parser's recursion, a `tool` that is
    not a table) is an error even when it does not mention layerlint: whether it configures
    layerlint cannot be known."""
    try:
        document = tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(path, WHOLE_FILE, f"not valid TOML: {error}") from error
    except RecursionError as error:
        raise ConfigError(path, WHOLE_FILE, "not valid TOML: nested too deeply to read") from error
    except OSError as error:
        raise ConfigError(path, WHOLE_FILE, f"cannot be read: {error.strerror or error}") from error
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(path, WHOLE_FILE, f"`tool` must be a table, got {type(tool).__name__} {tool!r}")
    return document


def load_config(start: Path) -> Config:
    pyproject, document = _closest_pyproject(start)
    if pyproject is None:
        return Config(root=fallback_root(start))
    document = document if document is not None else _read_pyproject(pyproject)
    if not _configures(document):
        # A tool-only pyproject.toml (a monorepo's root, configuring ruff or uv) is valid but says
        # nothing about the project: its root is where the packages are (see `fallback_root`).
        return Config(root=fallback_root(start))
    table = document.get("tool", {}).get("layerlint", {})
    if not isinstance(table, dict):
        raise ConfigError(pyproject, "tool.layerlint", "must be a table")
    return config_from_table(table, pyproject.parent, pyproject)


def config_from_table(table: dict[str, Any], root: Path, file: Path | None) -> Config:
    values: dict[str, Any] = {}
    _read_table(table, SCHEMA, "", file, values)
    roles = values.pop("roles", {})
    extend_roles = values.pop("extend_roles", {})
    for table_key in ("sessions", "models", "repositories", "chains"):
        values.pop(table_key, None)
    config = Config(root=root, file=file, roles=tuple(sorted(roles.items())),
                    extend_roles=tuple(sorted(extend_roles.items())), configured=_dotted_keys(table), **values)
    _check_values(config)
    return config


def _dotted_keys(table: dict[str, Any]) -> frozenset[str]:
    """The keys a valid [tool.layerlint] table sets, a sub-table's as `sessions.read`."""
    return frozenset(f"{key}.{child}" if SCHEMA[key].kind == "table" else key
                     for key, value in table.items() for child in (value if SCHEMA[key].kind == "table" else [""]))


def _read_table(table: dict[str, Any], schema: dict[str, _Key], prefix: str, file: Path | None,
                out: dict[str, Any]) -> None:
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        spec = schema.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
            hint = f" (did you mean `{prefix}{close[0]}`?)" if close else ""
            known = ", ".join(sorted(schema))
            raise ConfigError(file, dotted, f"unknown key{hint}; known keys here: {known}")
        out[spec.attr] = _convert(value, spec, dotted, file, out)


def _convert(value: Any, spec: _Key, dotted: str, file: Path | None, out: dict[str, Any]) -> Any:
    wrong = ConfigError(file, dotted, f"must be {_TYPE_NAMES[spec.kind]}, got {type(value).__name__} {value!r}")
    if spec.kind == "str":
        if not isinstance(value, str):
            raise wrong
        return value
    if spec.kind == "list":
        if isinstance(value, str) or not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong
        return tuple(value)
    if spec.kind == "map-str":
        if not isinstance(value, dict):
            raise wrong
        return tuple((k, _convert(v, _Key("str", ""), f"{dotted}.{k}", file, out)) for k, v in value.items())
    if spec.kind == "map-list":
        if not isinstance(value, dict):
            raise wrong
        return tuple((k, _convert(v, _Key("list", ""), f"{dotted}.{k}", file, out)) for k, v in value.items())
    if not isinstance(value, dict):
        raise wrong
    if spec.attr in ("roles", "extend_roles"):
        roles: dict[str, tuple[str, ...]] = {}
        _read_table(value, spec.children, f"{dotted}.", file, roles)
        return roles
    _read_table(value, spec.children, f"{dotted}.", file, out)
    return None


def _check_values(config: Config) -> None:
    for package in config.packages:  # a path ("/etc", "app/..") or an empty part would walk outside the project
        if not all(part.isidentifier() for part in package.split(".")):
            hint = (f"; for a backend in `{package.rsplit('/', 1)[0]}/`, put [tool.layerlint] in its own "
                    "pyproject.toml or name the directory on the command line (modules are named from there)"
                    if "/" in package.strip("/") else "")
            raise ConfigError(config.file, "packages", f"`{package}` is not a dotted package name "
                              f"(like `app` or `app.core`, relative to the project root or src/){hint}")
    try:
        re.compile(config.id_prefix)
    except re.error as error:
        raise ConfigError(config.file, "models.id-prefix", f"not a valid regular expression: {error}") from error
    problem = _backtracking_risk(config.id_prefix)
    if problem:
        raise ConfigError(config.file, "models.id-prefix",
                          f"{problem}: such a pattern can take exponential time on a long prefix. An id prefix is "
                          "a few letters and an underscore; write it with character classes and alternatives, "
                          "like `^[a-z]{2,5}_$` or `^(usr|itm|ord)_$`")
    if config.chains_follow not in CHAIN_READINGS:
        raise ConfigError(config.file, "chains.follow", f"`{config.chains_follow}` is not a way to follow chains; use "
                          "`names` (what a module uses of each module it imports) or `modules` (every import, as "
                          "import-linter reads them)")
    levels = [level.value for level in Severity]
    for code, level in config.severities:
        if level not in levels:
            raise ConfigError(config.file, f"severity.{code}", f"`{level}` is not a severity; use one of "
                              + ", ".join(f"`{name}`" for name in levels))
    for key, codes in config.keyed_codes():
        for code in codes:
            if not re.fullmatch(r"LL\d{0,3}", code) and code != "ALL":
                name = " (rules are selected by code: `layerlint rules` lists each code with its name)" \
                    if re.fullmatch(r"[a-z0-9-]+", code) else ""
                raise ConfigError(config.file, key, f"`{code}` is not a rule code or prefix (like LL1 or LL101){name}")


# Backtracking is bounded by a pattern's shape and the text's length: with no nested repetition,
# no repeated alternative, no backreference and at most this many repetitions, matching a prefix
# of at most MAX_ID_PREFIX characters takes a few million steps at worst (see `id_prefix_matches`).
MAX_ID_PREFIX_REPEATS = 4
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")


def _backtracking_risk(pattern: str) -> str | None:
    """Why `pattern` (a valid regular expression) may backtrack catastrophically, or None.

    A structural check of the parsed pattern, as ReDoS linters do: exact analysis is costly, and
    an id prefix never needs the shapes refused here."""
    from re import _parser  # type: ignore[attr-defined]  # the stdlib's own pattern parser; typeshed omits it

    repeats = 0
    pending: list[tuple[Any, bool]] = [(_parser.parse(pattern), False)]
    while pending:
        items, repeated = pending.pop()
        for op, argument in items:
            name = getattr(op, "name", "")
            if name in ("GROUPREF", "GROUPREF_EXISTS"):
                return "it uses a backreference"
            if name == "BRANCH" and repeated:
                return "it repeats a group of alternatives"
            if name in _REPEATS:
                if repeated:
                    return "it nests a repetition inside another"
                repeats += 1
                pending.append((argument[2], argument[1] > 1))
            else:
                pending.extend((child, repeated) for child in _subpatterns(argument))
    if repeats > MAX_ID_PREFIX_REPEATS:
        return f"it has {repeats} repetitions (at most {MAX_ID_PREFIX_REPEATS})"
    return None


def _subpatterns(argument: Any) -> list[Any]:
    """The sub-patterns inside a parsed item's argument (a group's, a branch's, a lookaround's)."""
    from re import _parser  # type: ignore[attr-defined]

    if isinstance(argument, _parser.SubPattern):
        return [argument]
    if isinstance(argument, (tuple, list)):
        return [found for child in argument for found in _subpatterns(child)]
    return []
