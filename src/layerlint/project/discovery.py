"""Find the project's first-party modules: packages under the root (or root/src), minus excludes."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from layerlint.core.config import Config, ConfigError
from layerlint.core.globs import any_path_matcher, match_path

_SKIP_DIRS = {".git", "__pycache__", "node_modules", ".layerlint_cache", ".mypy_cache", ".ruff_cache",
              ".pytest_cache", ".tox", ".nox", "site-packages"}


@dataclass(frozen=True)
class SourceFile:
    location: str  # absolute path
    relative: str  # to the project root, "/"-separated
    module: str
    is_package: bool
    # (mtime_ns, size) as seen while walking the tree: the cache's stat fast path needs no second stat
    stat: tuple[int, int] | None = field(default=None, compare=False)

    @property
    def path(self) -> Path:
        return Path(self.location)


def _excluded(relative: str, config: Config) -> bool:
    return any(match_path(pattern, relative) for pattern in config.all_excludes())


def _package_dirs(config: Config) -> list[tuple[Path, Path]]:
    """(package directory, the directory module names are relative to)."""
    bases = [config.root, config.root / "src"]
    if config.packages:
        found: list[tuple[Path, Path]] = []
        for package in config.packages:
            relative = Path(*package.split("."))
            for base in bases:
                if (base / relative).is_dir() or (base / f"{relative}.py").is_file():
                    found.append((base / relative, base))
                    break
            else:
                raise ConfigError(config.file, "packages", f"package `{package}` not found under {config.root}")
        return found
    detected: list[tuple[Path, Path]] = []
    for base in bases:
        if not base.is_dir():
            continue
        for entry in sorted(base.iterdir()):
            if entry.is_dir() and (entry / "__init__.py").is_file() and not _excluded(
                    entry.relative_to(config.root).as_posix() + "/__init__.py", config):
                detected.append((entry, base))
    return detected


def discover(config: Config) -> list[SourceFile]:
    packages = _package_dirs(config)
    if not packages:  # no package: every .py file under the root, named by its path
        packages = [(config.root, config.root)]
    files: dict[str, SourceFile] = {}
    excluded = any_path_matcher(config.all_excludes())
    for package_dir, base in packages:
        if package_dir.is_file() or package_dir.with_suffix(".py").is_file() and not package_dir.is_dir():
            single = package_dir if package_dir.suffix == ".py" else package_dir.with_suffix(".py")
            _add(files, single, base, config)
            continue
        _walk(files, package_dir, base, config, excluded)
    return sorted(files.values(), key=lambda f: f.relative)


def _walk(files: dict[str, SourceFile], package_dir: Path, base: Path, config: Config,
          excluded: Callable[[str], bool]) -> None:
    """Every .py file below `package_dir`; an excluded directory is not entered at all.

    Strings and `os.scandir`, not `Path` objects: on a 24,000-file tree a `Path` per file was
    most of the walk, and the directory entry gives each file's stat without another lookup.
    """
    top = package_dir.relative_to(config.root).as_posix()
    parts = top.split("/") if top != "." else []
    if any(excluded("/".join(parts[:i])) for i in range(1, len(parts) + 1)):
        return
    base_parts = package_dir.relative_to(base).parts
    if not all(p.isidentifier() for p in base_parts):
        return
    pending = [(str(package_dir), "" if top == "." else top + "/", list(base_parts))]
    while pending:
        directory, prefix, module_parts = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            relative = prefix + name
            if entry.is_dir():
                if name not in _SKIP_DIRS and not name.startswith(".venv") and name.isidentifier() \
                        and not excluded(relative):
                    pending.append((entry.path, relative + "/", [*module_parts, name]))
            elif name.endswith(".py") and not excluded(relative):
                _add_entry(files, entry, relative, module_parts)


def _add_entry(files: dict[str, SourceFile], entry: os.DirEntry[str], relative: str, module_parts: list[str]) -> None:
    stem = entry.name[:-3]
    is_package = stem == "__init__"
    dotted = module_parts if is_package else [*module_parts, stem]
    if not dotted or not stem.isidentifier():
        return
    try:
        stat = entry.stat()
    except OSError:
        return
    files[relative] = SourceFile(entry.path, relative, ".".join(dotted), is_package, (stat.st_mtime_ns, stat.st_size))


def _add(files: dict[str, SourceFile], path: Path, base: Path, config: Config) -> None:
    relative = path.relative_to(config.root).as_posix()
    if _excluded(relative, config):
        return
    parts = list(path.relative_to(base).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return
    files[relative] = SourceFile(str(path), relative, ".".join(parts), is_package)


def module_name_for(path: Path, config: Config) -> tuple[str, bool] | None:
    """The module name a file would have in this project (for a file handed over alone)."""
    path = path.resolve()
    for base in (config.root / "src", config.root):
        try:
            parts = list(path.relative_to(base).with_suffix("").parts)
        except ValueError:
            continue
        if base == config.root and parts and parts[0] == "src" and (config.root / "src").is_dir():
            continue
        is_package = bool(parts) and parts[-1] == "__init__"
        parts = parts[:-1] if is_package else parts
        if parts and all(p.isidentifier() for p in parts):
            return ".".join(parts), is_package
    return None
