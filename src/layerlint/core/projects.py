"""Which projects the paths of one run belong to, and how a project's paths are shown.

A project is a root (where module names start) and its configuration. Each path named finds its
project upwards (see `config.load_config`); a directory that is no project itself but holds
projects below it (a repository whose backend is in `backend/`, or several backends) stands for
them, each checked with its own root, as `check backend` would. Findings name files relative to
their project root; `shown_path` turns that into what the user can open from where they ran.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from layerlint.core.config import Config, load_config
from layerlint.core.globs import any_path_matcher
from layerlint.core.records import record
from layerlint.core.roots import fallback_root, holds_packages, is_package, user_path

# How deep below a named directory projects are looked for: `backend/`, `services/api/`, `apps/x/server/`.
MAX_DEPTH = 3
_NEVER_PROJECTS = {"node_modules", "site-packages", "__pycache__", "build", "dist", "docs"}


@record(frozen=True)
class Target:
    """One project of a run and the paths named in it (none: the whole project)."""

    config: Config
    paths: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = ()  # what the run was asked to check and will not


def find_targets(paths: Sequence[Path]) -> list[Target]:
    """The projects of `paths` (none: the current directory), in the order first named.

    A path with no configuring pyproject.toml around it joins the first project that has one:
    pre-commit passes files in any order, and a script beside the project must not choose it.
    """
    named: list[tuple[Config, Path | None]] = []  # None: the whole project
    warnings: dict[tuple[Path, Path | None], tuple[str, ...]] = {}
    for path in paths or (Path("."),):
        config = project_config(path)
        below = projects_below(path, config)
        named += [(found, None) for found in below] or [(config, path)]
        if below:
            key = (below[0].root, below[0].file)
            warnings[key] = warnings.get(key, ()) + tuple(_outside_warning(path, config, below))
    configured = next((config for config, _ in named if config.file is not None), None)
    configs: dict[tuple[Path, Path | None], Config] = {}
    chosen: dict[tuple[Path, Path | None], list[Path] | None] = {}
    for config, named_path in named:
        if config.file is None and configured is not None and named_path is not None:
            config = configured
        key = (config.root, config.file)
        configs.setdefault(key, config)
        found = chosen.get(key, [])
        chosen[key] = None if named_path is None or found is None else [*found, named_path]
    return [Target(configs[key], tuple(found or ()), warnings.get(key, ())) for key, found in chosen.items()]


def project_config(path: Path) -> Config:
    """The configuration of the project `path` is in. A root that holds no package and configures
    none (a monorepo's root) is not where the modules of a package below it are named from: there
    the package's own root is, as for `check backend`, with the configuration around it."""
    config = load_config(path)
    start = user_path(path)
    directory = start if start.is_dir() else start.parent
    if config.packages or holds_packages(config.root):
        return config
    if not is_package(directory) and not (start.is_dir() and holds_packages(directory)):
        return config
    root = fallback_root(path)
    return replace(config, root=root) if root != config.root and root.is_relative_to(config.root) else config


def projects_below(path: Path, config: Config) -> list[Config]:
    """The projects a directory stands for when it is none itself: it holds no package, configures
    none (`packages`), is in none, and below it are directories that hold packages or a
    pyproject.toml defining a project. Each is its own root; one without its own pyproject.toml
    keeps the configuration around it."""
    directory = user_path(path)
    if not directory.is_dir() or config.packages or is_package(directory) or holds_packages(directory):
        return []
    excluded = any_path_matcher(config.all_excludes())
    found: list[Config] = []
    pending = [(directory, 0)]
    while pending:
        current, depth = pending.pop(0)
        for child in _subdirectories(current):
            if _excluded_directory(child, config, excluded) or is_package(child):
                continue  # a package's directories are its own, never another project
            project = _project_at(child, config)
            if project is not None:
                found.append(project)
            elif depth + 1 < MAX_DEPTH:
                pending.append((child, depth + 1))
    return found


def _outside_warning(path: Path, config: Config, projects: list[Config]) -> list[str]:
    """A warning naming the Python files under `path` that none of the `projects` found below it
    holds (a repository's `scripts/`, `hooks/`, a loose `manage.py`): checking the projects alone
    must not pass over them in silence."""
    loose = python_files_outside(user_path(path), config, [project.root for project in projects])
    if not loose:
        return []
    base = user_path(path)
    listed = ", ".join(shown_path(base, relative, Path.cwd()) for relative in loose[:3])
    listed += f" and {len(loose) - 3} more" if len(loose) > 3 else ""
    roots = ", ".join(shown_path(project.root, ".", Path.cwd()) for project in projects)
    return [f"{len(loose)} Python file(s) under {shown_path(base, '.', Path.cwd())} are in none of the projects "
            f"found there ({roots}) and are not checked: {listed}; name them to check them, or exclude them"]


def python_files_outside(directory: Path, config: Config, roots: list[Path]) -> list[str]:
    """The `.py` files below `directory` (relative to it, sorted) that are in none of `roots`,
    skipping what discovery skips: excluded, hidden, virtual environment and build directories."""
    excluded = any_path_matcher(config.all_excludes())
    skipped = set(roots)
    found: list[str] = []
    for current, subdirectories, files in os.walk(directory):
        here = Path(current)
        subdirectories[:] = sorted(name for name in subdirectories if _searched(name) and here / name not in skipped
                                   and not _excluded_directory(here / name, config, excluded))
        found += [os.path.relpath(here / name, directory).replace(os.sep, "/") for name in sorted(files)
                  if name.endswith(".py") and not excluded(_config_relative(here / name, config))]
    return sorted(found)


def _searched(name: str) -> bool:
    """Whether a directory of this name may hold a project or a project's files (no hidden,
    virtual environment, dependency or build directory)."""
    return not name.startswith(".") and name not in _NEVER_PROJECTS and not name.startswith("venv")


def _config_relative(path: Path, config: Config) -> str:
    return os.path.relpath(path, config.root).replace(os.sep, "/")


def _excluded_directory(directory: Path, config: Config, excluded: Callable[[str], bool]) -> bool:
    relative = _config_relative(directory, config)
    return excluded(relative) or excluded(relative + "/")


def _subdirectories(directory: Path) -> list[Path]:
    try:
        entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
    except OSError:
        return []
    return [Path(entry.path) for entry in entries if entry.is_dir() and _searched(entry.name)]


def _project_at(directory: Path, around: Config) -> Config | None:
    """The project rooted at `directory`, if one is."""
    own = load_config(directory)
    if own.root == directory and own.file is not None:
        return own
    if holds_packages(directory):
        return replace(around, root=directory)  # the configuration around it, named from here
    return None


def shown_path(root: Path, relative: str, base: Path) -> str:
    """A root-relative path as the user can open it from `base` (the current directory): relative
    to it when the project is in it or it is in the project (`../models.py` from a subdirectory);
    otherwise (a project elsewhere on disk) relative to the project root, as findings name it."""
    prefix, within = _seen_from(root, base)
    if prefix is not None:  # asked once per path with findings: a join, not relpath (0.02 s at 2,500 findings)
        return relative if prefix == "." else prefix if relative == "." else f"{prefix}/{relative}"
    if not within:  # a project elsewhere on disk
        return relative
    return os.path.relpath(root / relative, base).replace(os.sep, "/")


@lru_cache(maxsize=8)
def _seen_from(root: Path, base: Path) -> tuple[str | None, bool]:
    """The project root as seen from `base` when the root is in it (or is it), else None; and
    whether `base` is in the project. Worked out once: `shown_path` is asked once per path."""
    if root.is_relative_to(base):
        return os.path.relpath(root, base).replace(os.sep, "/"), True
    return None, base.is_relative_to(root)


def repository_root(roots: Sequence[Path]) -> Path:
    """Where SARIF's `%SRCROOT%` is: the repository holding every project (the closest directory
    with `.git` above the first root), else the directory all roots are in."""
    common = Path(os.path.commonpath([str(root) for root in roots]))
    for candidate in (common, *common.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return common
