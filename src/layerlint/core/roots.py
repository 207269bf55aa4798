"""Where a project starts when no pyproject.toml says so, and whether a directory is a project at all.

A directory layerlint did not find as a project is never written to (no cache) and never walked
on behalf of one file in it: `layerlint check /some/dir/loose.py` checks that file alone, as ruff
and flake8 do, instead of parsing every file around it.
"""

from __future__ import annotations

import os
from pathlib import Path

# Files that make their directory a project root (after pyproject.toml, which config.py looks for).
ROOT_MARKERS = ("setup.cfg", "setup.py", ".git")


def user_path(path: Path) -> Path:
    """An absolute path as the user wrote it: `..` collapsed, symlinks kept (as ruff keeps them),
    so a file reached through a symlink belongs to the project it is in, not to its target's."""
    return Path(os.path.abspath(path))


def fallback_root(start: Path) -> Path:
    """The project root when no pyproject.toml that configures layerlint or defines a project is
    found above `start`.

    Inside a package, the directory above its topmost package (where Python, pylint and mypy
    start module names), or the one above that `src/` if it is marked (see `is_marked`), so
    every path in a project gives the same root; a directory that holds a package (in it or in
    its `src/`) is its own root: `check backend` in a repository whose pyproject.toml only
    configures other tools names modules `app.*`, as Python run in backend/ does. Otherwise the
    closest marked directory; otherwise `start`'s own directory.
    """
    start = user_path(start)
    directory = start if start.is_dir() else start.parent
    if is_package(directory):
        while directory.parent != directory and is_package(directory.parent):
            directory = directory.parent
        above = directory.parent
        # the src layout: the project is the directory holding src/, as `check .` there finds it
        return above.parent if above.name == "src" and is_marked(above.parent) else above
    if start.is_dir() and holds_packages(directory):
        return directory
    for candidate in (directory, *directory.parents):
        if is_marked(candidate):
            return candidate
    return directory


def is_project_root(root: Path) -> bool:
    """Whether `root` is a project layerlint found: it is marked (see `is_marked`) or holds a
    package (a directory with `__init__.py`, in it or in its `src/`)."""
    return is_marked(root) or holds_packages(root)


def holds_packages(directory: Path) -> bool:
    """Whether `directory` or its `src/` holds a package (a directory with `__init__.py`)."""
    return any(_holds_package(base) for base in (directory, directory / "src"))


def is_marked(root: Path) -> bool:
    """Whether `root` holds pyproject.toml, setup.cfg, setup.py or .git: someone's project, where a
    cache may be written. Packages alone do not say so (a file in site-packages is in a package)."""
    return (root / "pyproject.toml").is_file() or _has_marker(root)


def _has_marker(directory: Path) -> bool:
    return any(os.path.lexists(directory / marker) for marker in ROOT_MARKERS)


def is_package(directory: Path) -> bool:
    return (directory / "__init__.py").is_file()


def _holds_package(directory: Path) -> bool:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return False
    return any(entry.is_dir() and is_package(Path(entry.path)) for entry in entries)
